/**
 * The monitor's file tools (issue 13): ls, cat and cp on a dev container
 * whose image has no shell at all (FROM scratch, one static BusyBox that
 * only sleeps), driven as the monitor drives them: a line parsed, the
 * client's words sent to a real server, its output as the terminal gets it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VERSION } from '../../src/cli/version.js';
import { connectServer, type DevClient } from '../../src/dev/client/connection.js';
import { runMonitorCommand, type MonitorContext } from '../../src/dev/client/monitor-commands.js';
import { parseMonitorLine } from '../../src/dev/monitor/parse.js';
import type { MonitorCommand } from '../../src/dev/monitor/registry.js';
import { parseEngineAddress } from '../../src/docker/endpoint.js';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { runBake, type Run } from '../support/bake-cli.js';
import { privateServerEnv } from '../support/dev-server.js';
import { requireBuildEngine } from '../support/engine.js';

const IMAGE = 'bake-test/dev-files:latest';
const scratch = mkdtempSync(join(tmpdir(), 'bake-dev-files-'));
const project = join(scratch, 'project');
let env: Record<string, string> = {};
let engine: DockerEngine;
let client: DevClient | undefined;
let monitor: MonitorContext;
const run = (args: string[]): Promise<Run> => runBake(args, { cwd: project, socketPath: '', env });

before(async () => {
  const socket = await requireBuildEngine();
  engine = new DockerEngine(parseEngineAddress(`unix://${socket}`));
  env = privateServerEnv(`unix://${socket}`, scratch);
  mkdirSync(env['XDG_RUNTIME_DIR'] ?? '', { recursive: true, mode: 0o700 });
  mkdirSync(project);
  // No /bin/sh, no exec possible: BusyBox runs only as the service's command, its name keeping it BusyBox.
  writeFileSync(
    join(project, 'Dockerfile'),
    'FROM bake-test/busybox:latest AS b\nFROM scratch\nCOPY --from=b /bin/busybox /busybox\nCOPY data.txt /data.txt\n',
  );
  writeFileSync(join(project, 'data.txt'), 'data from the image\n');
  writeFileSync(
    join(project, 'docker-bake.hcl'),
    `target "files" {\n  tags = ["${IMAGE}"]\n}\nservice "files" {\n  target  = "files"\n  command = ["/busybox", "sleep", "3600"]\n}\n` +
      `service "watcher" {\n  runs_on = "host"\n  command = ["sleep", "3600"]\n}\n`,
  );
  const up = await run(['dev', '--detach', '--progress=quiet']);
  assert.equal(up.status, 0, up.stderr);
  const id = /session (\S+) is up/.exec(up.stdout)?.[1];
  assert.ok(id, up.stdout);
  client = await connectServer({ env, version: VERSION, start: undefined, warn: () => undefined });
  assert.ok(client, 'the session started a server');
  const session = (await client.list(env['DOCKER_HOST'] ?? '')).sessions.find((s) => s.id === id);
  assert.ok(session, `session ${id} is listed`);
  assert.deepEqual(
    session.services.map((s) => [s.name, s.state]),
    [
      ['files', 'running'],
      ['watcher', 'running'],
    ],
  );
  monitor = {
    client,
    output: undefined as unknown as NodeJS.WriteStream,
    session,
    current: session.processes.find((p) => p.id === 'files'),
    rebuildFlags: [],
    size: () => ({ columns: 80, rows: 24 }),
    attach: () => assert.fail('no file tool attaches'),
    enter: () => assert.fail('no file tool enters a session'),
    finish: () => assert.fail('no file tool ends the terminal'),
    follow: () => assert.fail('no file tool follows another session'),
  };
});

after(async () => {
  client?.close();
  await run(['dev', 'stop']);
  await run(['server', 'stop']);
  await engine?.images.remove(IMAGE, { force: true }, AbortSignal.timeout(30_000)).catch(() => undefined);
  engine?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** What a monitor line shows on the terminal, attached to `attached` (a process id). */
async function monitorLine(line: string, attached = 'files'): Promise<string> {
  const written: string[] = [];
  const ctx: MonitorContext = {
    ...monitor,
    output: { write: (chunk: string | Uint8Array) => void written.push(Buffer.from(chunk).toString()) } as unknown as NodeJS.WriteStream,
    current: monitor.session.processes.find((p) => p.id === attached),
  };
  await runMonitorCommand(ctx, parseMonitorLine(line, ['files', 'watcher']) as MonitorCommand, AbortSignal.timeout(30_000));
  return written.join('');
}

test('ls lists the root of a container with no shell, ls of one file shows that file', async () => {
  const root = await monitorLine('ls');
  assert.match(root, /^-rw-r--r-- +20 +\d{4}-\d\d-\d\d \d\d:\d\d {2}data\.txt\r$/m, root);
  assert.match(root, /^-rwxr-xr-x +\d+ .* busybox\r$/m, root);
  assert.doesNotMatch(root, / bin\r$/m, 'the image has no /bin');
  assert.equal((await monitorLine('ls data.txt')).split('\r\n').filter(Boolean).length, 1);
  await assert.rejects(monitorLine('ls /bin'), { message: /has no \/bin; ls \/ shows what is there/ });
});

test('cat prints a file, its line ends as the terminal needs them', async () => {
  assert.equal(await monitorLine('cat /data.txt'), 'data from the image\r\n\r\n');
  await assert.rejects(monitorLine('cat /'), { message: /\/ in container \S+-files is a directory; ls \/ lists it/ });
});

test('cp copies a file out of the container and one into it, which cat then shows', async () => {
  const out = join(scratch, 'out.txt');
  assert.match(await monitorLine(`cp :/data.txt ${out}`), new RegExp(`^copied /data.txt \\(20 B\\) from container \\S+-files to ${out}\\r\\n$`));
  assert.equal(readFileSync(out, 'utf8'), 'data from the image\n');

  // Into a host directory, the file keeps its name; SERVICE:PATH names the container, whatever is attached.
  mkdirSync(join(scratch, 'into'));
  await monitorLine(`cp files:data.txt ${join(scratch, 'into')}`, 'watcher');
  assert.equal(readFileSync(join(scratch, 'into', 'data.txt'), 'utf8'), 'data from the image\n');

  const host = join(scratch, 'host.txt');
  writeFileSync(host, 'written from the host\n');
  assert.match(await monitorLine(`cp ${host} :/new.txt`), /^copied \S+host\.txt \(22 B\) to \/new\.txt in container \S+-files\r\n$/);
  assert.equal(await monitorLine('cat new.txt'), 'written from the host\r\n\r\n');
  // Into a container directory, too.
  await monitorLine(`cp ${host} :/`);
  assert.equal(await monitorLine('cat /host.txt'), 'written from the host\r\n\r\n');
});

test('the file tools refuse a host service, and a container path that is not there, in one sentence', async () => {
  await assert.rejects(monitorLine('ls', 'watcher'), { message: 'service watcher runs on the host; its files are yours already' });
  await assert.rejects(monitorLine(`cp :/nope/x ${join(scratch, 'x')}`), { message: /has no \/nope\/x; ls \/nope shows what is there/ });
  await assert.rejects(monitorLine(`cp ${join(scratch, 'host.txt')} :/nope/x`), { message: /has no \/nope/ });
});
