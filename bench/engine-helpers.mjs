// Helpers the benchmarks share: medians and ranges, the Engine API over the engine's unix socket,
// the context bytes the engine reports in a build's plain progress, the
// embedded engine (any, or Docker 26 from Debian trixie with its peers), and
// a PTY's output watched with timestamps.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const known = (xs) => xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);

/** The median of the figures that are known (NaN: a run that had none); NaN when none is. */
export function median(xs) {
  const k = known(xs);
  return k.length ? k[Math.floor(k.length / 2)] : NaN;
}

/** `min–max` of the known figures, with `digits` decimals; `–` when none is known. */
export function range(xs, digits = 2) {
  const k = known(xs);
  return k.length ? `${k[0].toFixed(digits)}–${k.at(-1).toFixed(digits)}` : '–';
}

/** Engine API over the unix socket; node:http rather than a CLI so no peer's client is involved. */
export function engineApi(socketPath) {
  return (method, path) =>
    new Promise((resolve, reject) => {
      const req = request({ socketPath, method, path }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => (res.statusCode < 300 ? resolve(body && JSON.parse(body)) : reject(new Error(`${method} ${path}: ${res.statusCode} ${body}`))));
      });
      req.on('error', reject);
      req.end();
    });
}

const UNITS = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 };

/**
 * The engine's last `#N transferring NAME: 52.43MB` figure (go-units: decimal) for each
 * `[internal] load build context` step, summed: one for a `docker build`, one per target for
 * `docker buildx bake` (whose steps say `[TARGET internal]`). Matched by step, not name: bake's dirs are
 * named `dir-<hash>`, and docker's `.dockerignore` step also says `transferring context`.
 */
