// bench/bake-parallel: bake against its peers on one engine, interleaved in one
// run (issue 15's build bars). Two workloads:
// - default: TARGETS (8) bake targets over one shared 50 MB / 2,000-file
//   context. Dockerfile: FROM the local busybox, ARG T, COPY src /src, RUN echo
//   $T > /t && sleep 1 (each target's T differs, so every target runs its
//   RUN). Clients: `bin/bake`, `docker buildx bake` 0.13.1 of the same bake file
//   (Debian trixie's, scripts/trixie-engine.sh), TARGETS parallel `docker
//   build`s (Debian trixie's client; first spawn to last exit) and, with --seq,
//   TARGETS sequential ones. `--targets 1` makes it one target against one
//   `docker build`.
// - --shop: a copy of examples/shop without the syntax buildx 0.13.1 lacks
//   (variable types, validation and descriptions, `service` blocks), its
//   default group (api and web on `target:base`), bake against buildx bake.
// Phases: cold (build cache pruned, images removed), warm (no change: bake's
// build avoidance answers without a solve), cached solve (one file's mtime
// touched: bake's build avoidance sees a changed input and solves, and
// BuildKit, which does not hash mtimes, finds every step cached), and one
// file changed (new bytes and mtime). Reports whole-process wall times
// (median of RUNS, with their range), context bytes, where the time goes, and
// PASS/FAIL per bar of issue 15 that applies to the engine (by its version):
//   Docker 26, 8 targets, vs buildx bake: cold ≤ 0.4×, warm ≤ 0.25×, cached
//     solve ≤ 0.4×, one file ≤ 0.7×; --shop: warm ≤ 0.6×, one file ≤ 0.8×.
//   Docker 20.10, 8 targets: client overhead = wall − the slowest target's
//     engine steps ≤ 0.3 s cold, ≤ 0.15 s after a one-file change; context sent
//     1.00 times (± 1%).
//   --targets 1: bake ≤ 1.1× one `docker build` (every phase but warm).
// Next to each bar, the engine's floor: bake's slowest target's engine steps
// as a ratio to the peer's wall time; a bar below it cannot be met on this
// machine, whatever the client does.
// Bytes: bake's `[target] sent context: …, B bytes` counters (file data its
// sessions sent), summed over targets; docker's and buildx's engine-side
// figure, the last `transferring context: X` of each `[internal] load build
// context` step, summed. Engine steps: the Dockerfile's steps and the export
// after the context (FROM, COPY, RUN, exporting to image), per build or
// target, DONE times summed. The embedded engine chosen by XDG_STATE_HOME and
// BAKE_DOCKERD, as bench/context does: started (and stopped at the end) if
// none answers. Every image built here is removed; dockerd 20.10 still keeps
// a layer of most parallel runs, bake's and docker's alike, that no removal or
// prune frees (moby/moby#46136, fixed by #47523).
//
// Options: --no-prune (do not prune the build cache before cold builds: for
// dry runs while others use the engine; "cold" is then not cold), --targets N,
// --files N, --mb N (context size), --runs N (5), --seq, --shop. SIGINT/SIGTERM
// stops after the build under way, then cleans up and prints what was measured.
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes as nonceBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { contextBytes, embeddedEngine, median, range, trixiePeers } from './engine-helpers.mjs';

const { values: opts } = parseArgs({
  options: {
    'no-prune': { type: 'boolean', default: false },
    targets: { type: 'string', default: '8' },
    files: { type: 'string', default: '2000' },
    mb: { type: 'string', default: '50' },
    runs: { type: 'string', default: '5' },
    seq: { type: 'boolean', default: false },
    shop: { type: 'boolean', default: false },
  },
});
const PRUNE = !opts['no-prune'];
const SHOP = opts.shop;
const TARGETS = SHOP ? 2 : Number(opts.targets);
const FILES = Number(opts.files);
const MEAN_SIZE = Math.round((Number(opts.mb) * 1e6) / FILES);
const RUNS = Number(opts.runs);

const root = new URL('..', import.meta.url).pathname;
const bake = join(root, 'bin', 'bake');
const REPO = `bake-bench/parallel-${nonceBytes(3).toString('hex')}`;
// The default workload's targets; --shop builds its default group (api and web, on base).
const names = Array.from({ length: TARGETS }, (_, i) => `t${i}`);
const requested = SHOP ? ['default'] : names;

/** Deterministic, incompressible bytes: AES-128-CTR over zeros, keyed by the seed. */
function seededBytes(n, seed) {
  const key = createHash('sha256').update(`bake-parallel:${seed}`).digest();
  const cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  return Buffer.concat([cipher.update(Buffer.alloc(n)), cipher.final()]);
}

