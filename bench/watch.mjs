// bench/watch: `bake dev --watch` against `docker compose watch` (issue 15,
// point 1), one compose file for both (develop.watch: a sync rule on
// ./app/src → /srv and a rebuild rule on ./app/version), each tool on its
// own copy of the project, both watching at once, their samples interleaved
// (the order alternating) so the machine's load hits both alike:
//   sync: a file saved under ./app/src until the service's HTTP server
//     (BusyBox httpd on /srv, reached at the container's bridge address)
//     serves its new content;
//   rebuild: ./app/version saved until the recreated service answers with it.
// Bars: sync p50 ≤ 300 ms and ≤ 0.6× compose's; rebuild ≤ 0.8× compose's.
//
// The peer is Debian trixie's docker-compose 2.26.1 (scripts/trixie-engine.sh),
// the engine the embedded Docker 26 under XDG_STATE_HOME (default
// ~/.local/state/bake-bench-watch), started here if none answers and
// stopped again at the end.
//
// Options: --runs N (sync samples per tool, 15), --rebuilds N (5).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DockerEngine } from '../build/src/docker/engine-api.js';
import { parseEngineAddress } from '../build/src/docker/endpoint.js';
import { LABEL } from '../build/src/dev/labels.js';
import { trixieEngine } from './engine-helpers.mjs';

const { values: opts } = parseArgs({ options: { runs: { type: 'string', default: '15' }, rebuilds: { type: 'string', default: '5' } } });
const RUNS = Number(opts.runs);
const REBUILDS = Number(opts.rebuilds);

const root = new URL('..', import.meta.url).pathname;
const bake = join(root, 'bin', 'bake');
const log = (line) => process.stderr.write(`${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { trixie, status, stop: stopEngine } = trixieEngine(bake, 'bake-bench-watch');
const docker = join(trixie, 'usr', 'bin', 'docker');
const composePlugin = join(trixie, 'usr', 'libexec', 'docker', 'cli-plugins', 'docker-compose');
const DOCKER_HOST = status.address;
const engine = new DockerEngine(parseEngineAddress(DOCKER_HOST));

const work = mkdtempSync(join(tmpdir(), 'bake-bench-watch-'));
const dockerConfig = join(work, 'docker-config');
mkdirSync(join(dockerConfig, 'cli-plugins'), { recursive: true });
symlinkSync(composePlugin, join(dockerConfig, 'cli-plugins', 'docker-compose'));
const runtimeDir = join(work, 'run');
mkdirSync(runtimeDir, { mode: 0o700 });
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DOCKER_HOST,
  DOCKER_CONFIG: dockerConfig,
  XDG_RUNTIME_DIR: runtimeDir,
  BAKE_SERVER_GRACE_SECONDS: '600',
};

const COMPOSE = `services:
  app:
    build: ./app
    develop:
      watch:
        - action: sync
          path: ./app/src
          target: /srv
        - action: rebuild
          path: ./app/version
`;
/** One copy of the project per tool: each watches only its own files. */
function project(name) {
  const dir = join(work, name);
  mkdirSync(join(dir, 'app', 'src'), { recursive: true });
  writeFileSync(join(dir, 'compose.yaml'), COMPOSE);
  writeFileSync(
    join(dir, 'app', 'Dockerfile'),
    // A PID 1 that ends on SIGTERM: neither tool's recreate then waits out a stop timeout, so the figures are the watch's own.
    'FROM bake-test/busybox:latest\nCOPY src /srv\nCOPY version /srv/version\nCMD ["sh", "-c", "trap \'exit 0\' TERM; busybox httpd -f -p 8080 -h /srv & wait"]\n',
  );
  writeFileSync(join(dir, 'app', 'version'), 'v0\n');
  writeFileSync(join(dir, 'app', 'src', 'index.html'), 'hello\n');
  return dir;
}

/** The `app` container of a project (by compose's or bake's labels), its bridge address. */
async function appAddress(labels) {
  const [found] = await engine.containers.list({ label: labels }, AbortSignal.timeout(10_000));
  if (!found) return undefined;
  // A recreate may remove it between the list and the inspect: no address yet.
  const inspect = await engine.containers.inspect(found.Id, AbortSignal.timeout(10_000)).catch(() => undefined);
  return Object.values(inspect?.NetworkSettings?.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress;
}

async function fetchText(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

/** Milliseconds from saving `file` with `text` until the service serves it at `path`; the address looked up again each poll when `recreated`. */
async function saveUntilServed(tool, file, path, text, recreated, limitMs) {
  let ip = await appAddress(tool.labels);
  const start = performance.now();
  writeFileSync(file, text);
  while (performance.now() - start < limitMs) {
    if (recreated) ip = await appAddress(tool.labels);
    if (ip && (await fetchText(`http://${ip}:8080/${path}`)) === text) return performance.now() - start;
    await sleep(5);
  }
  throw new Error(`${tool.name}: ${path} did not serve ${JSON.stringify(text)} within ${limitMs} ms`);
}

