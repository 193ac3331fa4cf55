// bench/dev: `bake dev` as a user meets it (issue 5, Bench), with the image
// cached and the server running, every figure from the PTY's side (the moment
// bytes reach the terminal):
//   prompt: spawning `bake dev` in a PTY until the shell prompt `/ # ` shows
//     (median of RUNS): the session running (the main figure: the next
//     `bake dev` of the day), and cold (`bake dev stop` before each run);
//   attach: spawning `bake dev attach SESSION` until the prompt shows;
//   echo: one key typed into the attached PTY until its echo comes back
//     (client → server → container and back), p50/p95 over KEYS keys, against
//     the same measure over a direct Engine API exec (a TTY `/bin/sh` in the
//     same container, hijacked by bake's own engine client), in blocks that
//     alternate between the two so drift hits both alike;
//   server RSS (`bake server status`): idle with one session, with 3.
//   vs docker compose 2.26.1 (Debian trixie's, run through trixie's docker
//   CLI, as `docker compose`), the same services (bench/dev-compose.yaml,
//   read by both), interleaved, median of PEER_RUNS: `bake dev --detach`
//   cold (no server, no session), warm (server running, session stopped)
//   and already running, each against `docker compose up -d --wait` (down
//   before, or already up); `bake dev stop` against `compose down -t 0`;
//   `bake dev ls` against `compose ps`; and the echo of `docker exec -it`
//   (the docker CLI in a PTY) beside bake's and the direct exec.
// Bars: prompt (session running) ≤ 1.0 s median; echo p95 ≤ direct p95 + 5 ms;
// issue 15: dev --detach cold, warm and running ≤ 0.8× compose up; stop ≤
// 0.8× compose down -t 0; dev ls ≤ 0.5× compose ps (beside them, `node -e 0`: the floor
// of any bake command, and under stop also the engine's own removal of the same
// container and network, asked directly); echo p50 ≤ docker exec -it p50 + 1 ms.
//
// The server is a private one (its own XDG_RUNTIME_DIR): what it creates
// carries its socket as the owner label, which is how leftovers are found.
// The embedded engine is started (and stopped at the end) if none answers,
// as the other benches do.
//
// Options: --runs N (10), --keys N (200), --peer-runs N (5).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawn as spawnPty } from 'node-pty';
import { DockerEngine } from '../build/src/docker/engine-api.js';
import { parseEngineAddress } from '../build/src/docker/endpoint.js';
import { LABEL } from '../build/src/dev/labels.js';
import { embeddedEngine, OutputWatch } from './engine-helpers.mjs';

const { values: opts } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, keys: { type: 'string', default: '200' }, 'peer-runs': { type: 'string', default: '5' } },
});
const RUNS = Number(opts.runs);
const KEYS = Number(opts.keys);
const PEER_RUNS = Number(opts['peer-runs']);
/** Keys per typed line: then Enter on a `#` comment line, so the line never wraps and the shell runs nothing. */
const LINE = 20;
const PROMPT = /\/ # /;
/** A fresh prompt at the end of the output; BusyBox's ash may follow it with `ESC[6n` (where is the cursor?), which no one answers here. */
const PROMPT_LAST = /\/ # (?:\x1b\[[0-9;?]*[A-Za-z])*$/;

const root = new URL('..', import.meta.url).pathname;
const bake = join(root, 'bin', 'bake');
const { env: engineEnv, startedHere, status } = embeddedEngine(bake, root);

const work = mkdtempSync(join(tmpdir(), 'bake-bench-dev-'));
const address = status.address;
const engine = new DockerEngine(parseEngineAddress(address));
const env = { ...engineEnv, DOCKER_HOST: address, XDG_RUNTIME_DIR: join(work, 'run'), BAKE_SERVER_GRACE_SECONDS: '600' };
const ownerLabels = { [LABEL.owner]: join(env.XDG_RUNTIME_DIR, 'bake', 'server.sock') };
const ours = { label: Object.entries(ownerLabels).map(([k, v]) => `${k}=${v}`) };
mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });
const projects = ['app', 'two', 'three'].map((name) => {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'docker-bake.hcl'), 'service "dev" {\n  image = "busybox:latest"\n  interactive = true\n  shell = ["/bin/sh"]\n}\n');
  return dir;
});
const [app] = projects;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The peer: Debian trixie's docker CLI with its compose plugin (scripts/trixie-engine.sh unpacks them), found through a config of its own.
const trixie = spawnSync('bash', [join(root, 'scripts', 'trixie-engine.sh')], { encoding: 'utf8' }).stdout.trim();
const docker = join(trixie, 'usr', 'bin', 'docker');
const composeFile = join(root, 'bench', 'dev-compose.yaml');
const dockerEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DOCKER_HOST: address, DOCKER_CONFIG: join(work, 'docker-config') };
mkdirSync(dockerEnv.DOCKER_CONFIG);
writeFileSync(join(dockerEnv.DOCKER_CONFIG, 'config.json'), JSON.stringify({ cliPluginsExtraDirs: [join(trixie, 'usr', 'libexec', 'docker', 'cli-plugins')] }));
const compose = (...args) => [docker, ['compose', '-f', composeFile, '-p', 'bake-bench-dev', ...args]];