const filePath = (i) => `src/a${i % 20}/b${i % 7}/f${String(i).padStart(4, '0')}.bin`;

/** Writes the context (Dockerfile + src/); returns the total bytes of src/. Sizes uniform in 1..2×MEAN_SIZE. */
function generateContext(dir) {
  const sizes = seededBytes(4 * FILES, 'sizes');
  let total = 0;
  for (let i = 0; i < FILES; i++) {
    const n = 1 + Math.floor((sizes.readUInt32LE(4 * i) / 2 ** 32) * 2 * MEAN_SIZE);
    mkdirSync(join(dir, filePath(i), '..'), { recursive: true });
    writeFileSync(join(dir, filePath(i)), seededBytes(n, i));
    total += n;
  }
  writeFileSync(join(dir, 'Dockerfile'), 'FROM bake-test/busybox:latest\nARG T\nCOPY src /src\nRUN echo $T > /t && sleep 1\n');
  return total;
}

/** examples/shop's build, as buildx 0.13.1 reads it: no variable types, validations or descriptions, no services. */
const shopBakeFile = (registry) => `variable "TAG" {
  default = "dev"
}
variable "REGISTRY" {
  default = "${registry}"
}
function "image" {
  params = [name]
  result = "\${REGISTRY}/\${name}:\${TAG}"
}
group "default" {
  targets = ["api", "web"]
}
target "_common" {
  args = { BUILD_TAG = TAG }
  labels = { "org.opencontainers.image.source" = "https://example.invalid/shop" }
}
target "base" {
  inherits = ["_common"]
  context  = "ctx/base"
  tags     = [image("base")]
}
target "api" {
  inherits = ["_common"]
  context  = "ctx/api"
  contexts = { base = "target:base" }
  tags     = [image("api")]
}
target "web" {
  inherits = ["_common"]
  context  = "ctx/web"
  contexts = { base = "target:base" }
  tags     = [image("web"), "\${REGISTRY}/web:latest"]
  args     = { API_URL = "http://api:8080" }
}
`;
const SHOP_IMAGES = ['base:dev', 'api:dev', 'web:dev', 'web:latest'];
/** The file the phases touch and change. */
const editedFile = SHOP ? 'api/server.sh' : filePath(1234 % FILES);

/** Runs a whole process under /usr/bin/time, resolving with its combined output and CPU seconds (user + sys); rejects on a non-zero exit. */
function exec(cmd, args, env) {
  const cpuFile = join(work, `cpu-${++execs}`);
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-q', '-f', '%U %S', '-o', cpuFile, cmd, ...args], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${out}`));
      const [user, system] = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number);
      resolve({ out, cpu: user + system });
    });
  });
}
let execs = 0;

/** CPU seconds the embedded engine (dockerd, its reaped children, containerd) has used so far; NaN for an engine not started by bake. */
function engineCpu() {
  const pid = engine.embedded?.running ? engine.embedded.pid : undefined;
  if (!pid) return NaN;
  try {
    const pids = [pid, ...readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)];
    // Fields after `(comm)`: utime, stime, cutime, cstime are the 14th-17th of the line (clock ticks, 100 a second).
    return (
      sum(
        pids.map((p) =>
          sum(
            readFileSync(`/proc/${p}/stat`, 'utf8')
              .replace(/^.*\) /s, '')
              .split(' ')
              .slice(11, 15)
              .map(Number),
          ),
        ),
      ) / 100
    );
  } catch {
    return NaN;
  }
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const outs = await fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, outs };
}

/** One bake run's context bytes: its targets' `sent context: … B bytes` counters, summed (a single target has no `[name]` prefix). */
function bakeBytes(out) {
  const counts = [...out.matchAll(/^(?:\[[\w-]+\] )?sent context: \d+ entries, \d+ files requested, (\d+) bytes$/gm)];
  if (!counts.length) return NaN;
  return counts.reduce((sum, m) => sum + Number(m[1]), 0);
}

/**
 * Per build or target, the seconds its steps whose names match `name` took (their `#N DONE Xs`; a cached step
 * has none and counts 0), summed. The target is bake's `[target]` line prefix or buildx's `[target …]` inside the
 * step's name (`#8 [t0 1/3] FROM …`, `#14 [t0] exporting to image`; a step buildx shares counts for the target it
 * names); a `docker build` has one.
 */
