// bench/bake-parallel: TARGETS (8) bake targets over one shared 50 MB /
// 2,000-file context, built by one `bin/bake` run, against TARGETS sequential
// and TARGETS parallel `docker build`s with Debian's client (BuildKit, the
// same engine), all in this script. Dockerfile: FROM the local busybox, ARG T,
// COPY src /src, RUN echo $T > /t && sleep 1 (each target's T differs, so
// every target runs its RUN). Phases: cold (build cache pruned), warm (no
// change) and after changing one file. Reports whole-process wall time (median
// of RUNS; for the docker peers, first spawn to last exit) and context bytes,
// and PASS/FAIL per bar, as ratios to the parallel `docker build`s (warm is
// bake as users meet it: its build avoidance answers without a solve):
//   cold ≤ 0.5× with the context sent once; warm ≤ 0.6×;
//   1 file changed ≤ 0.6× with ≤ 1% of the context's bytes sent.
// Bytes: bake's `[target] sent context: …, B bytes` counters (file data its
// sessions sent), summed over targets; docker's engine-side figure, the last
// `transferring context: X` of each build's `[internal] load build context`
// step, summed over builds. Where the time goes: the context step and the
// engine's steps after it (FROM, COPY, RUN, export) of each client's slowest
// build, as ratios to docker par's wall time next to each bar: a run takes at
// least its slowest build's steps, so where docker par's own steps already pass
// a bar, no client meets it on this machine. The embedded engine, as
// bench/context does: started (and stopped at the end) if none answers. Every
// image built here is removed; dockerd 20.10 still keeps a layer of most
// parallel runs, bake's and docker's alike, that no removal or prune frees
// (moby/moby#46136, fixed by #47523).
//
// Options: --no-prune (do not prune the build cache before cold builds: for
// dry runs while others use the engine; "cold" is then not cold), --targets N,
// --files N, --mb N (context size), --runs N (3). SIGINT/SIGTERM stops after the
// build under way, then cleans up and prints what was measured.
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes as nonceBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { contextBytes, embeddedEngine } from './engine-helpers.mjs';

const { values: opts } = parseArgs({
  options: {
    'no-prune': { type: 'boolean', default: false },
    targets: { type: 'string', default: '8' },
    files: { type: 'string', default: '2000' },
    mb: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
  },
});
const PRUNE = !opts['no-prune'];
const TARGETS = Number(opts.targets);
const FILES = Number(opts.files);
const MEAN_SIZE = Math.round((Number(opts.mb) * 1e6) / FILES);
const RUNS = Number(opts.runs);

const root = new URL('..', import.meta.url).pathname;
const bake = join(root, 'bin', 'bake');
// The `docker` first on PATH may be a newer client without buildx, which refuses BuildKit builds.
const docker = '/usr/bin/docker';
const REPO = `bake-bench/parallel-${nonceBytes(3).toString('hex')}`;
const names = Array.from({ length: TARGETS }, (_, i) => `t${i}`);

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
  if (counts.length !== TARGETS) return NaN;
  return counts.reduce((sum, m) => sum + Number(m[1]), 0);
}

/**
 * Per build (bake: per `[target]` prefix), the seconds its steps whose names match `name` took (their
 * `#N DONE Xs`; a cached step has none and counts 0), summed.
 */
function stepSeconds(out, name) {
  const buildOf = new Map();
  for (const m of out.matchAll(new RegExp(`^((?:(\\[[\\w-]+\\]) )?#\\d+) ${name.source}`, 'gm'))) buildOf.set(m[1], m[2] ?? '');
  const perBuild = new Map();
  for (const [step, build] of buildOf) {
    const done = Number(out.match(new RegExp(`^${step.replace(/[[\]]/g, '\\$&')} DONE ([\\d.]+)s$`, 'm'))?.[1] ?? 0);
    perBuild.set(build, (perBuild.get(build) ?? 0) + done);
  }
  return [...perBuild.values()];
}
/** The `[internal] load build context` step of each build: where the time goes, the context transfer against the rest. */
const contextSeconds = (out) => stepSeconds(out, /\[internal\] load build context$/);
/**
 * The Dockerfile's steps and the export of each build (FROM, COPY, RUN, exporting to image): work the engine
 * does after the context arrived, one step after another, so a run's wall time is at least its slowest
 * build's sum, however fast its client sends the context.
 */
const engineSteps = (out) => stepSeconds(out, /(?:\[\d+\/\d+\] |exporting to image$)/);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

const tag = (client, name) => `${REPO}:${name}-${client}`;
const dockerBuild = (client, name) =>
  exec(docker, ['build', '--progress=plain', '-t', tag(client, name), '--build-arg', `T=${name}`, 'ctx'], { ...env, DOCKER_BUILDKIT: '1' });