/** Seconds `command args` takes to exit 0 (as spawnSync measures it: start to exit). */
function timed([command, args], options = {}) {
  const started = performance.now();
  const r = spawnSync(command, args, { cwd: work, encoding: 'utf8', ...options });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}\n${r.stdout}${r.stderr}`);
  return (performance.now() - started) / 1000;
}
const bakeRun = (...args) => [bake, ['-f', composeFile, ...args]];
const asBake = { env };
const asDocker = { env: dockerEnv };

/** bin/bake in a PTY, as a user's terminal runs it. */
function terminal(args, cwd = app) {
  const watch = new OutputWatch();
  const spawned = performance.now();
  const pty = spawnPty(bake, args, { cols: 100, rows: 30, cwd, env: { TERM: 'xterm-256color', ...env } });
  pty.onData((d) => watch.feed(d));
  const exited = new Promise((resolve) => pty.onExit(({ exitCode }) => resolve(exitCode)));
  return { watch, spawned, exited, write: (keys) => pty.write(keys), kill: () => pty.kill('SIGKILL') };
}

/** Runs bin/bake to its end; throws on a non-zero exit. */
function run(args, cwd = app) {
  const r = spawnSync(bake, args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bake ${args.join(' ')} exited ${r.status}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Seconds from spawning `args` in a PTY to the shell prompt on it; then Ctrl-a d (the session keeps running). */
async function promptSeconds(args) {
  const t = terminal(args);
  try {
    const shown = (await t.watch.until(PROMPT, 0, 60_000)).at;
    t.write('\x01d');
    const code = await t.exited;
    if (code !== 0) throw new Error(`bake ${args.join(' ')} detached with ${code}: ${JSON.stringify(t.watch.text.slice(-400))}`);
    return (shown - t.spawned) / 1000;
  } catch (e) {
    t.kill();
    throw e;
  }
}

/**
 * Milliseconds per key from typing it to its echo, `keys` keys on `io`
 * ({ watch, write }) sitting at a shell prompt: lines of LINE distinct
 * letters after a `#`, each line ended with Enter and the next prompt.
 */