function stepSeconds(out, name) {
  const buildOf = new Map();
  for (const m of out.matchAll(new RegExp(`^((?:\\[([\\w-]+)\\] )?#\\d+) (?:\\[([\\w-]+)(?= |\\] )\\]? ?)?${name.source}`, 'gm')))
    buildOf.set(m[1], m[2] ?? m[3] ?? '');
  const perBuild = new Map();
  for (const [step, build] of buildOf) {
    const done = Number(out.match(new RegExp(`^${step.replace(/[[\]]/g, '\\$&')} DONE ([\\d.]+)s$`, 'm'))?.[1] ?? 0);
    perBuild.set(build, (perBuild.get(build) ?? 0) + done);
  }
  return [...perBuild.values()];
}
/** The `[internal] load build context` step of each build: where the time goes, the context transfer against the rest. */
const contextSeconds = (out) => stepSeconds(out, /\[?internal\] load build context$/);
/**
 * The Dockerfile's steps and the export of each build (FROM, COPY, RUN, exporting to image): work the engine
 * does after the context arrived, one step after another, so a run's wall time is at least its slowest
 * build's sum, however fast its client sends the context.
 */
const engineSteps = (out) => stepSeconds(out, /\[?(?:[\w-]+ )?(?:\d+\/\d+\] |exporting to image$)/);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const max = (xs) => (xs.length ? Math.max(...xs) : NaN);

const tag = (client, name) => `${REPO}:${name}-${client}`;
/** Each client's images, by reference: removed before cold runs and at the end. */
const imagesOf = (client) => (SHOP ? SHOP_IMAGES.map((i) => `${REPO}-${client}/${i}`) : names.map((n) => tag(client, n)));
const bakeFileOf = (client) => `bake-${client}.hcl`;

const outsOf = (runs) => runs.map((r) => r.out);
const cpuOf = (runs) => sum(runs.map((r) => r.cpu));
/** One bake-file client's run: one process, all targets. */
const bakeRun = async (cmd, args, clientEnv) => {
  const { seconds, outs } = await timed(async () => [await exec(cmd, args, clientEnv)]);
  // Build avoidance answers bake's warm runs without a context step or engine steps: no figure then.
  return { seconds, out: outs[0].out, ctx: max(contextSeconds(outs[0].out)), steps: max(engineSteps(outs[0].out)), cpu: cpuOf(outs) };
};
const dockerBuild = (client, name) =>
  exec(peers.docker, ['build', '--progress=plain', '-t', tag(client, name), '--build-arg', `T=${name}`, 'ctx'], {
    ...env,
    DOCKER_BUILDKIT: '1',
    DOCKER_CONFIG: peers.dockerConfig,
  });
/** N `docker build`s' figures; `combine` joins their context and step times: summed one after another, the longest side by side. */
const dockerFigures = (seconds, outs, combine) => ({
  seconds,
  bytes: sum(outsOf(outs).map(contextBytes)),
  ctx: combine(outsOf(outs).flatMap(contextSeconds)),
  steps: combine(outsOf(outs).flatMap(engineSteps)),
  cpu: cpuOf(outs),
});
const clients = {
  bake: async () => {
    const r = await bakeRun(bake, ['-f', bakeFileOf('bake'), '--progress=plain', ...requested], env);
    return { ...r, bytes: bakeBytes(r.out) };
  },
  'buildx bake': async () => {
    const args = ['buildx', 'bake', '-f', bakeFileOf('bx'), '--progress=plain', ...requested];
    const r = await bakeRun(peers.docker, args, { ...env, DOCKER_CONFIG: peers.dockerConfig });
    return { ...r, bytes: contextBytes(r.out) };
  },
  ...(SHOP
    ? {}
    : {
        ...(opts.seq && {
          'docker seq': async () => {
            const { seconds, outs } = await timed(async () => {
              const outs = [];
              for (const name of names) outs.push(await dockerBuild('seq', name));
              return outs;
            });
            return dockerFigures(seconds, outs, sum);
          },
        }),
        'docker par': async () => {
          const { seconds, outs } = await timed(() => Promise.all(names.map((name) => dockerBuild('par', name))));
          return dockerFigures(seconds, outs, max);
        },
      }),
};
const tagOf = { bake: 'bake', 'buildx bake': 'bx', 'docker seq': 'seq', 'docker par': 'par' };

const { env, api, startedHere, status: engine } = embeddedEngine(bake, root);

