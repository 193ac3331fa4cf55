// The engines the integration and end-to-end tests run on. With DOCKER_HOST
// set, the suite runs once, on that engine. Without it, on two embedded
// engines that the run starts (and stops again if it started them), each
// with its own state dir, socket and bridge: Debian bookworm's Docker 20.10
// (BuildKit v0.8) and Docker 26.1.5 from Debian trixie (BuildKit v0.13),
// plus a smoke run on 26 with the containerd image store.
// BAKE_TEST_ENGINES=docker-20.10,docker-26 picks some of them.
import { execFileSync, spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** Test files the containerd-store smoke run takes: a build, build avoidance, and bake dev --detach / ls / stop. */
const SMOKE = ['integration/build-cli.test.js', 'integration/build-avoid.test.js', 'integration/dev-detach.test.js'];

export function testEngines(env = process.env) {
  if (env.DOCKER_HOST) return [{ name: env.DOCKER_HOST, external: true, env: {} }];
  const state = (name) => join(env.HOME || homedir(), '.local', 'state', `bake-test-${name}`);
  const all = [
    { name: 'docker-20.10', dockerd: () => '/usr/sbin/dockerd', state: state('20.10') },
    { name: 'docker-26', dockerd: trixieDockerd, state: state('26') },
    { name: 'docker-26-containerd', dockerd: trixieDockerd, state: state('26-containerd'), features: 'containerd-snapshotter', only: SMOKE },
  ];
  const picked = env.BAKE_TEST_ENGINES?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return all.filter((e) => !picked || picked.includes(e.name));
}

function trixieDockerd() {
  const unpacked = execFileSync('bash', [join(root, 'scripts', 'trixie-engine.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return join(unpacked, 'usr', 'sbin', 'dockerd');
}

/**
 * Starts the engine when it does not answer and imports the BusyBox base
 * image; returns the environment the tests run with and a stop function.
 */
export function prepareEngine(engine) {
  if (engine.external) {
    importBusybox(process.env);
    return { env: {}, stop: () => {} };
  }
  const dockerd = engine.dockerd();
  const socket = join(engine.state, 'bake', 'engine', 'docker.sock');
  const env = {
    ...process.env,
    XDG_STATE_HOME: engine.state,
    BAKE_DOCKERD: dockerd,
    DOCKER_HOST: `unix://${socket}`,
    ...(engine.features ? { BAKE_ENGINE_FEATURES: engine.features } : {}),
  };
  const started = spawnSync(join(root, 'bin', 'bake'), ['engine', 'start'], { env, encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
  process.stderr.write(started.stderr);
  if (started.status !== 0) throw new Error(`the ${engine.name} engine did not start (see above)`);
  importBusybox(env);
  const stop = () => void spawnSync(join(root, 'bin', 'bake'), ['engine', 'stop'], { env, stdio: 'ignore' });
  // What the tests see: the engine through DOCKER_HOST, and its dockerd for the tests that start engines of their own.
  return { env: { DOCKER_HOST: env.DOCKER_HOST, BAKE_DOCKERD: dockerd }, stop: started.stderr.includes('already runs') ? () => {} : stop };
}

function importBusybox(env) {
  execFileSync(process.execPath, [join(root, 'scripts', 'busybox-image.mjs')], { env, stdio: 'inherit' });
}
