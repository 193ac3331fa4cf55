// bench/debug: debugging a failed build, bake against `docker buildx debug`
// (Debian trixie's docker-buildx 0.13.1, from scripts/trixie-engine.sh), on
// the same Docker 26 engine, the same Dockerfile, in one run, each tool in a
// real PTY (node-pty), every figure from the PTY's side (the moment bytes
// reach the terminal). The Dockerfile: FROM the local busybox, PS1 set to
// PROMPT, two steps cached by a warm-up session, then `RUN echo STEP_END &&
// exit 1`. Per session (a new one each repetition, RUNS of them, the tools
// alternating which goes first):
//   failure → prompt: from the step's own output line (plain progress:
//     `#8 0.221 STEP-END-MARKER`; not the step's title nor the error summary,
//     which repeat the marker) to the debug shell's PROMPT;
//   reload → prompt: in the shell, Ctrl-a c opens the monitor, `reload` is
//     typed, and the time runs from its Enter to PROMPT again (buildx 0.13.1
//     rebuilds, the failing step fails again, a new shell starts and the
//     monitor switches the terminal to it by itself); the reload's own
//     failure → prompt is printed too;
//   exit: Ctrl-a c, `exit`, Enter, until the process ends (killed after
//     EXIT_GRACE_MS), then no process of the session may be left: the CLI, its
//     plugin or server, the debug shells (all carry RUN_VAR in their
//     environment: the clients from the PTY's environment, the shells from
//     the Dockerfile's ENV); whatever is left is reported and killed by pid.
// Context: spawn → prompt (the whole build with cached steps, then the shell),
// and the engine floor: a process starting in a build container through
// BuildKit's gateway (NewContainer + ExecProcess → first output), which both
// tools pay between a failed step and its shell; and the engine floor of a
// reload: the Dockerfile built again through the gateway on an open
// connection and session until the step fails, then that process start
// (reloadFloor). Bar: each of failure →
// prompt and reload → prompt ≤ 0.7× buildx's, medians; a bar below the
// floor is reported as FLOOR with both figures.
//
// bake's side runs when `bake --help` mentions --on-error (issue 13);
// BAKE_ARGS and BAKE_MONITOR_PROMPT below say how bake is driven. Needs
// `npm run build` (the floor uses bake's gateway client from build/). BAKE_BIN names another bake (default: this repo's bin/bake).
// The engine: the embedded one under XDG_STATE_HOME (default
// ~/.local/state/bake-bench-debug) with trixie's dockerd (BAKE_DOCKERD),
// started (and stopped at the end) if it does not answer.
//
// Options: --runs N (5).
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawn as spawnPty } from 'node-pty';
import { OutputWatch, trixieEngine } from './engine-helpers.mjs';

// bake's side: the command line (run in the context dir, which holds BAKE_FILE) and the monitor's prompt.
const BAKE_FILE = 'docker-bake.hcl';
const BAKE_TARGET = 'app';
const BAKE_ARGS = ['--on-error', '-f', BAKE_FILE, '--progress=plain', BAKE_TARGET];
const BAKE_MONITOR_PROMPT = '(bake) ';
// buildx's side.
const BUILDX_ARGS = ['buildx', 'debug', '--on=error', 'build', '--progress=plain', '.'];
const BUILDX_MONITOR_PROMPT = '(buildx) ';
// Both: the monitor's key (Ctrl-a c), its commands, and what the build prints.
const MONITOR_KEYS = '\x01c';
const STEP_END = 'STEP-END-MARKER';
const PROMPT = 'PROMPT-MARKER# ';
/** The failing step's own output line (`#8 0.221 STEP-END-MARKER`, bake may prefix `[app] `): not its title `RUN echo …` nor the error's excerpt. */
const STEP_END_LINE = new RegExp(`#\\d+ \\d+\\.\\d+ ${STEP_END}`);
/** The shell's prompt; not the `PS1='…'` of an ENV line should a tool print the Dockerfile's. */
const PROMPT_RE = new RegExp(`(?<!')${PROMPT}`);
const EXIT_GRACE_MS = 10_000;
const BAR = 0.7;

const { values: opts } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(opts.runs);

