/**
 * The embedded engine beside another Docker (issue 11): a system-style
 * dockerd (iptables on) loads br_netfilter and sets the FORWARD policy to
 * DROP. Our engine runs with --iptables=false, so without its one rule the
 * services of a session network could resolve each other but not talk.
 * This starts both engines on private dirs, brings up two services on a
 * session network and checks that traffic flows, and that it stops when
 * the rule is removed (so the check can fail). The host's firewall rules
 * are saved before and restored after.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { importBusyboxImage } from '../../src/docker/busybox-image.js';
import { parseEngineAddress } from '../../src/docker/endpoint.js';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { startEngine, stopEngine } from '../../src/docker/engine-manager.js';
import { collectOutput } from '../../src/docker/stdcopy.js';
import { ServiceRuntime, type ServicePlan, type SessionIdentity } from '../../src/dev/runtime/service-runtime.js';

// Short: dockerd's unix sockets live under it.
const scratch = mkdtempSync('/tmp/bake-beside-');
const env = {
  PATH: process.env['PATH'],
  HOME: process.env['HOME'],
  XDG_STATE_HOME: join(scratch, 'ours'),
  ...(process.env['BAKE_DOCKERD'] ? { BAKE_DOCKERD: process.env['BAKE_DOCKERD'] } : {}),
};
const signal = (): AbortSignal => AbortSignal.timeout(90_000);
const iptables = (...args: string[]): { status: number | null; stdout: string; stderr: string } => spawnSync('iptables', ['-w', ...args], { encoding: 'utf8' });
let savedRules = '';
let savedForwarding = '';
let other: ChildProcess | undefined;
let ours: DockerEngine | undefined;
let runtime: ServiceRuntime | undefined;
const otherSocket = join(scratch, 'other.sock');

before(async () => {
  if (process.getuid?.() !== 0) throw new Error('These tests start two dockerds and read the firewall: run them as root, as CI does.');
  const saved = spawnSync('iptables-save', [], { encoding: 'utf8' });
  if (saved.status !== 0) throw new Error(`iptables-save failed (${saved.stderr.trim()}): install iptables (apt-get install iptables), as CI does.`);
  savedRules = saved.stdout;
  savedForwarding = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
});

after(async () => {
  await runtime?.down({ volumes: true }, signal()).catch(() => undefined);
  ours?.close();
  await stopEngine(env, signal());
  if (other?.pid !== undefined && other.exitCode === null) {
    other.kill('SIGTERM');
    await new Promise((resolve) => other?.once('exit', resolve));
  }
  // The other Docker leaves its chains, its DROP policy and docker0 behind, as a system one would.
  spawnSync('ip', ['link', 'delete', 'docker0'], { stdio: 'ignore' });
  if (savedRules) spawnSync('iptables-restore', [], { input: savedRules });
  if (savedForwarding) writeFileSync('/proc/sys/net/ipv4/ip_forward', savedForwarding);
  rmSync(scratch, { recursive: true, force: true });
});

/** A system-style dockerd: Debian's, with its defaults (iptables, docker0), on private dirs. */
async function startOtherDocker(): Promise<void> {
  const data = join(scratch, 'other');
  other = spawn(
    '/usr/sbin/dockerd',
    [
      `--data-root=${data}/data`,
      `--exec-root=${data}/run`,
      `--pidfile=${data}/dockerd.pid`,
      `--host=unix://${otherSocket}`,
      '--containerd-namespace=bake-test-other',
      '--containerd-plugins-namespace=bake-test-other-plugins',
    ],
    { stdio: 'ignore' },
  );
  const engine = new DockerEngine(parseEngineAddress(`unix://${otherSocket}`));
  try {
    for (let k = 0; ; k++) {
      if (await engine.ping(AbortSignal.timeout(1_000)).catch(() => false)) return;
      assert.ok(k < 300 && other.exitCode === null, 'the system-style dockerd did not answer within 30 s');
      await sleep(100);
    }
  } finally {
    engine.close();
  }
}

async function execIn(engine: DockerEngine, containerId: string, cmd: string[]): Promise<{ code: number | null; out: string }> {
  const id = await engine.execs.create(containerId, { Cmd: cmd, AttachStdout: true, AttachStderr: true }, signal());
  const { stdout, stderr } = await collectOutput((await engine.execs.start(id, false, signal())).frames());
  return { code: (await engine.execs.inspect(id, signal())).ExitCode, out: stdout + stderr };
}

test('services of a session on the embedded engine reach each other while a system-style Docker filters FORWARD with policy DROP', async () => {
  const started = await startEngine(env, { evenIfAnotherAnswers: true }, signal());
  assert.equal(started.started, true, started.message);
  // Ours starts first: the rule must already be there when the other Docker turns filtering on.
  await startOtherDocker();
  // A system Docker sets the FORWARD policy to DROP when it turns IP forwarding on; where forwarding was on already
  // (an earlier run), it leaves the policy alone: set it as a fresh host would have it.
  assert.equal(iptables('-P', 'FORWARD', 'DROP').status, 0);
  assert.match(iptables('-S', 'FORWARD').stdout, /^-A FORWARD -j DOCKER-USER$/m, 'the other Docker programs the firewall');
  assert.equal(readFileSync('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').trim(), '1', 'bridged traffic goes through iptables');

  ours = new DockerEngine(started.endpoint);
  await importBusyboxImage(ours, signal());
  const key = randomBytes(6).toString('hex');
  const session: SessionIdentity = {
    id: `bs-${key.slice(0, 6)}`,
    projectKey: key,
    files: [join(scratch, 'docker-bake.hcl')],
    engine: started.endpoint.address,
    owner: `test-${key}`,
  };
  runtime = new ServiceRuntime(ours, session, { env: () => undefined, home: '/nonexistent' });
  const service = (name: string): ServicePlan => ({
    service: { name, command: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'] },
    image: 'busybox:latest',
    projectDir: scratch,
  });
  const up = await runtime.up(
    [service('a'), service('b')],
    { replacing: async () => undefined, created: async () => undefined, startHost: async () => undefined, status: () => undefined },
    { healthTimeoutMs: 10_000 },
    signal(),
  );
  const a = up.containers.get('a') ?? '';

  const lookup = await execIn(ours, a, ['nslookup', 'b']);
  assert.equal(lookup.code, 0, lookup.out);
  const ping = await execIn(ours, a, ['ping', '-c2', '-W2', 'b']);
  assert.equal(ping.code, 0, `a cannot reach b:\n${ping.out}\n${iptables('-S', 'FORWARD').stdout}`);

  // Without the rule the same ping is dropped: the check above tests the rule, not a lucky host.
  const rule = iptables('-S', 'FORWARD')
    .stdout.split('\n')
    .find((l) => l.includes('bake: containers on one bake bridge'));
  assert.ok(rule, 'the embedded engine added its FORWARD rule');
  assert.equal(
    iptables(
      ...rule
        .replace(/^-A /, '-D ')
        .split(/ (?=(?:[^"]*"[^"]*")*[^"]*$)/)
        .map((w) => w.replace(/^"|"$/g, '')),
    ).status,
    0,
  );
  try {
    const dropped = await execIn(ours, a, ['ping', '-c1', '-W1', 'b']);
    assert.notEqual(dropped.code, 0, 'without the rule the other Docker drops the traffic');
  } finally {
    assert.equal(
      iptables(
        ...rule
          .replace(/^-A /, '-I ')
          .split(/ (?=(?:[^"]*"[^"]*")*[^"]*$)/)
          .map((w) => w.replace(/^"|"$/g, '')),
      ).status,
      0,
    );
  }
});