const bakeDir = project('bake');
const composeDir = project('compose');
const composeProject = `bakebenchwatch${process.pid}`;
const tools = [
  { name: 'bake', dir: bakeDir, labels: [] },
  { name: 'compose', dir: composeDir, labels: [`com.docker.compose.project=${composeProject}`, 'com.docker.compose.service=app'] },
];

const run = (file, args, cwd) => {
  const r = spawnSync(file, args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}\n${r.stdout}${r.stderr}`);
  return r.stdout;
};

let composeWatch;
try {
  log('bringing both up (bake dev --detach --watch; docker compose up -d --build --wait, then docker compose watch)…');
  const session = /session (\S+) is up/.exec(run(bake, ['dev', '--detach', '--watch', '--progress=quiet'], bakeDir))?.[1];
  tools[0].labels = [`${LABEL.session}=${session}`, `${LABEL.service}=app`];
  run(docker, ['compose', '-p', composeProject, 'up', '-d', '--build', '--wait'], composeDir);
  composeWatch = spawn(docker, ['compose', '-p', composeProject, 'watch'], { cwd: composeDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  await new Promise((resolve, reject) => {
    const seen = (chunk) => {
      said += chunk;
      if (/Watch enabled/i.test(said)) resolve();
    };
    composeWatch.stdout.on('data', seen);
    composeWatch.stderr.on('data', seen);
    composeWatch.once('exit', (code) => reject(new Error(`docker compose watch exited ${code}:\n${said}`)));
    setTimeout(() => reject(new Error(`docker compose watch did not say "Watch enabled" in 120 s:\n${said}`)), 120_000).unref();
  });
  for (const tool of tools) if (!(await appAddress(tool.labels))) throw new Error(`${tool.name}: the app container has no address`);
  await sleep(1_000);

  const samples = { sync: { bake: [], compose: [] }, rebuild: { bake: [], compose: [] } };
  for (let i = 0; i < RUNS; i++) {
    for (const tool of i % 2 ? [...tools].reverse() : tools) {
      const text = `${tool.name} sync ${i} ${Date.now()}\n`;
      samples.sync[tool.name].push(await saveUntilServed(tool, join(tool.dir, 'app', 'src', `probe${i % 3}.txt`), `probe${i % 3}.txt`, text, false, 20_000));
      // Quiet between saves, past compose's 500 ms debounce, so no sample rides on another's batch.
      await sleep(700);
    }
  }
  for (let i = 0; i < REBUILDS; i++) {
    for (const tool of i % 2 ? [...tools].reverse() : tools) {
      const text = `${tool.name} v${i + 1} ${Date.now()}\n`;
      samples.rebuild[tool.name].push(await saveUntilServed(tool, join(tool.dir, 'app', 'version'), 'version', text, true, 180_000));
      await sleep(1_500);
    }
  }

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const range = (xs) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;
  const row = (label, bakeMs, composeMs, bar) => {
    const ratio = median(bakeMs) / median(composeMs);
    const met = bar(median(bakeMs), ratio);
    return `${label.padEnd(27)} bake ${Math.round(median(bakeMs))} ms (${range(bakeMs)})  compose ${Math.round(median(composeMs))} ms (${range(composeMs)})  ratio ${ratio.toFixed(2)}×  ${met}`;
  };
  const version = run(docker, ['compose', 'version', '--short'], composeDir).trim();
  console.log(
    `bench:watch on Docker ${status.version}, docker compose ${version}, ${RUNS} syncs and ${REBUILDS} rebuilds per tool, interleaved (medians, range)`,
  );
  console.log(
    row('save → visible (sync)', samples.sync.bake, samples.sync.compose, (p50, ratio) =>
      p50 <= 300 && ratio <= 0.6 ? 'bar met (p50 ≤ 300 ms, ≤ 0.6×)' : `BAR MISSED (p50 ≤ 300 ms and ≤ 0.6×)`,
    ),
  );
  console.log(
    row('save → answering (rebuild)', samples.rebuild.bake, samples.rebuild.compose, (_, ratio) => (ratio <= 0.8 ? 'bar met (≤ 0.8×)' : 'BAR MISSED (≤ 0.8×)')),
  );
  console.log(
    `load average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (the machine is shared: figures are as measured under it)`,
  );
} finally {
  composeWatch?.kill('SIGINT');
  spawnSync(docker, ['compose', '-p', composeProject, 'down', '-t', '0', '--rmi', 'local'], { cwd: composeDir, env, stdio: 'ignore' });
  spawnSync(bake, ['dev', 'stop'], { cwd: bakeDir, env, stdio: 'ignore' });
  spawnSync(bake, ['server', 'stop'], { cwd: bakeDir, env, stdio: 'ignore' });
  engine.close();
  stopEngine();
  rmSync(work, { recursive: true, force: true });
}