const root = new URL('..', import.meta.url).pathname;
const bake = process.env.BAKE_BIN || join(root, 'bin', 'bake');
const log = (line) => process.stderr.write(`${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// The peers and the engine: Debian trixie's Docker 26, docker CLI and buildx.
const { trixie, engineEnv, status, stop: stopEngine } = trixieEngine(bake, 'bake-bench-debug');
const docker = join(trixie, 'usr', 'bin', 'docker');
const buildx = join(trixie, 'usr', 'libexec', 'docker', 'cli-plugins', 'docker-buildx');
const DOCKER_HOST = status.address;

// Whatever this run starts carries RUN_VAR=RUN_ID… in its environment: that is how leftovers are found.
const RUN_VAR = 'BAKE_BENCH_DEBUG_RUN';
const RUN_ID = randomBytes(6).toString('hex');
const work = mkdtempSync(join(tmpdir(), 'bake-bench-debug-'));
const context = join(work, 'ctx');
mkdirSync(context);
writeFileSync(
  join(context, 'Dockerfile'),
  [
    'FROM bake-test/busybox',
    `ENV ${RUN_VAR}=${RUN_ID}-container`,
    `ENV PS1='${PROMPT}'`,
    'RUN echo one > /one',
    'RUN echo two > /two',
    `RUN echo ${STEP_END} && exit 1`,
    '',
  ].join('\n'),
);
writeFileSync(join(context, BAKE_FILE), `target "${BAKE_TARGET}" {\n  context = "."\n}\n`);
// Debian's docker CLI finds the plugin in $DOCKER_CONFIG/cli-plugins; a fresh config means the engine's default builder.
const dockerConfig = join(work, 'docker-config');
mkdirSync(join(dockerConfig, 'cli-plugins'), { recursive: true });
symlinkSync(buildx, join(dockerConfig, 'cli-plugins', 'docker-buildx'));
const runtimeDir = join(work, 'run');
mkdirSync(runtimeDir, { mode: 0o700 });

const base = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm-256color', DOCKER_HOST };
const tools = {
  buildx: {
    file: docker,
    args: BUILDX_ARGS,
    env: { ...base, DOCKER_CONFIG: dockerConfig, BUILDX_EXPERIMENTAL: '1', [RUN_VAR]: `${RUN_ID}-buildx` },
    monitor: new RegExp(escapeRe(BUILDX_MONITOR_PROMPT)),
  },
  bake: {
    file: bake,
    args: BAKE_ARGS,
    env: { ...base, XDG_STATE_HOME: engineEnv.XDG_STATE_HOME, XDG_RUNTIME_DIR: runtimeDir, [RUN_VAR]: `${RUN_ID}-bake` },
    monitor: new RegExp(escapeRe(BAKE_MONITOR_PROMPT)),
  },
};
const bakeHelp = spawnSync(bake, ['--help'], { env: tools.bake.env, encoding: 'utf8' });
const bakeReady = `${bakeHelp.stdout}${bakeHelp.stderr}`.includes('--on-error');
if (!bakeReady) log('bake side skipped: bake has no --on-error yet');

/** The processes of this run still alive (RUN_VAR in their environment), as { pid, cmd }. */
function ours() {
  const found = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`${RUN_VAR}=${RUN_ID}`)) continue;
      found.push({ pid: Number(pid), cmd: readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim() });
    } catch {
      // Gone meanwhile, or a kernel thread.
    }
  }
  return found;
}

/** Waits up to `ms` for this run's processes to end; kills what is left by pid and returns it. */
async function leftovers(ms) {
  const deadline = performance.now() + ms;
  let left = ours();
  while (left.length && performance.now() < deadline) {
    await sleep(100);
    left = ours();
  }
  for (const { pid } of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return left;
}

/**
 * One debug session of `tool` in a PTY: failure → prompt, reload → prompt, exit. Returns its figures (ms)
 * and what it found: how it exited, and the processes it left.
 */
async function session(name) {
  const tool = tools[name];
  const watch = new OutputWatch();
  const spawned = performance.now();
  const pty = spawnPty(tool.file, tool.args, { name: 'xterm-256color', cols: 120, rows: 30, cwd: context, env: tool.env });
  pty.onData((d) => watch.feed(d));
  let exitCode;
  const exited = new Promise((resolve) => pty.onExit(({ exitCode: code, signal }) => resolve((exitCode = signal ? `signal ${signal}` : code))));
  const fig = {};
  let killed = false;
  try {
    // The failure, then the debug shell.
    const failed = await watch.until(STEP_END_LINE, 0, 180_000);
    const prompt = await watch.until(PROMPT_RE, failed.end, 60_000);
    fig.spawn = prompt.at - spawned;
    fig.failure = prompt.at - failed.at;

    // The monitor, `reload`, Enter: the rebuild fails again and the shell comes back.
    await monitor(tool, watch, pty);
    let from = watch.mark;
    pty.write('reload');
    await watch.until(/reload/, from, 5_000).catch(() => undefined); // its echo, if the monitor echoes keys
    from = watch.mark;
    const enter = performance.now();
    pty.write('\r');
    const refailed = await watch.until(STEP_END_LINE, from, 180_000);
    const reprompt = await watch.until(PROMPT_RE, refailed.end, 60_000);
    fig.reload = reprompt.at - enter;
    fig.reloadFailure = reprompt.at - refailed.at;

    // The monitor's `exit`.
    await monitor(tool, watch, pty);
    const typed = performance.now();
    pty.write('exit\r');
    const end = await Promise.race([exited, sleep(EXIT_GRACE_MS).then(() => 'timeout')]);
    if (end === 'timeout') {
      killed = true;
      pty.kill('SIGKILL');
      await exited;
    } else fig.exit = performance.now() - typed;
  } catch (e) {
    pty.kill('SIGKILL');
    await exited;
    const left = await leftovers(5_000);
    throw new Error(`${name}: ${e.message}${left.length ? `\n(killed what it left: ${left.map((p) => `${p.pid} ${p.cmd}`).join('; ')})` : ''}`, { cause: e });
  }
  const left = await leftovers(5_000);
  return { fig, exitCode, killed, left, text: watch.text };
}

/** Ctrl-a c, until the monitor's prompt shows. */
async function monitor(tool, watch, pty) {
  const from = watch.mark;
  pty.write(MONITOR_KEYS);
  await watch.until(tool.monitor, from, 10_000);
}

/**
 * The engine's own floor for this scenario: a process starting in a build
 * container through BuildKit's gateway (NewContainer on a result, then
 * ExecProcess with a TTY, until its first output), measured with bake's
 * gateway client (build/) on a held build of the base image. Both tools
 * pay it between a failed step and a prompt.
 */
async function gatewayFloor(runs) {
  const { gatewayClient, newBuildkitId, control, close } = await connectEngine();
  const signal = AbortSignal.timeout(120_000);
  const ref = newBuildkitId();
  const held = control.solve({ Ref: ref, Frontend: '' }, signal).catch(() => undefined);
  const gateway = gatewayClient(control.channel(), ref);
  const times = [];
  try {
    const { ref: image } = await gateway.solve({ Definition: imageDefinition('docker.io/bake-test/busybox:latest') }, signal);
    // The first start unpacks the image's snapshot, which a debug shell finds done (its step ran there): not counted.
    for (let i = -1; i < runs; i++) {
      const id = `floor${i + 1}t${Date.now()}`;
      const t0 = performance.now();
      await gateway.newContainer(id, [{ dest: '/', resultID: image }], signal);
      const p = gateway.exec(id, `p${i}`, { args: ['/bin/sh', '-c', 'echo up'], env: ['PATH=/bin'], cwd: '/' }, { columns: 80, rows: 24 }, signal);
      await new Promise((resolve) => p.once('output', resolve));
      if (i >= 0) times.push(performance.now() - t0);
      await p.exited;
      await gateway.releaseContainer(id, signal);
    }
  } finally {
    await gateway.return({ error: 'floor measured' }, signal).catch(() => undefined);
    await held;
    await close();
  }
  return times;
}

/**
 * The engine's own floor for a reload: on a connection and a build session
 * that are already open (the context already sent once), a build of the
 * same Dockerfile through the gateway (dockerfile.v0) until its step fails
 * again, then NewContainer on the failed step's state and a process with a
 * TTY until its first output. Every reload pays it, whatever the client:
 * the failed step runs again (a failure is never cached) and the shell
 * starts. The build is returned before the next (untimed), as a reload
 * must: BuildKit shares a step among the builds that hold it.
 */
async function reloadFloor(runs) {
  const { gatewayClient, newBuildkitId, createSession, decodeDetails, control, close } = await connectEngine();
  const signal = AbortSignal.timeout(120_000);
  const dirs = new Map([
    ['context', { path: context }],
    ['dockerfile', { path: context }],
  ]);
  const session = createSession({ name: 'reload-floor', sharedKey: 'bench-debug-reload-floor', dirs });
  const stream = await control.session(session.metadata(), signal);
  session.serve(stream);
  const times = [];
  try {
    // The first build sends the context, which a reload finds sent: not counted.
    for (let i = -1; i < runs; i++) {
      const ref = newBuildkitId();
      const held = control.solve({ Ref: ref, Frontend: '', Session: session.id }, signal).catch(() => undefined);
      const gateway = gatewayClient(control.channel(), ref);
      const id = `reloadfloor${i + 1}t${Date.now()}`;
      const t0 = performance.now();
      const failed = await gateway.solve({ Frontend: 'dockerfile.v0', FrontendOpt: { filename: 'Dockerfile' } }, signal).then(
        () => undefined,
        (e) => e,
      );
      const raw = failed?.metadata?.get('grpc-status-details-bin')[0];
      const step = raw && decodeDetails(raw).failedStep;
      if (!step) throw new Error(`reload floor: the build did not fail with a step state (${failed?.details ?? 'it built'})`);
      const mounts = step.mounts.flatMap((m, j) => (step.mountIDs[j] ? [{ dest: m.dest, resultID: step.mountIDs[j] }] : []));
      await gateway.newContainer(id, mounts, signal);
      const p = gateway.exec(id, 'shell', { args: ['/bin/sh', '-c', 'echo up'], env: ['PATH=/bin'], cwd: '/' }, { columns: 80, rows: 24 }, signal);
      await new Promise((resolve) => p.once('output', resolve));
      if (i >= 0) times.push(performance.now() - t0);
      await p.exited;
      await gateway.releaseContainer(id, signal);
      await gateway.return({ error: 'floor measured' }, signal).catch(() => undefined);
      await held;
    }
  } finally {
    stream.end();
    await session.close();
    await close();
  }
  return times;
}

/** The engine through bake's own BuildKit client (build/), which the floors are measured with: its modules, a Control client and `close`. */
async function connectEngine() {
  const lib = (path) => import(new URL(`../build/src/buildkit/${path}`, import.meta.url).href);
  const modules = Object.assign({}, ...(await Promise.all(['dial', 'control', 'gateway', 'identity', 'session/index', 'status'].map((m) => lib(`${m}.js`)))));
  const dialed = await modules.dial(undefined, { DOCKER_HOST });
  const control = modules.controlClient(dialed);
  const close = async () => {
    control.close();
    await dialed.close();
  };
  return { ...modules, control, close };
}

/** The two-op LLB Definition of an image (Op{source: SourceOp{identifier}} and the terminal op), encoded by hand. */
function imageDefinition(image) {
  const varint = (v) => {
    const out = [];
    for (; v >= 0x80; v >>>= 7) out.push((v & 0x7f) | 0x80);
    out.push(v);
    return Buffer.from(out);
  };
  const field = (n, payload) => Buffer.concat([varint((n << 3) | 2), varint(payload.length), payload]);
  const source = field(3, field(1, Buffer.from(`docker-image://${image}`)));
  const digest = `sha256:${createHash('sha256').update(source).digest('hex')}`;
  const terminal = field(1, field(1, Buffer.from(digest)));
  return { def: [source, terminal], metadata: { [digest]: { caps: { 'source.image': true } } } };
}