const work = mkdtempSync(join(tmpdir(), 'bake-bench-parallel-'));
const peers = trixiePeers(root, work);
const context = join(work, 'ctx');
let totalBytes = NaN;
if (SHOP) {
  for (const dir of ['base', 'api', 'web']) cpSync(join(root, 'examples', 'shop', dir), join(context, dir), { recursive: true });
  for (const client of ['bake', 'bx']) writeFileSync(join(work, bakeFileOf(client)), shopBakeFile(`${REPO}-${client}`));
} else {
  totalBytes = generateContext(context);
  for (const client of ['bake', 'bx'])
    writeFileSync(
      join(work, bakeFileOf(client)),
      names.map((n) => `target "${n}" {\n  context = "ctx"\n  tags = ["${tag(client, n)}"]\n  args = { T = "${n}" }\n}\n`).join(''),
    );
}

const PHASES = ['cold', 'warm (no change)', 'cached solve', '1 file changed'];
const [COLD, WARM, CACHED, CHANGED] = PHASES.keys();
const KEYS = ['seconds', 'bytes', 'ctx', 'steps', 'cpu', 'engine'];
const samples = Object.fromEntries(Object.keys(clients).map((c) => [c, PHASES.map(() => Object.fromEntries(KEYS.map((k) => [k, []])))]));
const images = new Set();
let edits = 0;

// SIGINT/SIGTERM: finish the build under way, clean up and print what was measured so far.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void (stopping = true));

try {
  // Clients alternate per cycle so drift (page cache, other engine users) hits all alike.
  for (let i = 0; i < RUNS && !stopping; i++) {
    const order = Object.keys(clients);
    for (let k = 0; k < i % order.length; k++) order.push(order.shift());
    for (const name of order) {
      if (stopping) break;
      // Cold means nothing to reuse: no build cache and none of the images, so bake's build avoidance cannot answer either.
      for (const ref of imagesOf(tagOf[name])) await api('DELETE', `/images/${encodeURIComponent(ref)}?force=1`).catch(() => {});
      if (PRUNE) await api('POST', '/build/prune?all=1');
      for (const [p, phase] of PHASES.entries()) {
        if (stopping) break;
        const edited = join(context, editedFile);
        // A later mtime, the same bytes: an input change to bake's build avoidance, none to BuildKit's cache keys.
        if (p === CACHED) utimesSync(edited, new Date(), new Date(Date.now() + 1000 * ++edits));
        // New bytes and mtime in one file: the engine asks for exactly it again.
        if (p === CHANGED) {
          if (SHOP) appendFileSync(edited, `# edit ${REPO} ${++edits}\n`);
          else writeFileSync(edited, seededBytes(MEAN_SIZE, `${REPO}-edit-${++edits}`));
        }
        const engineBefore = engineCpu();
        const r = await clients[name]();
        const engineUsed = engineCpu() - engineBefore;
        Object.entries({ ...r, engine: engineUsed }).forEach(([k, v]) => samples[name][p][k]?.push(v));
        for (const ref of imagesOf(tagOf[name])) {
          const image = await api('GET', `/images/${encodeURIComponent(ref)}/json`).catch(() => undefined);
          if (image) images.add(image.Id);
        }
        process.stderr.write(
          `run ${i + 1}/${RUNS} ${name.padEnd(11)} ${phase.padEnd(16)} ${r.seconds.toFixed(2)} s ${(r.bytes / 1e6).toFixed(3)} MB, context step ${r.ctx.toFixed(1)} s, engine steps ${r.steps.toFixed(1)} s, client CPU ${r.cpu.toFixed(2)} s, engine CPU ${engineUsed.toFixed(2)} s\n`,
        );
      }
    }
  }
} finally {
  for (const id of images) await api('DELETE', `/images/${id}?force=1`).catch(() => {});
  for (const c of Object.values(tagOf)) for (const ref of imagesOf(c)) await api('DELETE', `/images/${encodeURIComponent(ref)}?force=1`).catch(() => {});
  rmSync(work, { recursive: true, force: true });
  if (startedHere) spawnSync(bake, ['engine', 'stop'], { env, stdio: 'inherit' });
}

const ratio = (a, b) => (b > 0 && !Number.isNaN(a) ? `${(a / b).toFixed(2)}x` : '–');
const mb = (b) => (Number.isNaN(b) ? '–' : (b / 1e6).toFixed(3));
const sec = (x) => (Number.isNaN(x) ? '–' : x.toFixed(2));
const m = Object.fromEntries(Object.keys(clients).map((c) => [c, PHASES.map((_, p) => Object.fromEntries(KEYS.map((k) => [k, median(samples[c][p][k])])))]));
const peerNames = Object.keys(clients).filter((c) => c !== 'bake');

