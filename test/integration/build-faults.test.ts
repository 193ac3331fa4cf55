/**
 * Faults and load around `bake` builds (issue 14, "Faults and load"), through
 * bin/bake against the real engine: kill -9 of the client mid-build, a
 * 50,000-file context, files deleted mid-transfer, five concurrent runs on
 * one context, and a full state dir. Each says what it tried and what held.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bake, runBake, type Run } from '../support/bake-cli.js';
import { engineRequest } from '../support/busybox-image.js';
import { requireBuildEngine } from '../support/engine.js';

const nonce = randomBytes(4).toString('hex');
const tag = (name: string): string => `bake-test/faults-${name}-${nonce}:dev`;
/** A sleep no other process on the machine runs: the RUN step of the killed build, found in /proc. */
const SLEEP = String(3000 + (parseInt(nonce, 16) % 5000));
const DIRS = 100;
const FILES_PER_DIR = 500;
/** Big files of the moving context: more than the session's four senders, so some are still waiting when the first four are open. */
const BIG = 8;
const BIG_BYTES = 16 << 20;
const RUNS = 5;
let socketPath = '';
let project = '';
const images: string[] = [];

const run = (args: string[], env: Record<string, string> = {}): Promise<Run> => runBake(args, { cwd: project, socketPath, env, timeoutMs: 240_000 });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What no message to a user may hold: a crash report or a raw stack. */
function assertNoCrash(r: Run): void {
  assert.doesNotMatch(r.stderr, /This is a bug in bake|\n\s+at .+:\d+:\d+\)?\n/, r.stderr);
}

/** What the build's RUN steps printed, from the plain progress (`#N 0.123 text`). */
const runOutput = (r: Run): string[] => [...r.stderr.matchAll(/^#\d+ \d+\.\d+ (.*)$/gm)].map((m) => m[1] as string);

/** Pids whose command line is `sleep SLEEP`: the killed build's RUN step, wherever the engine runs it. */
function sleepers(): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `sleep\0${SLEEP}\0`) found.push(Number(pid));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** The proxy dirs (buildkit/dial.ts) a bake with this pid made. */
const proxyDirsOf = (pid: number): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith(`bake-grpc-${pid}-`));

/** The files of the moving context that bake with this pid holds open. */
function openFiles(pid: number, dir: string): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return '';
        }
      })
      .filter((p) => p.startsWith(`${dir}/`))
      .map((p) => p.slice(dir.length + 1));
  } catch {
    return [];
  }
}

/** The moving context afresh: new files (new mtimes), so the daemon requests every one again. */
function freshMovingContext(): string {
  const dir = join(project, 'moving');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  // Dockerfile sorts before big*, zzz.txt after: its request waits behind the big files.
  writeFileSync(join(dir, 'Dockerfile'), 'FROM bake-test/busybox\nCOPY . /ctx\nRUN cd /ctx && wc -c big* zzz.txt\n');
  for (let i = 1; i <= BIG; i++) {
    // Sparse: quick to make, BIG_BYTES each to send.
    const fd = openSync(join(dir, `big${i}.bin`), 'w');
    closeSync(fd);
    execFileSync('truncate', ['-s', String(BIG_BYTES), join(dir, `big${i}.bin`)]);
  }
  writeFileSync(join(dir, 'zzz.txt'), `${nonce}\n`);
  return dir;
}

/**
 * Runs `bake moving` and, once it holds four big files open (so every file's
 * STAT went out and the rest wait for a sender), removes what `pick` picks.
 */
async function buildWhileRemoving(pick: (open: string[], all: string[]) => string[]): Promise<{ r: Run; removed: string[] }> {
  const dir = freshMovingContext();
  const all = readdirSync(dir);
  const started = performance.now();
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', DOCKER_HOST: `unix://${socketPath}` };
  const child = spawn(bake, ['moving', '--progress=plain'], { cwd: project, env, timeout: 240_000, killSignal: 'SIGKILL' });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  let exited = false;
  void closed.then(() => (exited = true));
  let removed: string[] = [];
  while (!exited) {
    const open = openFiles(child.pid ?? 0, dir).filter((f) => f.startsWith('big'));
    if (open.length >= 4) {
      removed = pick(open, all);
      for (const f of removed) rmSync(join(dir, f));
      break;
    }
    await sleep(5);
  }
  const status = await closed;
  return { r: { status, stdout, stderr, ms: performance.now() - started }, removed };
}

