/**
 * The embedded default engine (product §5): a private dockerd started where
 * none answers, with its own data root, exec root, pidfile, socket, config
 * and default bridge, so it can run beside a system dockerd.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, networkInterfaces } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DockerEngine } from './engine-api.js';
import { BRIDGE_PREFIX, enginePaths, type EnginePaths } from './engine-paths.js';
import { embeddedPid, parseEngineAddress, resolveEngineEndpoint, type EndpointSource, type EngineEndpoint } from './endpoint.js';
import { EngineError } from './errors.js';
import { pidAlive } from './pid.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface EngineStatus {
  readonly source: EndpointSource;
  readonly address: string;
  readonly reason: string;
  readonly answers: boolean;
  /** The engine's version when it answers. */
  readonly version?: string;
  readonly apiVersion?: string;
  readonly embedded: { readonly stateDir: string; readonly running: boolean; readonly pid?: number };
}

export interface StartResult {
  readonly endpoint: EngineEndpoint;
  /** False when an engine already answered and nothing was started. */
  readonly started: boolean;
  readonly message: string;
}

export interface StartOptions {
  /** Start the embedded engine even when DOCKER_HOST or the system socket answers (tests). */
  readonly evenIfAnotherAnswers?: boolean;
  readonly timeoutMs?: number;
}

const PING_TIMEOUT_MS = 2_000;
// A socket path longer than sun_path (108 bytes, with containerd's suffixes) cannot be bound.
const MAX_SOCKET_DIR = 80;

/** Which engine bake uses, why, and whether it answers. */
export async function engineStatus(env: Env, signal: AbortSignal): Promise<EngineStatus> {
  const resolved = resolveEngineEndpoint(env);
  const paths = enginePaths(env, homedir());
  const pid = embeddedPid(paths);
  const embedded = { stateDir: paths.stateDir, running: pid !== undefined, ...(pid !== undefined ? { pid } : {}) };
  const base = { source: resolved.source, address: resolved.endpoint.address, reason: resolved.reason, embedded };
  const engine = new DockerEngine(resolved.endpoint);
  try {
    const v = await engine.version(AbortSignal.any([signal, AbortSignal.timeout(PING_TIMEOUT_MS)]));
    return { ...base, answers: true, version: v.Version, apiVersion: v.ApiVersion };
  } catch (e) {
    if (signal.aborted) throw e;
    return { ...base, answers: false };
  } finally {
    engine.close();
  }
}

/** Starts the embedded engine unless an engine already answers; resolves once it answers /_ping. */
export async function startEngine(env: Env, options: StartOptions, signal: AbortSignal): Promise<StartResult> {
  const paths = enginePaths(env, homedir());
  const embedded = parseEngineAddress(`unix://${paths.socket}`);
  if (embeddedPid(paths) !== undefined && (await answers(embedded, signal))) {
    return { endpoint: embedded, started: false, message: `The embedded engine already runs at ${embedded.address}.` };
  }
  if (!options.evenIfAnotherAnswers) {
    const resolved = resolveEngineEndpoint(env);
    if (resolved.source !== 'embedded' && (await answers(resolved.endpoint, signal))) {
      return {
        endpoint: resolved.endpoint,
        started: false,
        message: `An engine already answers at ${resolved.endpoint.address} (${resolved.reason}); bake uses it, so no embedded engine was started.`,
      };
    }
  }
  // BAKE_DOCKERD names a dockerd outside the usual places (a newer one, a test's absent one).
  const dockerd = env['BAKE_DOCKERD'] !== undefined ? executable(env['BAKE_DOCKERD']) : findExecutable('dockerd', env);
  if (dockerd === undefined)
    throw new EngineError(
      'dockerd is not installed, so the embedded engine cannot start',
      'Install it with `apt-get install docker.io` (as root), then run `bake engine start` again.',
    );
  if (process.getuid?.() !== 0)
    throw new EngineError(
      'the embedded engine needs root: dockerd manages mounts, cgroups and a network bridge',
      'Run `sudo bake engine start`, or point DOCKER_HOST at an engine you can use.',
    );
  if (paths.stateDir.length > MAX_SOCKET_DIR)
    throw new EngineError(`the engine's state directory ${paths.stateDir} is too long for its unix sockets`, 'Set XDG_STATE_HOME to a shorter directory.');

  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  // Our own config: the system's /etc/docker/daemon.json may set hosts, data-root or a bridge that clash with ours.
  const config = join(paths.stateDir, 'daemon.json');
  writeFileSync(config, `${JSON.stringify(daemonConfig(env))}\n`);
  rmSync(paths.socket, { force: true });
  ensureBridge(paths, env);

  acceptBridgedTraffic(env);

  const log = openSync(paths.logFile, 'w');
  const child = spawn(dockerd, dockerdArgs(paths, config), {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, PATH: dockerdPath(dockerd, env) },
  });
  closeSync(log);
  let exited: string | undefined;
  child.once('exit', (code, sig) => void (exited = sig ?? `exit code ${code}`));
  child.once('error', (e) => void (exited = e.message));
  child.unref();

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (!(await answers(embedded, signal))) {
    if (exited !== undefined) {
      releaseDataRoot(paths);
      throw startFailure(`dockerd stopped (${exited}) before it answered`, paths);
    }
    if (Date.now() > deadline) {
      if (child.pid !== undefined) signalProcess(child.pid, 'SIGTERM');
      throw startFailure(`dockerd did not answer on ${paths.socket} within ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s`, paths);
    }
    await sleep(100, undefined, { signal });
  }
  const note =
    env['DOCKER_HOST'] && env['DOCKER_HOST'] !== embedded.address
      ? ` DOCKER_HOST is set, so bake keeps using ${env['DOCKER_HOST']}: unset it to use this engine.`
      : '';
  return { endpoint: embedded, started: true, message: `The embedded engine runs at ${embedded.address} (pid ${child.pid}, log ${paths.logFile}).${note}` };
}

