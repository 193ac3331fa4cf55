// bench/solve-start: where the time before a build's first engine step goes
// (issue 15: on Docker 20.10 bake's 8 Solves left at 1.1–1.4 s, but the
// engine started its first step 0.75–1.3 s later; under 40 ms on 26). For bake
// and for `docker buildx bake` 0.13.1 (Debian trixie's) on the same bake file,
// with 1 and with TARGETS (8) targets, `--no-cache` (every run solves, nothing
// is cached), it times from the process's spawn: bake's first and last
// Control.Solve leaving (grpc-js's own trace, GRPC_TRACE=channel, of the
// channel's calls), the engine's first step of any target, and the first step
// of the target that started last (BuildKit's vertex start times, from
// `--progress rawjson`). The gap from the last Solve to the last target's first
// step is the engine's; buildx's Solves are not seen, so it has no gap column.
// A step is a vertex that is not cached: a vertex several jobs share keeps the
// start time of the first job that ran it, and buildx reports its shared
// `FROM` as cached with that time, before its own Dockerfile had loaded (so
// before its first step). bake's targets share their Dockerfile's vertex, so
// their first steps are one instant.
// Where the 20.10 gap goes: BuildKit v0.8's Dockerfile frontend asks for its
// build options a dozen times per Solve, and each time dockerd's worker
// detects the emulated platforms again (archutil.SupportedPlatforms(noCache):
// six /check binaries written, chrooted and run, under one process-wide
// mutex). 8 Solves wait in line for ~96 detections (576 runs of /check), 66 of
// them before the first step; buildx's 8 Solves run 876. BuildKit v0.13
// (Docker 26) reads the options once per frontend and keeps the detection:
// no /check at all. The embedded engine chosen by XDG_STATE_HOME and
// BAKE_DOCKERD. Options: --runs N (5), --targets N (8).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { embeddedEngine, median, range, trixiePeers } from './engine-helpers.mjs';

const { values: opts } = parseArgs({ options: { runs: { type: 'string', default: '5' }, targets: { type: 'string', default: '8' } } });
const RUNS = Number(opts.runs);
const TARGETS = Number(opts.targets);
const root = new URL('..', import.meta.url).pathname;
const bake = join(root, 'bin', 'bake');

const { env, startedHere, status } = embeddedEngine(bake, root);
const work = mkdtempSync(join(tmpdir(), 'bake-bench-solve-start-'));
const peers = trixiePeers(root, work);
mkdirSync(join(work, 'ctx', 'src'), { recursive: true });
writeFileSync(join(work, 'ctx', 'src', 'a'), 'a\n');
writeFileSync(join(work, 'ctx', 'Dockerfile'), 'FROM bake-test/busybox:latest\nARG T\nCOPY src /src\nRUN echo $T > /t\n');
const names = Array.from({ length: TARGETS }, (_, i) => `t${i}`);
writeFileSync(
  join(work, 'bake.hcl'),
  names.map((n) => `target "${n}" {\n  context = "ctx"\n  args = { T = "${n}" }\n  output = ["type=cacheonly"]\n}\n`).join(''),
);