before(async () => {
  socketPath = await requireBuildEngine();
  project = mkdtempSync(join(tmpdir(), 'bake-faults-'));
  const target = (name: string, extra = ''): string => `target "${name}" {\n  context = "${name}"\n  tags = ["${tag(name)}"]\n  network = "none"\n${extra}}\n`;
  writeFileSync(
    join(project, 'docker-bake.hcl'),
    target('big') + target('moving') + target('slow', '  no-cache = true\n') + target('shared', '  args = { N = "0" }\n'),
  );
  images.push(tag('big'), tag('moving'), tag('slow'), tag('shared'), ...Array.from({ length: RUNS }, (_, i) => tag(`shared${i}`)));
  // On a tmpfs of its own: on a busy machine, removing 50,000 files from a disk takes minutes, unmounting no time.
  mkdirSync(join(project, 'big'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256m', 'tmpfs', join(project, 'big')]);
  for (let d = 0; d < DIRS; d++) {
    const dir = join(project, 'big', `d${String(d).padStart(3, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES_PER_DIR; f++) writeFileSync(join(dir, `f${String(f).padStart(4, '0')}.txt`), `${d}-${f}-${nonce}\n`);
  }
  writeFileSync(
    join(project, 'big', 'Dockerfile'),
    'FROM bake-test/busybox\nRUN --mount=type=bind,target=/ctx echo "files=$(find /ctx -type f -name "f*.txt" | wc -l) last=$(cat /ctx/d099/f0499.txt)"\n',
  );
  mkdirSync(join(project, 'slow'));
  writeFileSync(join(project, 'slow', 'Dockerfile'), `FROM bake-test/busybox\nRUN echo started-${nonce} && sleep ${SLEEP}\n`);
  mkdirSync(join(project, 'shared'));
  writeFileSync(
    join(project, 'shared', 'Dockerfile'),
    'FROM bake-test/busybox\nCOPY . /ctx\nARG N\nRUN echo "n=$N sum=$(md5sum /ctx/data.bin | cut -d" " -f1)"\n',
  );
  writeFileSync(join(project, 'shared', 'data.bin'), randomBytes(2 << 20));
});

after(async () => {
  for (const image of images) await engineRequest(socketPath, 'DELETE', `/images/${image}?force=1`).catch(() => undefined);
  if (!project) return;
  execFileSync('umount', [join(project, 'big')]);
  rmSync(project, { recursive: true, force: true });
});

test('kill -9 of bake mid-build: its RUN step ends in the engine, no container is left, and the next run cleans its socket dir and builds', async () => {
  const containersBefore = (await engineRequest(socketPath, 'GET', '/containers/json?all=1')).body;
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', DOCKER_HOST: `unix://${socketPath}` };
  const child = spawn(bake, ['slow', '--progress=plain'], { cwd: project, env });
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise((resolve) => child.on('close', resolve));
  for (let i = 0; i < 1200 && !(output.includes(`started-${nonce}`) && sleepers().length); i++) await sleep(50);
  assert.equal(sleepers().length, 1, `the RUN step runs (sleep ${SLEEP}):\n${output}`);
  const pid = child.pid ?? 0;
  child.kill('SIGKILL');
  await exited;
  const killedAt = performance.now();
  while (sleepers().length && performance.now() - killedAt < 20_000) await sleep(100);
  const endedMs = performance.now() - killedAt;
  assert.deepEqual(sleepers(), [], 'the RUN step of the killed build ended');
  assert.equal(proxyDirsOf(pid).length, 1, 'kill -9 runs no cleanup: its proxy socket dir is there until the next run');
  const containersAfter = (await engineRequest(socketPath, 'GET', '/containers/json?all=1')).body;
  assert.deepEqual(JSON.parse(containersAfter), JSON.parse(containersBefore), 'no container made or left');

  const next = await run(['shared', '--progress=plain', '--set', 'shared.args.N=after-kill']);
  assert.equal(next.status, 0, next.stderr);
  assert.deepEqual(proxyDirsOf(pid), [], 'the next run removed the dead one');
  console.log(`# kill -9 mid-RUN: the step ended ${(endedMs / 1000).toFixed(1)} s after; 0 containers, 0 processes, 0 socket dirs left`);
});

test(`a ${(DIRS * FILES_PER_DIR).toLocaleString('en')}-file context goes over whole: a RUN step sees every file`, async () => {
  const r = await run(['big', '--progress=plain']);
  assert.equal(r.status, 0, r.stderr.slice(-3000));
  assertNoCrash(r);
  assert.deepEqual(runOutput(r), [`files=${DIRS * FILES_PER_DIR} last=99-499-${nonce}`]);
  console.log(`# ${DIRS * FILES_PER_DIR} files: ${(r.ms / 1000).toFixed(1)} s, ${/\nsent context: .*/.exec(r.stderr)?.[0].trim()}`);
});

test('files removed mid-transfer: one removed after its STAT, before its data, fails the build with a sentence naming it', async () => {
  // Every file not open at that moment: at least four big ones wait for a sender, so one of them is requested after it is gone.
  const { r, removed } = await buildWhileRemoving((open, all) => all.filter((f) => f !== 'Dockerfile' && !open.includes(f)));
  assert.ok(removed.length >= 1, `files were removed mid-transfer:\n${r.stderr}`);
  assert.equal(r.status, 1, r.stderr);
  assertNoCrash(r);
  const named = new RegExp(
    `error: failed to build moving: (${removed.join('|').replace(/\./g, '\\.')}) was removed from the build context ${project}/moving while bake was sending it; build again once the context stops changing\\.`,
  );
  assert.match(r.stderr, named);
  console.log(`# removed ${removed.join(', ')} mid-transfer: exit 1 in ${(r.ms / 1000).toFixed(1)} s, ${/error: .*/.exec(r.stderr)?.[0]}`);
});

test('files removed while bake reads them: the build succeeds with their content as it was read', async () => {
  const { r, removed } = await buildWhileRemoving((open) => open);
  assert.equal(removed.length, 4, r.stderr);
  assert.equal(r.status, 0, r.stderr);
  assertNoCrash(r);
  const sizes = runOutput(r).map((l) => l.trim().split(/\s+/).join(' '));
  assert.deepEqual(sizes, [...Array.from({ length: BIG }, (_, i) => `${BIG_BYTES} big${i + 1}.bin`), `9 zzz.txt`, `${BIG * BIG_BYTES + 9} total`]);
  console.log(`# removed ${removed.join(', ')} while open: exit 0 in ${(r.ms / 1000).toFixed(1)} s, all ${BIG} in the image whole`);
});

test(`${RUNS} concurrent bake runs on one context: each builds its own image from the same files, and no run leaves anything behind`, async () => {
  const state = join(project, 'state');
  const runs = await Promise.all(
    Array.from({ length: RUNS }, (_, i) =>
      run(['shared', '--progress=plain', '--set', `shared.args.N=${i}`, '--set', `shared.tags=${tag(`shared${i}`)}`], { XDG_STATE_HOME: state }),
    ),
  );
  for (const [i, r] of runs.entries()) {
    assert.equal(r.status, 0, `run ${i}:\n${r.stderr.slice(-3000)}`);
    assertNoCrash(r);
  }
  const sum = createHash('md5')
    .update(readFileSync(join(project, 'shared', 'data.bin')))
    .digest('hex');
  for (const [i, r] of runs.entries()) {
    assert.deepEqual(runOutput(r), [`n=${i} sum=${sum}`], `run ${i} built with its own argument, from the whole context`);
    assert.equal((await engineRequest(socketPath, 'GET', `/images/${tag(`shared${i}`)}/json`)).status, 200, tag(`shared${i}`));
  }
  // Build avoidance's records: whole, one per run's target and arguments; no partial file of a run left.
  const records = readdirSync(join(state, 'bake', 'up-to-date'));
  assert.ok(
    records.every((f) => /^[0-9a-f]{32}\.json$/.test(f)),
    records.join(' '),
  );
  for (const f of records) JSON.parse(readFileSync(join(state, 'bake', 'up-to-date', f), 'utf8'));
  console.log(`# ${RUNS} concurrent runs: ${runs.map((r) => (r.ms / 1000).toFixed(1)).join(', ')} s; ${records.length} records, 0 partial`);
});

test('a full state dir: the build succeeds, a warning says build avoidance could not record it and where to free space, and no partial record is left', async () => {
  const full = join(project, 'full-state');
  mkdirSync(full);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full]);
  try {
    writeFileSync(join(full, 'filler'), Buffer.alloc(64 << 10));
    const r = await run(['shared', '--progress=plain'], { XDG_STATE_HOME: full });
    assert.equal(r.status, 0, r.stderr);
    assertNoCrash(r);
    assert.match(
      r.stderr,
      new RegExp(
        `WARNING: bake could not record that shared is built \\(ENOSPC: no space left on device, write\\), so the next run builds it again; free space in ${full}/bake/up-to-date or set XDG_STATE_HOME to a directory with room`,
      ),
    );
    assert.deepEqual(readdirSync(join(full, 'bake', 'up-to-date')), [], 'no partial record');
    console.log(`# full state dir: exit 0 with the warning, 0 files left`);
  } finally {
    execFileSync('umount', [full]);
  }
});