/** Stops the embedded engine (SIGTERM, as systemd does) and waits until it is gone; false when it was not running. */
export async function stopEngine(env: Env, signal: AbortSignal, timeoutMs = 60_000): Promise<boolean> {
  const paths = enginePaths(env, homedir());
  const pid = embeddedPid(paths);
  if (pid === undefined) {
    releaseDataRoot(paths);
    removeBridge(paths);
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  let killed = false;
  while (pidAlive(pid)) {
    // dockerd stops its containers (15 s each at most) before it exits; past our deadline, kill it.
    if (Date.now() > deadline && !killed) killed = signalProcess(pid, 'SIGKILL');
    await sleep(100, undefined, { signal });
  }
  releaseDataRoot(paths);
  removeBridge(paths);
  dropBridgedTrafficRule(env);
  return true;
}

/**
 * dockerd finds containerd, its shims, docker-proxy and docker-init on PATH:
 * those unpacked beside it (an engine from another release, BAKE_DOCKERD) come
 * first, so a newer dockerd never runs with the system's older containerd.
 */
export function dockerdPath(dockerd: string, env: Env): string {
  const dir = dirname(dockerd);
  return [dir, join(dir, '..', 'bin'), ...(env['PATH'] ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin']
    .filter((d) => d !== '')
    .join(delimiter);
}

/**
 * daemon.json: empty, but for the features BAKE_ENGINE_FEATURES names
 * (e.g. `containerd-snapshotter`, the containerd image store that Docker
 * Desktop and new installs use), so bake can be tried on them.
 */
export function daemonConfig(env: Env): { features?: Record<string, boolean> } {
  const features = (env['BAKE_ENGINE_FEATURES'] ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  return features.length ? { features: Object.fromEntries(features.map((f) => [f, true])) } : {};
}

/** dockerd's flags: everything private, and no changes to the host's firewall or forwarding. */
export function dockerdArgs(paths: EnginePaths, config: string): string[] {
  return [
    `--config-file=${config}`,
    `--data-root=${paths.dataRoot}`,
    `--exec-root=${paths.execRoot}`,
    `--pidfile=${paths.pidFile}`,
    `--host=unix://${paths.socket}`,
    // BuildKit's RUN needs the default bridge network ("network bridge not found" with --bridge=none).
    `--bridge=${paths.bridge}`,
    '--iptables=false',
    '--ip-masq=false',
    '--ip-forward=false',
    '--default-address-pool=base=10.214.0.0/16,size=24',
    `--containerd-namespace=${paths.containerdNamespace}`,
    `--containerd-plugins-namespace=${paths.containerdNamespace}-plugins`,
    '--log-level=warn',
  ];
}

async function answers(endpoint: EngineEndpoint, signal: AbortSignal): Promise<boolean> {
  const engine = new DockerEngine(endpoint);
  try {
    return await engine.ping(AbortSignal.any([signal, AbortSignal.timeout(PING_TIMEOUT_MS)]));
  } catch (e) {
    if (signal.aborted) throw e;
    return false;
  } finally {
    engine.close();
  }
}

/** Sends a signal; a process that is already gone is fine. */
function signalProcess(pid: number, sig: NodeJS.Signals): true {
  try {
    process.kill(pid, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
  return true;
}

function startFailure(what: string, paths: EnginePaths): EngineError {
  let tail = '';
  try {
    tail = readFileSync(paths.logFile, 'utf8').trimEnd().split('\n').slice(-8).join('\n');
  } catch {
    // No log: the message alone.
  }
  return new EngineError(`${what}${tail ? `; the end of ${paths.logFile}:\n${tail}` : ''}`, `Fix what the log says, then run \`bake engine start\` again.`);
}

/** The executable on PATH, also looking in the sbin directories a user's PATH may lack. */
function findExecutable(name: string, env: Env): string | undefined {
  const dirs = [...(env['PATH'] ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs.filter((d) => d !== '')) {
    const found = executable(join(dir, name));
    if (found) return found;
  }
  return undefined;
}

function executable(path: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

/**
 * dockerd creates only a bridge named docker0 itself; a bridge of our own
 * name (so we never share the system engine's) must exist, with an address.
 */
function ensureBridge(paths: EnginePaths, env: Env): void {
  const ip = findExecutable('ip', env);
  if (ip === undefined)
    throw new EngineError(
      'the `ip` command is not installed, so the embedded engine cannot create its network bridge',
      'Install it with `apt-get install iproute2`, then run `bake engine start` again.',
    );
  if (spawnSync(ip, ['link', 'show', paths.bridge], { stdio: 'ignore' }).status === 0) return;
  const subnet = freeSubnet(paths.bridge);
  for (const args of [
    ['link', 'add', 'name', paths.bridge, 'type', 'bridge'],
    ['addr', 'add', `${subnet}.1/24`, 'dev', paths.bridge],
    ['link', 'set', paths.bridge, 'up'],
  ]) {
    const r = spawnSync(ip, args, { encoding: 'utf8' });
    if (r.status !== 0)
      throw new EngineError(
        `could not create the engine's bridge ${paths.bridge}: ip ${args.join(' ')}: ${r.stderr.trim()}`,
        'Run bake engine start as root on a host where network bridges can be created.',
      );
  }
}

/**
 * dockerd bind-mounts its data root onto itself and undoes it on a clean
 * exit, but not when it fails to start: the directory then cannot be removed.
 */
function releaseDataRoot(paths: EnginePaths): void {
  let mountInfo: string;
  try {
    mountInfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return;
  }
  // Field 5 is the mount point (octal escapes for blanks, which our paths do not have).
  const mounted = mountInfo.split('\n').filter((line) => line.split(' ')[4] === paths.dataRoot).length;
  for (let k = 0; k < mounted; k++) spawnSync('umount', [paths.dataRoot], { stdio: 'ignore' });
}

function removeBridge(paths: EnginePaths): void {
  spawnSync('ip', ['link', 'delete', paths.bridge], { stdio: 'ignore', env: { PATH: `${process.env['PATH'] ?? ''}${delimiter}/usr/sbin${delimiter}/sbin` } });
}

/** A /24 in 10.213.0.0/16 that no interface uses, starting at one picked from the bridge name. */
function freeSubnet(bridge: string): string {
  const used = new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address.split('.').slice(0, 3).join('.'))));
  const start = parseInt(bridge.slice(-2), 16);
  for (let k = 0; k < 256; k++) {
    const subnet = `10.213.${(start + k) % 256}`;
    if (!used.has(subnet)) return subnet;
  }
  throw new EngineError('no free /24 subnet is left in 10.213.0.0/16 for the engine bridge', 'Stop engines you no longer need with `bake engine stop`.');
}

// Bridged (not routed) traffic only: two different bake bridges stay apart.
const FORWARD_RULE = [
  'FORWARD',
  '-i',
  `${BRIDGE_PREFIX}+`,
  '-m',
  'physdev',
  '--physdev-is-bridged',
  '-m',
  'comment',
  '--comment',
  'bake: containers on one bake bridge',
  '-j',
  'ACCEPT',
];

/**
 * Our engine runs with --iptables=false, so it adds no firewall rules. Where
 * the host filters bridged traffic (br_netfilter with bridge-nf-call-iptables=1,
 * which another Docker loads) and that Docker has set the FORWARD policy to
 * DROP, containers on one of our bridges could not reach each other (DNS still
 * answered: it never crosses FORWARD). One rule accepts traffic that stays
 * within one of our bridges, and nothing else: the other engine's rules and
 * isolation are untouched. Added even when nothing filters yet, as another
 * Docker may start after ours.
 */
function acceptBridgedTraffic(env: Env): void {
  const iptables = findExecutable('iptables', env);
  if (iptables === undefined) return;
  if (spawnSync(iptables, ['-w', '-C', ...FORWARD_RULE], { stdio: 'ignore' }).status === 0) return;
  const r = spawnSync(iptables, ['-w', '-I', ...FORWARD_RULE], { encoding: 'utf8' });
  // Without br_netfilter nothing filters bridged traffic, so a host without physdev needs no rule.
  if (r.status !== 0 && bridgedTrafficFiltered())
    throw new EngineError(
      `could not let traffic through the engine's bridges: iptables -I ${FORWARD_RULE.join(' ')}: ${r.stderr.trim()}`,
      'Run bake engine start as root, or turn off bridge-nf-call-iptables (sysctl net.bridge.bridge-nf-call-iptables=0).',
    );
}

/** Removes the rule once no bake bridge is left on the host (another embedded engine may still use it). */
function dropBridgedTrafficRule(env: Env): void {
  const iptables = findExecutable('iptables', env);
  const ip = findExecutable('ip', env);
  if (iptables === undefined || ip === undefined) return;
  const bridges = spawnSync(ip, ['-o', 'link', 'show', 'type', 'bridge'], { encoding: 'utf8' }).stdout ?? '';
  if (bridges.split('\n').some((line) => line.split(':')[1]?.trim().startsWith(BRIDGE_PREFIX))) return;
  spawnSync(iptables, ['-w', '-D', ...FORWARD_RULE], { stdio: 'ignore' });
}

function bridgedTrafficFiltered(): boolean {
  try {
    return readFileSync('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}