async function echoMs(io, keys) {
  const samples = [];
  for (let k = 0; k < keys;) {
    let from = io.watch.mark;
    io.write('#');
    await io.watch.until(/#/, from);
    for (let j = 0; j < LINE && k < keys; j++, k++) {
      const key = String.fromCharCode(97 + j);
      from = io.watch.mark;
      const typed = performance.now();
      io.write(key);
      samples.push((await io.watch.until(new RegExp(key), from)).at - typed);
      await sleep(5 + Math.random() * 10); // not a paste: one key after another
    }
    from = io.watch.mark;
    io.write('\r');
    await io.watch.until(PROMPT_LAST, from);
  }
  return samples;
}

/** A TTY `/bin/sh` exec'd in the container directly, hijacked by bake's engine client: { watch, write, close }. */
async function directShell(containerId) {
  const signal = AbortSignal.timeout(60 * 60_000);
  const id = await engine.execs.create(
    containerId,
    { Cmd: ['/bin/sh'], Tty: true, AttachStdin: true, AttachStdout: true, AttachStderr: true, ConsoleSize: [30, 100] },
    signal,
  );
  const stream = await engine.execs.start(id, true, signal);
  const watch = new OutputWatch();
  void (async () => {
    for await (const frame of stream.frames()) watch.feed(frame.data.toString('utf8'));
  })().catch(() => undefined);
  await watch.until(PROMPT_LAST);
  return { watch, write: (keys) => stream.write(keys), close: () => stream.close() };
}

/** `docker exec -it CONTAINER /bin/sh` (trixie's docker CLI) in a PTY: { watch, write, close }. */
async function dockerExecShell(containerId) {
  const watch = new OutputWatch();
  const pty = spawnPty(docker, ['exec', '-it', containerId, '/bin/sh'], { cols: 100, rows: 30, cwd: work, env: { TERM: 'xterm-256color', ...dockerEnv } });
  pty.onData((d) => watch.feed(d));
  await watch.until(PROMPT_LAST);
  return { watch, write: (keys) => pty.write(keys), close: () => pty.kill('SIGKILL') };
}

/**
 * What `bake dev stop` asks of the engine, asked directly and timed: a
 * container like the session's (the same image, TTY, init, on a network of
 * its own), force-removed, then its network. The part of stop no client can go below.
 */
async function engineDown() {
  const signal = AbortSignal.timeout(60_000);
  const network = `bake-bench-floor-${process.pid}`;
  await engine.networks.create({ Name: network, Driver: 'bridge', Labels: ownerLabels }, signal);
  const id = await engine.containers.create(
    { Image: 'busybox:latest', Cmd: ['/bin/sh'], Tty: true, OpenStdin: true, Labels: ownerLabels, HostConfig: { Init: true, NetworkMode: network } },
    undefined,
    signal,
  );
  await engine.containers.start(id, signal);
  const started = performance.now();
  await engine.containers.remove(id, { force: true, volumes: true }, signal);
  await engine.networks.remove(network, signal);
  return (performance.now() - started) / 1000;
}

function serverRss() {
  return JSON.parse(run(['server', 'status', '--format', 'json'])).rssBytes;
}

/** Stops the server and waits until it is gone (`bake server stop` returns while it ends its sessions). */
function stopServer() {
  spawnSync(bake, ['server', 'stop'], { env, stdio: 'ignore' });
  while (JSON.parse(run(['server', 'status', '--format', 'json'])).running) spawnSync('sleep', ['0.1']);
}

/** The session of project `dir`, from `bake dev ls`. */
function sessionOf(dir) {
  const file = join(dir, 'docker-bake.hcl');
  const s = JSON.parse(run(['dev', 'ls', '--format', 'json'])).find((x) => x.files.includes(file));
  if (!s) throw new Error(`no session for ${file}`);
  return s.id;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;
const log = (line) => process.stderr.write(`${line}\n`);

const figures = {};
try {
  // The server, one session, and one attach to warm the page cache and the server's code paths.
  run(['dev', '--detach']);
  const session = sessionOf(app);
  await promptSeconds(['dev', 'attach', session]);
  await sleep(2000);
  figures.rss1 = serverRss();
  for (const dir of projects.slice(1)) run(['dev', '--detach'], dir);
  await sleep(2000);
  figures.rss3 = serverRss();
  for (const dir of projects.slice(1)) run(['dev', 'stop'], dir);
  log(`server RSS: ${mib(figures.rss1)} with one session, ${mib(figures.rss3)} with 3`);

  figures.running = [];
  for (let i = 0; i < RUNS; i++) {
    figures.running.push(await promptSeconds(['dev']));
    log(`bake dev, session running: ${figures.running.at(-1).toFixed(3)} s`);
  }
  figures.cold = [];
  for (let i = 0; i < RUNS; i++) {
    run(['dev', 'stop']);
    figures.cold.push(await promptSeconds(['dev']));
    log(`bake dev, session stopped before: ${figures.cold.at(-1).toFixed(3)} s`);
  }
  figures.attach = [];
  for (let i = 0; i < RUNS; i++) {
    figures.attach.push(await promptSeconds(['dev', 'attach', session]));
    log(`bake dev attach: ${figures.attach.at(-1).toFixed(3)} s`);
  }

  // Echo: bake's attached terminal and a direct exec in the same container, alternating blocks of one line.
  const [container] = await engine.containers.list({ label: [`${LABEL.session}=${session}`, `${LABEL.service}=dev`] }, AbortSignal.timeout(10_000));
  const attached = terminal(['dev', 'attach', session]);
  await attached.watch.until(PROMPT);
  let from = attached.watch.mark;
  attached.write('\r');
  await attached.watch.until(PROMPT_LAST, from);
  const direct = await directShell(container.Id);
  const dockerExec = await dockerExecShell(container.Id);
  figures.echo = { bake: [], direct: [], docker: [] };
  const ios = { bake: attached, direct, docker: dockerExec };
  for (let k = 0; k < KEYS; k += LINE) {
    const n = Math.min(LINE, KEYS - k);
    const order = ['bake', 'direct', 'docker'];
    // Each path goes first in turn, so drift hits them alike.
    for (let j = 0; j < order.length; j++) {
      const path = order[(j + k / LINE) % order.length];
      figures.echo[path].push(...(await echoMs(ios[path], n)));
    }
  }
  dockerExec.close();
  direct.close();
  attached.write('\x01d');
  await attached.exited;
  for (const path of ['bake', 'direct', 'docker'])
    log(`echo ${path}: p50 ${pct(figures.echo[path], 50).toFixed(2)} ms, p95 ${pct(figures.echo[path], 95).toFixed(2)} ms`);
  figures.rssEnd = serverRss();

  // Against docker compose: the same file, each step of one tool then the same of the other, the first alternating by run.
  figures.peer = { cold: [[], []], warm: [[], []], running: [[], []], stop: [[], []], ls: [[], []] };
  // The floor under every bake command: Node starting and exiting, with nothing loaded; under stop, also the engine's own removal.
  figures.node = [];
  figures.engineDown = [];
  const steps = {
    bake: [
      ['cold', () => (stopServer(), timed(bakeRun('dev', '--detach'), asBake))],
      ['ls', () => timed([bake, ['dev', 'ls']], asBake)],
      ['running', () => timed(bakeRun('dev', '--detach'), asBake)],
      ['stop', () => timed(bakeRun('dev', 'stop'), asBake)],
      ['warm', () => timed(bakeRun('dev', '--detach'), asBake)],
      [undefined, () => timed(bakeRun('dev', 'stop'), asBake)],
    ],
    compose: [
      ['cold', () => (timed(compose('down', '-t', '0'), asDocker), timed(compose('up', '-d', '--wait'), asDocker))],
      ['ls', () => timed(compose('ps'), asDocker)],
      ['running', () => timed(compose('up', '-d', '--wait'), asDocker)],
      ['stop', () => timed(compose('down', '-t', '0'), asDocker)],
      ['warm', () => timed(compose('up', '-d', '--wait'), asDocker)],
      [undefined, () => timed(compose('down', '-t', '0'), asDocker)],
    ],
  };
  for (let i = 0; i < PEER_RUNS; i++) {
    for (let k = 0; k < steps.bake.length; k++) {
      for (const tool of i % 2 ? ['compose', 'bake'] : ['bake', 'compose']) {
        const [name, step] = steps[tool][k];
        const seconds = step();
        if (name) figures.peer[name][tool === 'bake' ? 0 : 1].push(seconds);
      }
    }
    figures.node.push(timed([process.execPath, ['-e', '0']]));
    figures.engineDown.push(await engineDown());
    log(
      `vs compose, run ${i + 1}: ${Object.entries(figures.peer)
        .map(([k, [b, c]]) => `${k} ${b.at(-1).toFixed(3)}/${c.at(-1).toFixed(3)} s`)
        .join(', ')}, node -e 0 ${figures.node.at(-1).toFixed(3)} s, engine removal ${figures.engineDown.at(-1).toFixed(3)} s`,
    );
  }
} finally {
  spawnSync(docker, ['compose', '-f', composeFile, '-p', 'bake-bench-dev', 'down', '-t', '0'], { env: dockerEnv, stdio: 'ignore' });
  spawnSync(bake, ['server', 'stop'], { cwd: app, env, stdio: 'ignore' });
  // Whatever a failed run left of its sessions (they carry this script's server as their owner).
  const signal = AbortSignal.timeout(60_000);
  for (let i = 0; i < 100 && (await engine.containers.list(ours, signal)).length; i++) await sleep(300);
  for (const c of await engine.containers.list(ours, signal)) await engine.containers.remove(c.Id, { force: true }, signal).catch(() => undefined);
  for (const n of await engine.networks.list(ours, signal)) await engine.networks.remove(n.Id, signal).catch(() => undefined);
  engine.close();
  rmSync(work, { recursive: true, force: true });
  if (startedHere) spawnSync(bake, ['engine', 'stop'], { env: engineEnv, stdio: 'inherit' });
}

const s = (x) => `${x.toFixed(3)} s`;
const ms = (x) => `${x.toFixed(2)} ms`;
const { bake: viaBake, direct: viaEngine, docker: viaDocker } = figures.echo;
console.log(`bake dev on busybox (image cached, server running); median of ${RUNS} runs; echo over ${viaBake.length} keys each, from the PTY's side`);
console.log(`${'measure'.padEnd(44)} ${'median/p50'.padStart(10)} ${'p95'.padStart(10)}`);
console.log(`${'bake dev → prompt (session running)'.padEnd(44)} ${s(median(figures.running)).padStart(10)}`);
console.log(`${'bake dev → prompt (session stopped before)'.padEnd(44)} ${s(median(figures.cold)).padStart(10)}`);
console.log(`${'bake dev attach → prompt'.padEnd(44)} ${s(median(figures.attach)).padStart(10)}`);
console.log(`${'echo: PTY → bake client → server → container'.padEnd(44)} ${ms(pct(viaBake, 50)).padStart(10)} ${ms(pct(viaBake, 95)).padStart(10)}`);
console.log(`${'echo: direct Engine API exec'.padEnd(44)} ${ms(pct(viaEngine, 50)).padStart(10)} ${ms(pct(viaEngine, 95)).padStart(10)}`);
console.log(`${'echo: docker exec -it (docker CLI 26.1.5)'.padEnd(44)} ${ms(pct(viaDocker, 50)).padStart(10)} ${ms(pct(viaDocker, 95)).padStart(10)}`);
console.log(
  `server RSS: ${mib(figures.rss1)} idle with one session, ${mib(figures.rss3)} with 3 sessions, ${mib(figures.rssEnd)} at the end (one session, after the runs)`,
);
console.log('');
const bar = (ok, text) => {
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${text}`);
  if (!ok) process.exitCode = 1;
};
bar(median(figures.running) <= 1.0, `bake dev → prompt ≤ 1.0 s median: ${s(median(figures.running))}`);
const peerBar = (name, what, peer, limit) => {
  const [b, c] = figures.peer[name].map(median);
  bar(
    b / c <= limit,
    `${what} ≤ ${limit}× ${peer}: ${s(b)} vs ${s(c)} = ${(b / c).toFixed(2)}x (median of ${PEER_RUNS}, range ${s(Math.min(...figures.peer[name][0]))}–${s(Math.max(...figures.peer[name][0]))} vs ${s(Math.min(...figures.peer[name][1]))}–${s(Math.max(...figures.peer[name][1]))})`,
  );
};
peerBar('cold', 'bake dev --detach, cold (no server)', 'compose up -d --wait', 0.8);
peerBar('warm', 'bake dev --detach, warm (session stopped)', 'compose up -d --wait', 0.8);
peerBar('running', 'bake dev --detach, already running', 'compose up -d --wait', 0.8);
peerBar('stop', 'bake dev stop', 'compose down -t 0', 0.8);
peerBar('ls', 'bake dev ls', 'compose ps', 0.5);
const nodeStart = median(figures.node);
console.log(
  `      floor: node -e 0 takes ${s(nodeStart)} (median of ${PEER_RUNS}) = ${(nodeStart / median(figures.peer.ls[1])).toFixed(2)}x compose ps, ${(nodeStart / median(figures.peer.stop[1])).toFixed(2)}x compose down`,
);
const stopFloor = nodeStart + median(figures.engineDown);
console.log(
  `      stop's floor: node -e 0 plus the engine's own removal of the same container and its network (${s(median(figures.engineDown))}, asked directly) = ${s(stopFloor)} = ${(stopFloor / median(figures.peer.stop[1])).toFixed(2)}x compose down`,
);
bar(pct(viaBake, 50) <= pct(viaDocker, 50) + 1, `echo p50 ≤ docker exec -it p50 + 1 ms: ${ms(pct(viaBake, 50))} ≤ ${ms(pct(viaDocker, 50) + 1)}`);
const budget = pct(viaEngine, 95) + 5;
bar(
  pct(viaBake, 95) <= budget,
  `echo p95 ≤ direct exec p95 + 5 ms: ${ms(pct(viaBake, 95))} ≤ ${ms(budget)} (${(pct(viaBake, 95) / pct(viaEngine, 95)).toFixed(2)}x direct)`,
);
