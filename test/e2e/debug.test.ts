/**
 * Build debugging (issue 13), end to end: the real CLI in real PTYs, the
 * real server, the engine under test. `bake --on-error` in a five-target
 * DAG opens a shell at the failed step of the target that failed (on an
 * engine whose errors carry the step's state; elsewhere it says so and
 * exits 1); `bake --invoke` gives a shell in a result, reload and rollback
 * work, a killed client's session is attached again from a new terminal
 * with the shell as it was, and ending a session leaves nothing running.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runBake } from '../support/bake-cli.js';
import { privateServerEnv } from '../support/dev-server.js';
import { requireBuildEngine } from '../support/engine.js';
import { gatewayCapabilities } from '../support/gateway-caps.js';
import { heldBuilds } from '../support/build-records.js';
import { PtyTerminal, belowMonitor, lastLine } from '../support/pty-terminal.js';

const MONITOR = '\x01c';
/** Marks every process the tests' builds start (their env), so a leftover is found in /proc. */
const MARK = `bake-debug-test-${randomBytes(4).toString('hex')}`;

let scratch = '';
let env: Record<string, string> = {};
/** The engine's errors carry the failed step's state (its gateway has exec signals: BuildKit 0.10+). */
let failedStepState = false;
let engineAddress = '';
const testsBegan = new Date();
const terminals: PtyTerminal[] = [];

function terminal(args: string[], cwd: string): PtyTerminal {
  const t = new PtyTerminal(args, { cwd, env, columns: 160, rows: 50 });
  terminals.push(t);
  return t;
}

/** A project dir with these files (paths relative to it). */
function project(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Processes (in any container of the engine) started with the tests' mark in their environment. */
function markedProcesses(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/environ`, 'latin1').includes(MARK);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Ends the project's debug session whatever the test's outcome: a failed test leaves nothing for the next. */
async function stopSession(dir: string): Promise<void> {
  await runBake(['dev', 'stop'], { cwd: dir, env }).catch(() => undefined);
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return check();
}

/**
 * A session's end left nothing of its builds: no process (marked) and,
 * where the engine keeps build records, no build held open since the
 * tests began.
 */
async function assertNothingLeft(): Promise<void> {
  assert.ok(await until(() => markedProcesses().length === 0, 10_000), `no process of the build is left: ${markedProcesses().join(', ')}`);
  let held = await heldBuilds(engineAddress, testsBegan);
  for (let i = 0; i < 50 && held?.length; i++) {
    await new Promise((r) => setTimeout(r, 200));
    held = await heldBuilds(engineAddress, testsBegan);
  }
  assert.deepEqual(held ?? [], [], 'no build is held open in the engine');
}

before(async () => {
  const socketPath = await requireBuildEngine();
  engineAddress = `unix://${socketPath}`;
  const address = engineAddress;
  scratch = mkdtempSync(join(tmpdir(), 'bake-debug-'));
  env = privateServerEnv(address, scratch);
  failedStepState = (await gatewayCapabilities(address)).has('gateway.exec.signals');
});