const version = engine.version ?? '?';
console.log(
  `Docker ${version}: ${SHOP ? 'examples/shop (default group: api, web on base), buildx-readable copy' : `${TARGETS} target${TARGETS > 1 ? 's' : ''}, one shared context: ${FILES} files, ${(totalBytes / 1e6).toFixed(1)} MB`}; median of ${RUNS} whole-process runs per client and phase, clients interleaved${stopping ? ' (stopped early: fewer where cut short)' : ''}${PRUNE ? '' : '; --no-prune: build cache NOT pruned, "cold" is not cold'}`,
);
console.log(
  "bake MB: its sessions' file data (`sent context`), summed; the peers' MB: the engine's `transferring context` per context step, summed. Ranges: min–max of the runs",
);
for (const [p, phase] of PHASES.entries()) {
  console.log(`\n${phase}`);
  console.log(
    `  ${'client'.padEnd(12)} ${'wall s'.padStart(7)} ${'range'.padStart(11)} ${'bake/x'.padStart(7)} ${'MB'.padStart(8)} ${'ctx s'.padStart(6)} ${'steps s'.padStart(7)} ${'cli cpu'.padStart(7)} ${'eng cpu'.padStart(7)}`,
  );
  for (const c of Object.keys(clients)) {
    const r = m[c][p];
    console.log(
      `  ${c.padEnd(12)} ${sec(r.seconds).padStart(7)} ${range(samples[c][p].seconds).padStart(11)} ${(c === 'bake' ? '' : ratio(m.bake[p].seconds, r.seconds)).padStart(7)} ${mb(r.bytes).padStart(8)} ${sec(r.ctx).padStart(6)} ${sec(r.steps).padStart(7)} ${sec(r.cpu).padStart(7)} ${sec(r.engine).padStart(7)}`,
    );
  }
}
console.log(
  "\nctx s: the `[internal] load build context` step (engine-side DONE time), the run's longest (seq: the sum); steps s: the engine's steps after it, the slowest build's or target's (seq: all summed); cli cpu: user+sys of the client processes; eng cpu: dockerd+containerd, includes other engine users\n",
);

const bar = (ok, text) => {
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${text}`);
  if (!ok) process.exitCode = 1;
};
/** A ratio bar of bake's median wall time against a peer's in one phase, with the engine's floor: bake's slowest target's engine steps / the peer's wall. */
const ratioBar = (peer, p, limit) => {
  const r = m.bake[p].seconds / m[peer][p].seconds;
  const floor = m.bake[p].steps / m[peer][p].seconds;
  const below = floor > limit ? " (the bar lies below this floor: the engine's own steps already take longer)" : '';
  const floorText = Number.isNaN(floor) ? 'no engine steps' : `engine floor ${floor.toFixed(2)}x${below}`;
  bar(
    r <= limit,
    `${PHASES[p]} ≤ ${limit}× ${peer}: ${ratio(m.bake[p].seconds, m[peer][p].seconds)} (${sec(m.bake[p].seconds)} s vs ${sec(m[peer][p].seconds)} s; ${floorText})`,
  );
};
const onDocker20 = /^20\./.test(version);
if (SHOP) {
  ratioBar('buildx bake', WARM, 0.6);
  ratioBar('buildx bake', CHANGED, 0.8);
} else if (TARGETS === 1) {
  for (const p of [COLD, CACHED, CHANGED]) ratioBar('docker par', p, 1.1);
} else if (onDocker20) {
  // Client overhead per run: its wall time less its slowest target's engine steps, then the median.
  const overhead = (p) => median(samples.bake[p].seconds.map((s, i) => s - samples.bake[p].steps[i]));
  for (const [p, limit] of [
    [COLD, 0.3],
    [CHANGED, 0.15],
  ])
    bar(overhead(p) <= limit, `${PHASES[p]}: client overhead (wall − slowest target's engine steps) ≤ ${limit} s: ${sec(overhead(p))} s`);
  const copies = m.bake[COLD].bytes / totalBytes;
  bar(Math.abs(copies - 1) <= 0.01, `cold: the context sent 1.00 times: ${copies.toFixed(2)} (${mb(m.bake[COLD].bytes)} MB of ${mb(totalBytes)} MB)`);
} else {
  for (const [p, limit] of [
    [COLD, 0.4],
    [WARM, 0.25],
    [CACHED, 0.4],
    [CHANGED, 0.7],
  ])
    ratioBar('buildx bake', p, limit);
}
console.log(`(peers: ${peerNames.join(', ')}; bars for ${SHOP ? '--shop' : TARGETS === 1 ? 'one target' : onDocker20 ? 'Docker 20.10' : 'Docker 26'})`);