export function contextBytes(out) {
  const steps = [...out.matchAll(/^(#\d+) \[(?:[\w-]+ )?internal\] load build context$/gm)].map((m) => m[1]);
  // A step without a figure (buildx shares a step between targets, or it was cached) sent nothing of its own.
  const figures = [...new Set(steps)]
    .map((step) => [...out.matchAll(new RegExp(`^${step} transferring [^:]+: ([\\d.]+)([kMG]?B)`, 'gm'))].at(-1))
    .filter(Boolean);
  return figures.length ? figures.reduce((sum, [, n, unit]) => sum + Number(n) * UNITS[unit], 0) : NaN;
}

/**
 * The embedded engine, whatever DOCKER_HOST says (that is what the issues
 * measure; XDG_STATE_HOME says whose): started here when none answers, with
 * the BusyBox base image.
 * `startedHere` says whether the caller should stop it at the end;
 * `status` is what `bake engine status --format json` said.
 */
export function embeddedEngine(bake, root) {
  // XDG_STATE_HOME and BAKE_DOCKERD choose which embedded engine (its state dir, its dockerd: 20.10 or 26).
  const chosen = Object.entries(process.env).filter(([k]) => ['XDG_STATE_HOME', 'XDG_RUNTIME_DIR', 'BAKE_DOCKERD'].includes(k));
  const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...Object.fromEntries(chosen) };
  const { status: engine, startedHere } = answeringEngine(bake, baseEnv);
  const env = { ...baseEnv, DOCKER_HOST: engine.address };
  const socketPath = engine.address.replace(/^unix:\/\//, '');
  if (spawnSync(process.execPath, [join(root, 'scripts', 'busybox-image.mjs')], { env, stdio: 'inherit' }).status !== 0)
    throw new Error('scripts/busybox-image.mjs failed');
  return { env, api: engineApi(socketPath), startedHere, status: engine };
}

/** The embedded engine of `env`, started with `bake engine start` when none answers: `bake engine status`'s JSON, and whether it was started here. */
function answeringEngine(bake, env) {
  const engineStatus = () => JSON.parse(spawnSync(bake, ['engine', 'status', '--format', 'json'], { env, encoding: 'utf8' }).stdout);
  const status = engineStatus();
  if (status.answers) return { status, startedHere: false };
  spawnSync(bake, ['engine', 'start'], { env, stdio: 'inherit' });
  const started = engineStatus();
  if (!started.answers) throw new Error(`the embedded engine did not start: ${started.reason}`);
  return { status: started, startedHere: true };
}

/**
 * The embedded Docker 26 engine on Debian trixie's dockerd, under
 * XDG_STATE_HOME (default ~/.local/state/STATE), started when none answers,
 * with the BusyBox base image; the peers (trixie's docker CLI and its
 * plugins) are under `trixie`. `stop()` stops the engine if it was started
 * here. Throws (the engine stopped again) when what answers is not it.
 */
export function trixieEngine(bake, state) {
  const root = new URL('..', import.meta.url).pathname;
  const trixie = trixieRoot(root);
  const engineEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    XDG_STATE_HOME: process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state', state),
    BAKE_DOCKERD: join(trixie, 'usr', 'sbin', 'dockerd'),
  };
  const { status, startedHere } = answeringEngine(bake, engineEnv);
  const stop = () => startedHere && spawnSync(bake, ['engine', 'stop'], { env: engineEnv, stdio: 'inherit' });
  if (status.source !== 'embedded' || !String(status.version).startsWith('26.')) {
    stop();
    throw new Error(`expected the embedded Docker 26 engine under ${engineEnv.XDG_STATE_HOME}, found ${JSON.stringify(status)}`);
  }
  const busybox = spawnSync(process.execPath, [join(dirname(dirname(bake)), 'scripts', 'busybox-image.mjs')], {
    env: { ...engineEnv, DOCKER_HOST: status.address },
    stdio: 'inherit',
  });
  if (busybox.status !== 0) {
    stop();
    throw new Error('scripts/busybox-image.mjs failed');
  }
  return { trixie, engineEnv, status, stop };
}

/**
 * Output as it arrives, timestamped: `until(re, from)` resolves with { at, end }: the performance.now() of
 * the chunk that made the output after offset `from` match `re`, and the offset just past the match.
 */
export class OutputWatch {
  text = '';
  waiters = new Set();

  feed(chunk) {
    const now = performance.now();
    this.text += chunk;
    for (const w of this.waiters) w.check(now);
  }

  get mark() {
    return this.text.length;
  }

  until(re, from = 0, timeoutMs = 30_000) {
    return new Promise((resolve, reject) => {
      const w = {
        check: (now) => {
          const m = re.exec(this.text.slice(from));
          if (!m) return false;
          clearTimeout(timer);
          this.waiters.delete(w);
          resolve({ at: now, end: from + m.index + m[0].length });
          return true;
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${re}; the output ended with ${JSON.stringify(this.text.slice(-600))}`));
      }, timeoutMs);
      if (!w.check(performance.now())) this.waiters.add(w);
    });
  }
}

/** Debian trixie's packages unpacked (scripts/trixie-engine.sh downloads them once): Docker 26 and its peers. */
function trixieRoot(root) {
  return execFileSync('bash', [join(root, 'scripts', 'trixie-engine.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/**
 * The peers: Debian trixie's docker CLI and its buildx 0.13.1 plugin (scripts/trixie-engine.sh), the plugin set
 * up in a fresh DOCKER_CONFIG under `dir` (so the engine's default builder: the docker driver, BuildKit in dockerd).
 */
export function trixiePeers(root, dir) {
  const trixie = trixieRoot(root);
  const buildx = join(trixie, 'usr', 'libexec', 'docker', 'cli-plugins', 'docker-buildx');
  const dockerConfig = join(dir, 'docker-config');
  mkdirSync(join(dockerConfig, 'cli-plugins'), { recursive: true });
  symlinkSync(buildx, join(dockerConfig, 'cli-plugins', 'docker-buildx'));
  return { trixie, docker: join(trixie, 'usr', 'bin', 'docker'), buildx, dockerConfig };
}