const outsOf = (runs) => runs.map((r) => r.out);
const cpuOf = (runs) => sum(runs.map((r) => r.cpu));
const clients = {
  bake: async () => {
    const { seconds, outs } = await timed(async () => [await exec(bake, ['-f', 'bake.hcl', '--progress=plain', ...names], env)]);
    // Build avoidance answers warm runs without a context step: no figure then.
    const [ctx, steps] = [contextSeconds(outs[0].out), engineSteps(outs[0].out)];
    return {
      seconds,
      bytes: bakeBytes(outs[0].out),
      ctx: ctx.length ? Math.max(...ctx) : NaN,
      steps: steps.length ? Math.max(...steps) : NaN,
      cpu: cpuOf(outs),
    };
  },
  'docker seq': async () => {
    const { seconds, outs } = await timed(async () => {
      const outs = [];
      for (const name of names) outs.push(await dockerBuild('seq', name));
      return outs;
    });
    return {
      seconds,
      bytes: sum(outsOf(outs).map(contextBytes)),
      ctx: sum(outsOf(outs).flatMap(contextSeconds)),
      steps: sum(outsOf(outs).flatMap(engineSteps)),
      cpu: cpuOf(outs),
    };
  },
  'docker par': async () => {
    const { seconds, outs } = await timed(() => Promise.all(names.map((name) => dockerBuild('par', name))));
    return {
      seconds,
      bytes: sum(outsOf(outs).map(contextBytes)),
      ctx: Math.max(...outsOf(outs).flatMap(contextSeconds)),
      steps: Math.max(...outsOf(outs).flatMap(engineSteps)),
      cpu: cpuOf(outs),
    };
  },
};
const tagOf = { bake: 'bake', 'docker seq': 'seq', 'docker par': 'par' };

const { env, api, startedHere, status: engine } = embeddedEngine(bake, root);

const work = mkdtempSync(join(tmpdir(), 'bake-bench-parallel-'));
const context = join(work, 'ctx');
const totalBytes = generateContext(context);
writeFileSync(
  join(work, 'bake.hcl'),
  names.map((n) => `target "${n}" {\n  context = "ctx"\n  tags = ["${tag('bake', n)}"]\n  args = { T = "${n}" }\n}\n`).join(''),
);

const PHASES = ['cold', 'warm (no change)', '1 file changed'];
const samples = Object.fromEntries(
  Object.keys(clients).map((c) => [c, PHASES.map(() => ({ seconds: [], bytes: [], ctx: [], steps: [], cpu: [], engine: [] }))]),
);
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
      for (const n of names) await api('DELETE', `/images/${encodeURIComponent(tag(tagOf[name], n))}?force=1`).catch(() => {});
      if (PRUNE) await api('POST', '/build/prune?all=1');
      for (const [p, phase] of PHASES.entries()) {
        if (stopping) break;
        // New bytes and mtime in one file: the engine asks for exactly it again.
        if (phase === '1 file changed') writeFileSync(join(context, filePath(1234 % FILES)), seededBytes(MEAN_SIZE, `${REPO}-edit-${++edits}`));
        const engineBefore = engineCpu();
        const { seconds, bytes, ctx, steps, cpu } = await clients[name]();
        const engineUsed = engineCpu() - engineBefore;
        Object.entries({ seconds, bytes, ctx, steps, cpu, engine: engineUsed }).forEach(([k, v]) => samples[name][p][k].push(v));
        for (const n of names) images.add((await api('GET', `/images/${encodeURIComponent(tag(tagOf[name], n))}/json`)).Id);
        process.stderr.write(
          `run ${i + 1}/${RUNS} ${name.padEnd(10)} ${phase.padEnd(16)} ${seconds.toFixed(2)} s ${(bytes / 1e6).toFixed(3)} MB, context step ${ctx.toFixed(1)} s, engine steps ${steps.toFixed(1)} s, client CPU ${cpu.toFixed(2)} s, engine CPU ${engineUsed.toFixed(2)} s\n`,
        );
      }
    }
  }
} finally {
  for (const id of images) await api('DELETE', `/images/${id}?force=1`).catch(() => {});
  for (const c of Object.values(tagOf)) for (const n of names) await api('DELETE', `/images/${encodeURIComponent(tag(c, n))}?force=1`).catch(() => {});
  rmSync(work, { recursive: true, force: true });
  if (startedHere) spawnSync(bake, ['engine', 'stop'], { env, stdio: 'inherit' });
}