after(async () => {
  for (const t of terminals) t.dispose();
  if (scratch) {
    await runBake(['server', 'stop'], { cwd: scratch, env }).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
});

/** Five targets: base, two on it (one of which fails after writing a file), two standalone. */
const DAG = {
  'docker-bake.hcl': `group "default" {
  targets = ["base", "lib", "broken", "app", "docs"]
}
target "base" {
  context    = "base"
}
target "lib" {
  context  = "lib"
  contexts = { base = "target:base" }
}
target "broken" {
  context  = "broken"
  contexts = { base = "target:base" }
}
target "app" {
  context = "app"
}
target "docs" {
  context = "app"
  args    = { FLAVOUR = "docs" }
}
`,
  'base/Dockerfile': `FROM bake-test/busybox\nENV BAKE_MARK=${MARK}\nRUN echo base > /base.txt\n`,
  'lib/Dockerfile': 'FROM base\nRUN echo lib > /lib.txt\n',
  'broken/Dockerfile': `FROM base
WORKDIR /work
ENV PS1='DBG# ' STEP_ENV=from-the-step
RUN echo partial > /work/partial.txt && echo failing-step-output && exit 7
`,
  'app/Dockerfile': 'FROM bake-test/busybox\nARG FLAVOUR=app\nRUN echo $FLAVOUR > /flavour\n',
};

test(
  '--on-error in a five-target DAG: a shell at the failed step with its file, rollback --init before it, the Dockerfile lines printed',
  { timeout: 240_000 },
  async (ctx) => {
    const dir = project('dag', DAG);
    ctx.after(() => stopSession(dir));
    const t = terminal(['--on-error', '--progress', 'plain'], dir);
    if (!failedStepState) {
      // An engine whose errors carry no failed-step state: said before the build and after it, and exit 1.
      const screen = await t.waitFor(/^error: broken failed, but the engine at .* sends no failed-step state with its errors/m, 180_000);
      assert.match(screen, /Docker 23\+ \(BuildKit 0\.10\+\) sends it/);
      assert.match(screen, /^warning: this builder's BuildKit predates 0\.10/m);
      assert.equal(await t.exitCode(), 1);
      return;
    }
    const screen = await t.waitFor(/^DBG#/m, 180_000);
    assert.match(screen, /failing-step-output/, "the step's last output was printed");
    assert.match(screen, /^ {3}4 \| >>> RUN echo partial > \/work\/partial\.txt && echo failing-step-output && exit 7$/m, 'the Dockerfile lines were printed');
    assert.match(screen, /bake: attached to broken \(\/bin\/sh\) in session \S+-debug\./);
    t.type('pwd; cat partial.txt; echo env=$STEP_ENV\r');
    await t.waitFor(/^env=from-the-step$/m);
    const after = await t.lines();
    assert.ok(after.includes('/work') && after.includes('partial'), `the shell is in the failed step's state after it: ${after.slice(-6).join(' | ')}`);

    t.type(MONITOR);
    await t.waitForLastLine('(bake)');
    t.type('failures\r');
    await t.waitFor(/^broken: the step at Dockerfile:4 failed with exit code 7: \/bin\/sh -c echo partial/m);
    t.type('rollback --init\r');
    await t.waitForVisible('a fresh shell', (v) => lastLine(v) === 'DBG#');
    t.type('ls /work; echo count=$(ls /work | wc -l)\r');
    await t.waitFor(/^count=0$/m);
    t.type(MONITOR);
    await t.waitForLastLine('(bake)');
    t.type('stop\r');
    assert.equal(await t.exitCode(), 0);
    await assertNothingLeft();
  },
);

test('--on-error --keep-going with two failures lists both and attaches to either', { timeout: 240_000 }, async (ctx) => {
  const dir = project('two', {
    ...DAG,
    'app/Dockerfile': `FROM bake-test/busybox\nENV BAKE_MARK=${MARK} PS1='APP# '\nARG FLAVOUR=app\nRUN echo $FLAVOUR > /flavour && exit 9\n`,
  });
  ctx.after(() => stopSession(dir));
  const t = terminal(['--on-error', '--keep-going', '--progress', 'plain'], dir);
  if (!failedStepState) {
    const screen = await t.waitFor(/^error: .* failed, but the engine at .* sends no failed-step state/m, 180_000);
    assert.match(screen, /^error: (?=.*broken)(?=.*app).* failed, but/m, 'both failures are named');
    assert.equal(await t.exitCode(), 1);
    return;
  }
  await t.waitFor(/^(DBG|APP)#/m, 180_000);
  t.type(MONITOR);
  await t.waitForLastLine('(bake)');
  // The run goes on for the other targets after the first shell opens: both failures are held once it is over.
  let listed = '';
  for (let i = 0; (i < 50 && !/^broken: the step/m.test(listed)) || !/^app: the step/m.test(listed); i++) {
    t.type('failures\r');
    await new Promise((r) => setTimeout(r, 400));
    listed = (await t.lines()).join('\n');
  }
  assert.match(listed, /^broken: the step at Dockerfile:4 failed with exit code 7/m);
  assert.match(listed, /^app: the step at Dockerfile:4 failed with exit code 9/m);
  await t.waitForLastLine('(bake)');
  t.type('attach app\r');
  await t.waitForLastLine('APP#');
  t.type('echo fl=$(cat /flavour)\r');
  await t.waitFor(/^fl=app$/m);
  t.type(MONITOR);
  await t.waitForLastLine('(bake)');
  t.type('attach broken\r');
  await t.waitForLastLine('DBG#');
  t.type('echo in=$PWD\r');
  await t.waitFor(/^in=\/work$/m);
  t.type(MONITOR);
  await t.waitForLastLine('(bake)');
  t.type('stop\r');
  assert.equal(await t.exitCode(), 0);
});

test('reload runs the failed step again though nothing changed: a new run, not the held failure', { timeout: 240_000 }, async (ctx) => {
  if (!failedStepState) {
    ctx.skip("the engine sends no failed step's state, so no shell opens to reload from (the DAG test checks what it says instead)");
    return;
  }
  const dir = project('rerun', {
    'docker-bake.hcl': 'target "default" {\n  context = "."\n}\n',
    Dockerfile: `FROM bake-test/busybox\nENV PS1='RR# ' BAKE_MARK=${MARK}\nRUN cat /proc/sys/kernel/random/uuid > /run-id && exit 3\n`,
  });
  ctx.after(() => stopSession(dir));
  const t = terminal(['--on-error', '--progress', 'plain'], dir);
  const runId = async (): Promise<string> => {
    await t.waitForVisible('a fresh shell', (v) => lastLine(v) === 'RR#', 180_000);
    t.type('echo run=$(cat /run-id)\r');
    // The reloaded shell is drawn under the monitor, the first one's id above it.
    const screen = belowMonitor(await t.waitForVisible("the step's run id", (v) => /^run=[0-9a-f-]{36}$/m.test(belowMonitor(v))));
    return /^run=([0-9a-f-]{36})$/m.exec(screen)?.[1] ?? '';
  };
  const first = await runId();
  // BuildKit shares a step among the builds that hold it, a failed one too: the held build must be gone before the new one solves.
  t.type(MONITOR);
  await t.waitForLastLine('(bake)');
  t.type('reload\r');
  assert.notEqual(await runId(), first, 'the reload ran the failed step again');
  t.type(MONITOR);
  await t.waitForLastLine('(bake)');
  t.type('stop\r');
  assert.equal(await t.exitCode(), 0);
});

test('--on-error at a failed COPY, a step that runs no process: said with the reason and the fix, exit 1', { timeout: 240_000 }, async (ctx) => {
  const dir = project('copy', {
    'docker-bake.hcl': 'target "default" {\n  context = "."\n}\n',
    Dockerfile: 'FROM bake-test/busybox\nCOPY missing.txt /\n',
  });
  ctx.after(() => stopSession(dir));
  const t = terminal(['--on-error', '--progress', 'plain'], dir);
  const said = failedStepState
    ? /^error: default failed at a step that runs no process \(COPY, ADD …\), so there is no step state to open a shell in$/m
    : /^error: default failed, but the engine at .* sends no failed-step state with its errors/m;
  const screen = await t.waitFor(said, 180_000);
  assert.match(screen, /^ {3}2 \| >>> COPY missing\.txt \/$/m, 'the Dockerfile lines were printed');
  assert.equal(await t.exitCode(), 1);
});

const INVOKED = {
  'docker-bake.hcl': 'target "app" {\n  context = "."\n}\n',
  Dockerfile: `FROM bake-test/busybox\nWORKDIR /src\nENV PS1='INV# ' BAKE_MARK=${MARK}\nCOPY version .\nRUN echo built > built.txt\n`,
  version: 'one\n',
};

test('--invoke: the shell sees the build files; reload shows an edited source; rollback drops what the shell made', { timeout: 240_000 }, async (ctx) => {
  const dir = project('invoke', INVOKED);
  ctx.after(() => stopSession(dir));
  const t = terminal(['--invoke', 'app'], dir);
  await t.waitFor(/^INV#/m, 180_000);
  t.type('cat version built.txt; touch /src/made-here; ls /src | wc -l\r');
  await t.waitFor(/^3$/m);
  assert.ok((await t.lines()).includes('one'));

  t.type(MONITOR);
  await t.waitForLastLine('(bake)');
  t.type('rollback\r');
  // The new shell is drawn under the monitor: its banner there is the sign it started.
  await t.waitForVisible('a fresh shell', (v) => /^Enter 'help' for a list of built-in commands\.$/m.test(belowMonitor(v)) && /#$/.test(lastLine(v)));
  t.type('ls /src | wc -l; echo rolled=$?\r');
  await t.waitFor(/^rolled=0$/m);
  const rolled = await t.lines();
  assert.equal(rolled[rolled.lastIndexOf('rolled=0') - 1], '2', 'the file made in the container is gone');

  writeFileSync(join(dir, 'version'), 'two\n');
  t.type(MONITOR);
  await t.waitForLastLine('(bake)');
  t.type('reload\r');
  await t.waitFor(/^#\d+ \[\d\/\d\] COPY version \.$/m, 60_000);
  t.type('cat /src/version\r');
  await t.waitFor(/^two$/m, 60_000);
  t.type(MONITOR);
  await t.waitForLastLine('(bake)');
  t.type('stop\r');
  assert.equal(await t.exitCode(), 0);
  await assertNothingLeft();
});

const BROKEN = {
  'docker-bake.hcl': 'target "app" {\n  context = "."\n  target  = "final"\n}\n',
  Dockerfile: [
    'FROM bake-test/busybox AS final',
    'WORKDIR /work',
    `ENV PS1='BRK# ' BAKE_MARK=${MARK}`,
    'RUN echo one > one',
    'RUN echo two > two \\',
    '  && echo more >> two',
    'RUN echo three > three',
    '',
  ].join('\n'),
};

test('--break stops before a step with a shell in its input state; continue goes to the next break, then to the end', { timeout: 240_000 }, async (ctx) => {
  const dir = project('break', BROKEN);
  ctx.after(() => stopSession(dir));
  // Line 6 continues the step of line 5: the break is before that step.
  const t = terminal(['--break', 'Dockerfile:6', '--break', 'Dockerfile:7', 'app'], dir);
  await t.waitFor('bake: app stopped before the step at Dockerfile:5: its shell is in the state that step starts from; continue goes on', 180_000);
  await t.waitFor(/^BRK#/m);
  t.type('pwd; ls; echo listed\r');
  await t.waitFor(/^listed$/m);
  let lines = await t.lines();
  assert.deepEqual(lines.slice(lines.lastIndexOf('/work'), lines.lastIndexOf('listed')), ['/work', 'one'], 'the step of line 5 has not run: only one');

  t.type(MONITOR);
  await t.waitForLastLine('(bake)');
  t.type('failures\r');
  await t.waitFor('app: stopped before the step at Dockerfile:5 (--break), in the state it starts from');
  t.type('continue\r');
  await t.waitFor('bake: on to the next break: Dockerfile:7', 60_000);
  // Drawn under where the build stopped, which stays on the screen.
  const next = await t.waitForVisible('the next shell', (v) => lastLine(v) === 'BRK#', 60_000);
  assert.match(belowMonitor(next), /^bake: app stopped before the step at Dockerfile:7: its shell is in the state that step starts from; continue goes on$/m);
  t.type('cat two; ls three; echo listed-again\r');
  await t.waitFor(/^listed-again$/m);
  lines = await t.lines();
  assert.deepEqual(lines.slice(lines.lastIndexOf('two'), lines.lastIndexOf('listed-again')).slice(0, 2), ['two', 'more'], "line 5's step ran");
  assert.ok(
    lines.some((l) => /ls: three: No such file or directory/.test(l)),
    "line 7's step has not",
  );

  t.type(MONITOR);
  await t.waitForLastLine('(bake)');
  t.type('continue\r');
  await t.waitFor('bake: no break left: on to the end', 60_000);
  await t.waitFor(/bake: .*built.*; stop ends the session\./, 120_000);
  t.type('stop\r');
  assert.equal(await t.exitCode(), 0);
  await assertNothingLeft();
});

test('--break on a line with no step, or in a Dockerfile no target builds, is refused before any build, with the fix', async () => {
  const dir = project('break-refused', BROKEN);
  const blank = await runBake(['--break', 'Dockerfile:8', 'app'], { cwd: dir, env });
  assert.equal(blank.status, 2, blank.stderr);
  assert.match(blank.stderr, /^error: --break Dockerfile:8: line 8 is a comment or blank, not a step/m);
  const from = await runBake(['--break', 'Dockerfile:1', 'app'], { cwd: dir, env });
  assert.match(from.stderr, /^error: --break Dockerfile:1: line 1 is FROM which starts a stage/m);
  const other = await runBake(['--break', 'Other.Dockerfile:2', 'app'], { cwd: dir, env });
  assert.match(
    other.stderr,
    new RegExp(
      `^error: --break Other.Dockerfile:2: no target of this run builds from ${dir}/Other.Dockerfile\n {2}= fix: Break in one of their Dockerfiles: ${dir}/Dockerfile\\.`,
      'm',
    ),
  );
});

test(
  'a debug client killed with SIGKILL: bake dev attach from a new terminal redraws the same shell, and a third terminal takes it over',
  { timeout: 240_000 },
  async (ctx) => {
    const dir = project('killed', INVOKED);
    ctx.after(() => stopSession(dir));
    const first = terminal(['--invoke', 'app'], dir);
    const hint = await first.waitFor(/in session (\S+-debug)\./, 180_000);
    const session = /in session (\S+-debug)\./.exec(hint)?.[1] ?? '';
    await first.waitFor(/^INV#/m);
    first.type('KEPT=shell-state-kept; echo before-kill\r');
    await first.waitFor(/^before-kill$/m);
    first.kill('SIGKILL');
    await first.exitCode();

    const ls = await runBake(['dev', 'ls', '--format', 'json'], { cwd: dir, env });
    assert.equal(ls.status, 0, ls.stderr);
    assert.ok(
      (JSON.parse(ls.stdout) as { id: string }[]).some((s) => s.id === session),
      `dev ls lists ${session}: ${ls.stdout}`,
    );

    const second = terminal(['dev', 'attach', session], dir);
    const redrawn = await second.waitFor(/^before-kill$/m, 30_000);
    assert.match(redrawn, /INV# KEPT=shell-state-kept; echo before-kill/, 'the screen is redrawn');
    second.type('echo $KEPT\r');
    await second.waitFor(/^shell-state-kept$/m);

    // A third terminal takes the session over, as with dev sessions: the second is told who, and the shell is the same.
    const third = terminal(['dev', 'attach', session], dir);
    await third.waitFor(/^shell-state-kept$/m, 30_000);
    await second.waitFor(new RegExp(`bake: another terminal \\(bake dev attach, pid ${third.pid}\\) took over \\S+ \\(.*\\) in session ${session}\\.`));
    third.type('echo again=$KEPT\r');
    await third.waitFor(/^again=shell-state-kept$/m);
    third.type('\x01d');
    assert.equal(await third.exitCode(), 0);
    // Its keys went nowhere since: the monitor opens with Ctrl-a c, and attach takes the shell back.
    second.type('\x01c');
    await second.waitFor(`is another terminal's now (bake dev attach, pid ${third.pid}). Ctrl-a c takes it back; help lists commands.`);
    // The prompt comes after the banner: a Ctrl-a c typed before it would go back to the shell, as it should.
    await second.waitForLastLine('(bake)');
    second.type('attach app\r');
    await second.waitForLastLine('INV#');
    second.type(MONITOR);
    await second.waitForLastLine('(bake)');
    second.type('stop\r');
    assert.equal(await second.exitCode(), 0);
    const after = await runBake(['dev', 'ls', '--format', 'json'], { cwd: dir, env });
    assert.ok(!(JSON.parse(after.stdout) as { id: string }[]).some((s) => s.id === session), 'the session is gone');
    await assertNothingLeft();
  },
);

test('ls, cat and cp in the monitor reach a build result whose image has no shell (FROM scratch + one file)', { timeout: 240_000 }, async (ctx) => {
  const dir = project('bare', {
    'docker-bake.hcl': 'target "bare" {\n  context = "."\n}\n',
    Dockerfile: 'FROM scratch\nCOPY data.txt /data.txt\n',
    'data.txt': `static data ${MARK}\n`,
  });
  ctx.after(() => stopSession(dir));
  const t = terminal(['--invoke', 'bare'], dir);
  await t.waitFor(/in session \S+-debug\./, 180_000);
  // No shell to run: the process ends at once (or never starts) and the monitor is where the files are.
  t.type(MONITOR);
  await t.waitForLastLine('(bake)');
  t.type('ls /\r');
  await t.waitFor(/^-rw-r--r-- +\d+ +\S+ \S+ +data\.txt$/m);
  t.type('cat /data.txt\r');
  await t.waitFor(new RegExp(`^static data ${MARK}$`, 'm'));
  t.type('cp :/data.txt ./copied.txt\r');
  await t.waitFor(/^copied \/data\.txt \(\d+ B\) from the build result of bare to /m);
  assert.equal(readFileSync(join(dir, 'copied.txt'), 'utf8'), `static data ${MARK}\n`);
  t.type('stop\r');
  assert.equal(await t.exitCode(), 0);
});

test("a debug shell's history survives rollback and reload (bash, which keeps it in a file)", { timeout: 240_000 }, async (ctx) => {
  const bash = '/bin/bash-static';
  assert.ok(existsSync(bash), `${bash} is missing: the tests install Debian's bash-static (scripts/install-packages.sh tests)`);
  const dir = project('history', {
    'docker-bake.hcl': 'target "app" {\n  context = "."\n}\n',
    Dockerfile: `FROM bake-test/busybox\nCOPY bash /bin/bash\nSHELL ["/bin/bash", "-c"]\nENV PS1='HB$ ' BAKE_MARK=${MARK}\nCOPY version /version\n`,
    version: 'one\n',
  });
  copyFileSync(bash, join(dir, 'bash'));
  ctx.after(() => stopSession(dir));
  const t = terminal(['--invoke', 'app'], dir);
  await t.waitFor(/^HB\$/m, 180_000);
  t.type('echo remembered-$((6*7))\r');
  await t.waitFor(/^remembered-42$/m);
  /** In the fresh shell (drawn under the monitor), the up arrow recalls the last command, which runs again. */
  const recall = async (): Promise<void> => {
    await t.waitForVisible('a fresh shell', (v) => lastLine(v) === 'HB$', 60_000);
    t.type('\x1b[A\r');
    const screen = belowMonitor(await t.waitForVisible('the recalled command run', (v) => /^remembered-42$/m.test(belowMonitor(v))));
    assert.match(screen, /^HB\$ echo remembered-\$\(\(6\*7\)\)$/m, 'the recalled line is the command typed in the replaced shell');
  };
  t.type(MONITOR);
  await t.waitForLastLine('(bake)');
  t.type('rollback\r');
  await recall();
  t.type(MONITOR);
  await t.waitForLastLine('(bake)');
  t.type('reload\r');
  await recall();
  t.type(MONITOR);
  await t.waitForLastLine('(bake)');
  t.type('stop\r');
  assert.equal(await t.exitCode(), 0);
});