const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
const KEYS = ['spawn', 'failure', 'reload', 'reloadFailure', 'exit'];
const samples = Object.fromEntries(Object.keys(tools).map((t) => [t, Object.fromEntries(KEYS.map((k) => [k, []]))]));
const notes = { buildx: new Set(), bake: new Set() };
const floor = [];
const reloadFloors = [];
const names = Object.keys(tools).filter((t) => t === 'buildx' || bakeReady);

try {
  // Warm-up (not counted): the cached steps, the page cache, the tools' first start.
  for (const name of names) {
    const w = await session(name);
    log(`warm-up ${name}: failure → prompt ${w.fig.failure.toFixed(0)} ms, exit ${w.exitCode}${w.killed ? ' (killed)' : ''}`);
  }
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 ? [...names].reverse() : names;
    for (const name of order) {
      const { fig, exitCode, killed, left } = await session(name);
      for (const k of KEYS) if (fig[k] !== undefined) samples[name][k].push(fig[k]);
      notes[name].add(killed ? `did not exit within ${EXIT_GRACE_MS} ms of the monitor's exit: killed` : `monitor exit: the process exited ${exitCode}`);
      if (left.length) notes[name].add(`left ${left.length} process(es) after exiting, killed: ${left.map((p) => p.cmd).join('; ')}`);
      log(
        `run ${i + 1}/${RUNS} ${name.padEnd(6)} spawn → prompt ${fig.spawn.toFixed(0)} ms, failure → prompt ${fig.failure.toFixed(0)} ms, reload → prompt ${fig.reload.toFixed(0)} ms (its failure → prompt ${fig.reloadFailure.toFixed(0)} ms), exit ${killed ? 'killed' : `${exitCode} in ${fig.exit.toFixed(0)} ms`}${left.length ? `, ${left.length} left` : ''}`,
      );
    }
    floor.push(...(await gatewayFloor(3)));
    reloadFloors.push(...(await reloadFloor(3)));
    const last3 = (xs) =>
      xs
        .slice(-3)
        .map((x) => x.toFixed(0))
        .join(', ');
    log(`run ${i + 1}/${RUNS} engine floor: a process in a build container ${last3(floor)} ms; a reload ${last3(reloadFloors)} ms`);
  }
} finally {
  // bake's server, should its --on-error have started one under this run's XDG_RUNTIME_DIR.
  if (bakeReady) spawnSync(bake, ['server', 'stop'], { env: tools.bake.env, stdio: 'ignore' });
  const left = await leftovers(2_000);
  if (left.length) log(`killed ${left.length} process(es) left at the end: ${left.map((p) => `${p.pid} ${p.cmd}`).join('; ')}`);
  rmSync(work, { recursive: true, force: true });
  stopEngine();
}

