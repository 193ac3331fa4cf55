// bench/context: a 50 MB / 2,000-file build context through `bin/bake TARGET`
// and through Debian's `docker build` (BuildKit, the same engine), run in the
// same script. Phases: cold (build cache pruned), warm (no change) and after
// changing one file. Reports whole-process wall time (median of RUNS) and the
// bytes the engine says it received (`transferring context: N` in plain
// progress, printed by both clients), as ratios bake / docker. No bar is
// defined yet, so no PASS/FAIL. Needs `node scripts/build.mjs` (dist/) and the
// tsc output in build/ (scripts/busybox-image.mjs imports it); starts bake's
// embedded engine if none answers and stops it again at the end.
// Prunes the engine's whole build cache before each cold build.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextBytes, embeddedEngine } from './engine-helpers.mjs';

const root = new URL('..', import.meta.url).pathname;
const bake = join(root, 'bin', 'bake');
// The `docker` first on PATH is a newer client without buildx, which refuses BuildKit builds.
const docker = '/usr/bin/docker';
const RUNS = 5;
const FILES = 2000;
const MEAN_SIZE = 26_214; // 2,000 × 25 KiB ≈ 50 MiB
const TAG = 'bake-bench/context';

/** xorshift32: the context is the same bytes on every run and machine. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function randomBytes(n, seed) {
  const next = rng(seed);
  const words = new Uint32Array(Math.ceil(n / 4));
  for (let i = 0; i < words.length; i++) words[i] = next() * 2 ** 32;
  return Buffer.from(words.buffer, 0, n);
}

const filePath = (i) => `d${i % 16}/e${i % 5}/f${String(i).padStart(4, '0')}.bin`;

/** Writes the context; returns its total file bytes. Nested dirs, random (incompressible) sizes and contents. */
function generateContext(dir) {
  const size = rng(42);
  let total = 0;
  for (let i = 0; i < FILES; i++) {
    const n = 1 + Math.floor(size() * 2 * MEAN_SIZE);
    mkdirSync(join(dir, filePath(i), '..'), { recursive: true });
    writeFileSync(join(dir, filePath(i)), randomBytes(n, 1000 + i));
    total += n;
  }
  writeFileSync(join(dir, 'Dockerfile'), `FROM bake-test/busybox:latest\nCOPY . /ctx\nRUN wc -c /ctx/${filePath(0)}\n`);
  return total;
}

function run(cmd, args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: work, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}${r.stderr}`);
  return { seconds, out: r.stdout + r.stderr };
}

/** bake's own session counter (`sent context: … N bytes`), a cross-check of the engine's figure. */
const sessionBytes = (out) => Number(out.match(/^sent context: .* (\d+) bytes$/m)?.[1] ?? NaN);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { env, api, startedHere } = embeddedEngine(bake, root);

const work = mkdtempSync(join(tmpdir(), 'bake-bench-context-'));
const context = join(work, 'ctx');
const totalBytes = generateContext(context);
writeFileSync(join(work, 'bake.hcl'), `target "ctx" {\n  context = "ctx"\n  tags = ["${TAG}:bake"]\n}\n`);

const clients = {
  bake: () => run(bake, ['-f', 'bake.hcl', 'ctx', '--progress=plain'], env),
  docker: () => run(docker, ['build', '--progress=plain', '-t', `${TAG}:docker`, context], { ...env, DOCKER_BUILDKIT: '1' }),
};
const PHASES = ['cold', 'warm (no change)', '1 file changed'];
const samples = Object.fromEntries(Object.keys(clients).map((c) => [c, PHASES.map(() => ({ seconds: [], bytes: [], session: [] }))]));
const images = new Set();
let edits = 0;

try {
  // Clients alternate per cycle so drift (page cache, other engine users) hits both alike.
  for (let i = 0; i < RUNS; i++) {
    for (const [name, build] of Object.entries(clients)) {
      await api('POST', '/build/prune?all=1');
      for (const [p, phase] of PHASES.entries()) {
        // New bytes and mtime in one file: the engine re-requests exactly it (protocol doc §5.6).
        if (phase === '1 file changed') writeFileSync(join(context, filePath(1234)), randomBytes(MEAN_SIZE, 1e6 + ++edits));
        const { seconds, out } = build();
        samples[name][p].seconds.push(seconds);
        samples[name][p].bytes.push(contextBytes(out));
        samples[name][p].session.push(sessionBytes(out));
        images.add((await api('GET', `/images/${encodeURIComponent(`${TAG}:${name}`)}/json`)).Id);
      }
    }
  }
} finally {
  for (const id of images) await api('DELETE', `/images/${id}?force=1`).catch(() => {});
  rmSync(work, { recursive: true, force: true });
  if (startedHere) spawnSync(bake, ['engine', 'stop'], { env, stdio: 'inherit' });
}

const ratio = (a, b) => (b > 0 && !Number.isNaN(a) ? `${(a / b).toFixed(2)}x` : '–').padStart(6);
const mb = (b) => (Number.isNaN(b) ? '–' : (b / 1e6).toFixed(3)).padStart(9);
console.log(
  `context: ${FILES} files, ${(totalBytes / 1e6).toFixed(1)} MB; median of ${RUNS} whole-process runs; ratio = bake / docker (< 1: bake is faster / sends less)`,
);
console.log(
  "MB = what the engine reports receiving for the context (`transferring`; file data plus entry metadata); bake session MB = bake's own count of file data sent",
);
console.log(
  `${'phase'.padEnd(18)} ${'bake s'.padStart(7)} ${'docker s'.padStart(8)}  ratio   ${'bake MB'.padStart(9)} ${'docker MB'.padStart(9)}  ratio   bake session MB`,
);
for (const [p, phase] of PHASES.entries()) {
  const [b, d] = [samples.bake[p], samples.docker[p]];
  const [bs, ds, bb, db] = [median(b.seconds), median(d.seconds), median(b.bytes), median(d.bytes)];
  console.log(
    `${phase.padEnd(18)} ${bs.toFixed(2).padStart(7)} ${ds.toFixed(2).padStart(8)} ${ratio(bs, ds)}   ${mb(bb)} ${mb(db)} ${ratio(bb, db)}   ${mb(median(b.session)).padStart(15)}`,
  );
}
