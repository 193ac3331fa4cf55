// bench/context-paths: a 400 MB build context whose Dockerfile copies one
// small file (issue 14, defect 3), through `bin/bake TARGET` and through
// `docker build` (Debian trixie's docker CLI and buildx from
// scripts/trixie-engine.sh, DOCKER_BUILDKIT=1), against the same engine in
// the same script. Phases: cold (build cache pruned), warm (no change),
// and after rewriting the unused 400 MB file. Reports whole-process wall
// time (median of RUNS) and the bytes the engine says it received for the
// context (`transferring …` of `[internal] load build context` in plain
// progress), with ratios bake / docker. Bar: bake ≤ 1.2× docker build's
// bytes and time in every phase; PASS/FAIL per phase, exit 1 on a FAIL.
// bake runs with a fresh state dir each time, so its build avoidance never
// answers instead of BuildKit: both clients take the same path.
// The engine: DOCKER_HOST's when set, else bake's embedded one (started and
// stopped here if none answers). Needs `npm run build`.
import { spawnSync } from 'node:child_process';
import { closeSync, createWriteStream, fsyncSync, mkdirSync, openSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextBytes, embeddedEngine, engineApi, trixiePeers } from './engine-helpers.mjs';

const root = new URL('..', import.meta.url).pathname;
const bake = join(root, 'bin', 'bake');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BIG = 400 * 1024 * 1024;
const TAG = 'bake-bench/context-paths';
const BAR = 1.2;

const { env, api, startedHere } = process.env.DOCKER_HOST
  ? {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DOCKER_HOST: process.env.DOCKER_HOST },
      api: engineApi(process.env.DOCKER_HOST.replace(/^unix:\/\//, '')),
      startedHere: false,
    }
  : embeddedEngine(bake, root);
if (process.env.DOCKER_HOST && spawnSync(process.execPath, [join(root, 'scripts', 'busybox-image.mjs')], { env, stdio: 'inherit' }).status !== 0)
  throw new Error('scripts/busybox-image.mjs failed');

const work = mkdtempSync(join(tmpdir(), 'bake-bench-context-paths-'));
const context = join(work, 'ctx');
mkdirSync(context);
const { docker, dockerConfig } = trixiePeers(root, work);

/** The unused file: 400 MB of incompressible bytes, new ones on each call (so its size, mtime and content change). */
async function writeBig(seed) {
  const out = createWriteStream(join(context, 'big.bin'));
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < BIG / chunk.length; i++) {
    for (let j = 0; j < chunk.length; j += 4) chunk.writeUInt32LE((Math.imul(i + 1, 2654435761) ^ Math.imul(j + seed, 40503)) >>> 0, j);
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise((resolve, reject) => out.end((e) => (e ? reject(e) : resolve())));
  // Flushed before any timing starts: writeback of 400 MB would otherwise land on whichever build runs next.
  const fd = openSync(join(context, 'big.bin'), 'r');
  fsyncSync(fd);
  closeSync(fd);
}

await writeBig(1);
writeFileSync(join(context, 'small.txt'), 'small\n');
writeFileSync(join(context, 'Dockerfile'), 'FROM bake-test/busybox\nCOPY small.txt /small.txt\n');
writeFileSync(join(work, 'bake.hcl'), `target "ctx" {\n  context = "ctx"\n  tags = ["${TAG}:bake"]\n}\n`);

function run(cmd, args, runEnv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: work, env: runEnv, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}${r.stderr}`);
  return { seconds, out: r.stdout + r.stderr };
}

const clients = {
  bake: () => {
    const state = mkdtempSync(join(work, 'state-'));
    try {
      return run(bake, ['-f', 'bake.hcl', 'ctx', '--progress=plain'], { ...env, XDG_STATE_HOME: state });
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  },
  docker: () => run(docker, ['build', '--progress=plain', '-t', `${TAG}:docker`, context], { ...env, DOCKER_BUILDKIT: '1', DOCKER_CONFIG: dockerConfig }),
};
const PHASES = ['cold', 'warm (no change)', 'unused file changed'];
const samples = Object.fromEntries(Object.keys(clients).map((c) => [c, PHASES.map(() => ({ seconds: [], bytes: [] }))]));
const images = new Set();
let seed = 1;

try {
  // Clients alternate per cycle so drift (page cache, other engine users) hits both alike.
  for (let i = 0; i < RUNS; i++) {
    for (const [name, build] of Object.entries(clients)) {
      await api('POST', '/build/prune?all=1');
      for (const [p, phase] of PHASES.entries()) {
        if (phase === 'unused file changed') await writeBig(++seed);
        const { seconds, out } = build();
        samples[name][p].seconds.push(seconds);
        // No `load build context` step or no transfer line: nothing was sent.
        const bytes = contextBytes(out);
        samples[name][p].bytes.push(Number.isNaN(bytes) ? 0 : bytes);
        images.add((await api('GET', `/images/${encodeURIComponent(`${TAG}:${name}`)}/json`)).Id);
      }
    }
  }
} finally {
  for (const id of images) await api('DELETE', `/images/${id}?force=1`).catch(() => {});
  rmSync(work, { recursive: true, force: true });
  if (startedHere) spawnSync(bake, ['engine', 'stop'], { env, stdio: 'inherit' });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratioOf = (a, b) => (b > 0 ? a / b : a > 0 ? Infinity : 1);
const version = JSON.parse(spawnSync(docker, ['version', '--format', '{{json .Server.Version}}'], { env, encoding: 'utf8' }).stdout || '"?"');
console.log(
  `context: ${(BIG / 1e6).toFixed(0)} MB unused + COPY small.txt; engine Docker ${version}; median of ${RUNS} whole-process runs; ratio = bake / docker`,
);
console.log(
  `${'phase'.padEnd(20)} ${'bake s'.padStart(7)} ${'docker s'.padStart(8)}  ratio  ${'bake B'.padStart(10)} ${'docker B'.padStart(10)}  ratio  bar ${BAR}x`,
);
let failed = false;
for (const [p, phase] of PHASES.entries()) {
  const [b, d] = [samples.bake[p], samples.docker[p]];
  const [bs, ds, bb, db] = [median(b.seconds), median(d.seconds), median(b.bytes), median(d.bytes)];
  const [rs, rb] = [ratioOf(bs, ds), ratioOf(bb, db)];
  // A few bytes of file metadata either way are no difference: the bytes bar applies past 1 kB.
  const pass = rs <= BAR && (rb <= BAR || bb - db < 1_000);
  failed ||= !pass;
  console.log(
    `${phase.padEnd(20)} ${bs.toFixed(2).padStart(7)} ${ds.toFixed(2).padStart(8)} ${rs.toFixed(2).padStart(5)}x  ${String(bb).padStart(10)} ${String(db).padStart(10)} ${rb.toFixed(2).padStart(5)}x  ${pass ? 'PASS' : 'FAIL'}`,
  );
}
if (process.env.BENCH_SAMPLES) console.log(JSON.stringify(samples));
process.exitCode = failed ? 1 : 0;