/** Runs the command; resolves with its spawn time (epoch ms) and its output (stdout + stderr). */
function run(cmd, args, runEnv) {
  return new Promise((resolve, reject) => {
    const spawned = Date.now();
    const child = spawn(cmd, args, { cwd: work, env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (out += c));
    child.on('close', (code) =>
      code === 0 ? resolve({ spawned, out, wall: Date.now() - spawned }) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${out.slice(-2000)}`)),
    );
  });
}

/** Per target, the start (epoch ms) of its first engine step (an uncached vertex); bake's rawjson lines are JSON events (`[target] ` before each with several targets). */
function bakeFirstSteps(out) {
  const first = new Map();
  for (const m of out.matchAll(/^(?:\[[\w-]+\] )?(\{.*\})$/gm)) {
    const v = JSON.parse(m[1]);
    if (v.kind === 'vertex' && v.started && !v.cached && !String(v.id).startsWith('bake:'))
      first.set(v.target, Math.min(first.get(v.target) ?? Infinity, v.started));
  }
  return first;
}

/**
 * buildx's rawjson: pretty-printed SolveStatus objects one after another; with several targets a vertex's name
 * says its target (`[t0 internal] …`, `[t0 1/3] …`), with one it does not (`[internal] …`, `[1/3] …`).
 */
function buildxFirstSteps(out, targets) {
  const first = new Map();
  for (const chunk of out.split(/^(?=\{$)/m)) {
    let status;
    try {
      status = JSON.parse(chunk);
    } catch {
      continue;
    }
    for (const v of status.vertexes ?? []) {
      if (!v.started || v.cached || v.name === '[internal] load local bake definitions') continue;
      const target = targets.length === 1 ? targets[0] : /^\[([\w-]+) /.exec(v.name ?? '')?.[1];
      if (!target) continue;
      first.set(target, Math.min(first.get(target) ?? Infinity, Date.parse(v.started)));
    }
  }
  return first;
}

/** bake's Control.Solve calls as grpc-js traces them (`D <ISO time> | … createResolvingCall … method="/moby.buildkit.v1.Control/Solve"`). */
const solveTimes = (out) => [...out.matchAll(/^D (\S+) \|.*createResolvingCall .*Control\/Solve"/gm)].map((m) => Date.parse(m[1]));

const clients = {
  bake: async (targets) => {
    const r = await run(bake, ['-f', 'bake.hcl', '--no-cache', '--progress', 'rawjson', ...targets], {
      ...env,
      GRPC_TRACE: 'channel',
      GRPC_VERBOSITY: 'DEBUG',
    });
    return { ...r, first: bakeFirstSteps(r.out), solves: solveTimes(r.out) };
  },
  'buildx bake': async (targets) => {
    const r = await run(peers.docker, ['buildx', 'bake', '-f', 'bake.hcl', '--no-cache', '--progress', 'rawjson', ...targets], {
      ...env,
      DOCKER_CONFIG: peers.dockerConfig,
    });
    return { ...r, first: buildxFirstSteps(r.out, targets), solves: [] };
  },
};

const rows = [];
try {
  for (let i = 0; i < RUNS; i++)
    for (const count of [1, TARGETS])
      for (const [client, fn] of Object.entries(clients)) {
        const r = await fn(names.slice(0, count));
        const starts = [...r.first.values()];
        const s = (ms) => (ms - r.spawned) / 1000;
        const row = {
          client,
          count,
          firstSolve: r.solves.length ? s(Math.min(...r.solves)) : NaN,
          lastSolve: r.solves.length ? s(Math.max(...r.solves)) : NaN,
          firstStep: starts.length ? s(Math.min(...starts)) : NaN,
          lastFirstStep: starts.length === count ? s(Math.max(...starts)) : NaN,
          wall: r.wall / 1000,
        };
        rows.push(row);
        process.stderr.write(`run ${i + 1}/${RUNS} ${JSON.stringify(row)}\n`);
      }
} finally {
  rmSync(work, { recursive: true, force: true });
  if (startedHere) (await import('node:child_process')).spawnSync(bake, ['engine', 'stop'], { env, stdio: 'inherit' });
}

console.log(`Docker ${status.version}: seconds from spawn, median (range) of ${RUNS} runs, --no-cache; gap = the last target's first step − the last Solve`);
console.log(
  `${'client'.padEnd(12)} ${'targets'.padStart(7)} ${'first Solve'.padStart(17)} ${'last Solve'.padStart(17)} ${'first step'.padStart(17)} ${"last target's 1st".padStart(17)} ${'gap'.padStart(17)} ${'wall'.padStart(17)}`,
);
for (const count of [1, TARGETS])
  for (const client of Object.keys(clients)) {
    const rs = rows.filter((r) => r.client === client && r.count === count);
    const col = (f) => {
      const xs = rs.map(f);
      return `${Number.isNaN(median(xs)) ? '–' : median(xs).toFixed(2)} (${range(xs)})`.padStart(17);
    };
    console.log(
      `${client.padEnd(12)} ${String(count).padStart(7)} ${col((r) => r.firstSolve)} ${col((r) => r.lastSolve)} ${col((r) => r.firstStep)} ${col((r) => r.lastFirstStep)} ${col((r) => r.lastFirstStep - r.lastSolve)} ${col((r) => r.wall)}`,
    );
  }