const ms = (x) => (Number.isNaN(x) ? '–' : `${x.toFixed(0)} ms`);
const m = (name, k) => median(samples[name][k]);
console.log(
  `build debugging on Docker ${status.version} (embedded, trixie's dockerd): bake${bakeReady ? '' : ' (skipped: no --on-error yet)'} against docker buildx debug 0.13.1 (Debian trixie); median of ${RUNS} sessions each, from the PTY's side`,
);
const engineFloor = median(floor);
console.log(`engine floor: a process starting in a build container through the gateway (NewContainer + ExecProcess → first output): ${ms(engineFloor)}`);
const engineReloadFloor = median(reloadFloors);
console.log(
  `engine floor of a reload: on an open connection and session, the Dockerfile's build through the gateway until the step fails again, then the shell's first output: ${ms(engineReloadFloor)}`,
);
const rows = [
  ['failure → prompt', 'failure', true],
  ['reload → prompt', 'reload', true],
  ["  reload's failure → prompt", 'reloadFailure', false],
  ['spawn → prompt (cached steps)', 'spawn', false],
  ["monitor's exit → process ends", 'exit', false],
];
console.log(`${'scenario'.padEnd(32)} ${'bake'.padStart(8)} ${'buildx'.padStart(8)} ${'bake/buildx'.padStart(11)}  bar (≤ ${BAR}× buildx)`);
const bars = [];
for (const [label, k, barred] of rows) {
  const [b, x] = [m('bake', k), m('buildx', k)];
  const r = b / x;
  const verdict = !barred ? '' : !bakeReady ? 'not measured' : r <= BAR ? 'met' : 'NOT met';
  if (barred) bars.push([label, r, verdict]);
  console.log(`${label.padEnd(32)} ${ms(b).padStart(8)} ${ms(x).padStart(8)} ${(Number.isNaN(r) ? '–' : `${r.toFixed(2)}x`).padStart(11)}  ${verdict}`);
}
for (const name of names) for (const n of notes[name]) console.log(`${name}: ${n}`);
console.log('');
for (const [label, r, verdict] of bars) {
  if (!bakeReady) console.log(`SKIP  ${label} ≤ ${BAR}× buildx: bake has no --on-error yet`);
  else {
    // A bar below what the engine itself takes cannot be met by any client: said with the floor, measured in this run.
    // After a failure the engine starts one process (the shell); a reload builds again until the step fails
    // (a failure is never cached) and then starts the shell.
    const key = label === 'failure → prompt' ? 'failure' : 'reload';
    const floorOf = key === 'failure' ? engineFloor : engineReloadFloor;
    // A floor the peer itself beats was not measured as a floor: then the bar stands.
    const belowFloor = BAR * m('buildx', key) < floorOf && m('buildx', key) >= floorOf;
    const why =
      verdict !== 'met' && belowFloor
        ? ` (the bar, ${ms(BAR * m('buildx', key))}, lies below the engine's floor of ${ms(floorOf)}: ${key === 'failure' ? 'one process start, the shell' : 'the build again until its step fails, and the shell'})`
        : '';
    console.log(`${verdict === 'met' ? 'PASS' : belowFloor ? 'FLOOR' : 'FAIL'}  ${label} ≤ ${BAR}× buildx: ${r.toFixed(2)}x${why}`);
    if (verdict !== 'met' && !belowFloor) process.exitCode = 1;
  }
}