const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
const ratio = (a, b) => (b > 0 && !Number.isNaN(a) ? `${(a / b).toFixed(2)}x` : '–').padStart(6);
const mb = (b) => (Number.isNaN(b) ? '–' : (b / 1e6).toFixed(3)).padStart(8);
const m = Object.fromEntries(
  Object.keys(clients).map((c) => [
    c,
    PHASES.map((_, p) => ({
      s: median(samples[c][p].seconds),
      b: median(samples[c][p].bytes),
      ctx: median(samples[c][p].ctx),
      steps: median(samples[c][p].steps),
      cpu: median(samples[c][p].cpu),
      engine: median(samples[c][p].engine),
    })),
  ]),
);
const sec = (x) => (Number.isNaN(x) ? '–' : x.toFixed(2)).padStart(7);

console.log(
  `${TARGETS} targets, one shared context: ${FILES} files, ${(totalBytes / 1e6).toFixed(1)} MB; median of ${RUNS} whole-process runs${stopping ? ' (stopped early: fewer where cut short)' : ''}${PRUNE ? '' : '; --no-prune: build cache NOT pruned, "cold" is not cold'}`,
);
console.log(
  "ratio = x / docker par (< 1: faster / sends less). bake MB: its sessions' file data (`sent context`), summed; docker MB: the engine's `transferring context` per build, summed",
);
console.log('ctx s: the `[internal] load build context` step (engine-side DONE time); bake and par: the longest of the run, seq: the sum');
console.log(
  `${'phase'.padEnd(17)} ${'bake s'.padStart(7)} ${'seq s'.padStart(7)} ${'par s'.padStart(7)}  bake/par seq/par  ${'bake MB'.padStart(8)} ${'seq MB'.padStart(8)} ${'par MB'.padStart(8)}  bake/par  ${'bake ctx s'.padStart(10)} ${'seq ctx s'.padStart(9)} ${'par ctx s'.padStart(9)}`,
);
for (const [p, phase] of PHASES.entries()) {
  const [b, s, d] = [m.bake[p], m['docker seq'][p], m['docker par'][p]];
  console.log(
    `${phase.padEnd(17)} ${sec(b.s)} ${sec(s.s)} ${sec(d.s)}  ${ratio(b.s, d.s).padStart(8)} ${ratio(s.s, d.s).padStart(7)}  ${mb(b.b)} ${mb(s.b)} ${mb(d.b)}  ${ratio(b.b, d.b).padStart(8)}  ${sec(b.ctx).padStart(10)} ${sec(s.ctx).padStart(9)} ${sec(d.ctx).padStart(9)}`,
  );
}

console.log(
  "\nwhere the time goes (medians; s): wall, the context step, the engine's steps after it (FROM, COPY, RUN, export: the slowest build's; seq: all summed), client CPU (user+sys of the bake / docker processes), engine CPU (dockerd+containerd, includes other engine users)",
);
console.log(
  `${'phase'.padEnd(17)} ${'client'.padEnd(10)} ${'wall'.padStart(7)} ${'ctx'.padStart(7)} ${'steps'.padStart(7)} ${'cli cpu'.padStart(7)} ${'eng cpu'.padStart(7)}`,
);
for (const [p, phase] of PHASES.entries())
  for (const c of Object.keys(clients))
    console.log(`${phase.padEnd(17)} ${c.padEnd(10)} ${sec(m[c][p].s)} ${sec(m[c][p].ctx)} ${sec(m[c][p].steps)} ${sec(m[c][p].cpu)} ${sec(m[c][p].engine)}`);
console.log('');

const x = (r) => (Number.isNaN(r) ? '–' : `${r.toFixed(2)}x`);
// The engine's steps after the context (engineSteps) in bake's and in docker par's run, as ratios to docker par's wall time:
// where they pass a bar, the engine's own work in that run was already longer than the bar allows.
const [cold, warm, changed] = [0, 1, 2].map((p) => ({
  t: m.bake[p].s / m['docker par'][p].s,
  b: m.bake[p].b,
  steps: `the engine's steps after the context: bake ${x(m.bake[p].steps / m['docker par'][p].s)}, docker par ${x(m['docker par'][p].steps / m['docker par'][p].s)}`,
}));
const bar = (ok, text) => {
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${text}`);
  if (!ok) process.exitCode = 1;
};
// "Sent once": the targets' counters add up to one copy of src/ (plus the Dockerfile), not one per target.
const copies = cold.b / totalBytes;
bar(cold.t <= 0.5 && copies <= 1.1, `cold ≤ 0.5× with the context sent once: ${x(cold.t)}, context sent ${copies.toFixed(2)} times; ${cold.steps}`);
bar(warm.t <= 0.6, `warm ≤ 0.6×: ${x(warm.t)}`);
const share = changed.b / totalBytes;
bar(
  changed.t <= 0.6 && share <= 0.01,
  `1 file changed ≤ 0.6× with ≤ 1% of the context's bytes: ${x(changed.t)}, ${(share * 100).toFixed(2)}% (${changed.b} bytes; ${ratio(changed.b, m['docker par'][2].b).trim()} docker par's); ${changed.steps}`,
);
