/**
 * Fifty targets in one run (issue 4's scale point): own and shared contexts
 * and target: edges, at the default parallelism, within a bounded CLI memory.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bake, type Run } from '../support/bake-cli.js';
import { engineRequest } from '../support/busybox-image.js';
import { requireBuildEngine } from '../support/engine.js';
import { fileInImage } from '../support/image-files.js';

const nonce = randomBytes(4).toString('hex');
const COUNT = 50;
const OWN = 20;
const SHARED_DIRS = 5;
const EDGES = 10;
const names = Array.from({ length: COUNT }, (_, i) => `t${String(i).padStart(2, '0')}`);
const tag = (name: string): string => `bake-test/scale-${name}-${nonce}:dev`;
/** Dependant → dependency: the last EDGES targets each build on one of the first, own-context targets. */
const deps = new Map(names.slice(COUNT - EDGES).map((name, i) => [name, names[i] as string]));
let socketPath = '';
let project = '';

before(async () => {
  socketPath = await requireBuildEngine();
  project = mkdtempSync(join(tmpdir(), 'bake-scale-'));
  let hcl = `group "default" {\n  targets = [${names.map((n) => `"${n}"`).join(', ')}]\n}\n`;
  names.forEach((name, i) => {
    // The first OWN targets each have their own directory; the rest share SHARED_DIRS directories, each with its own Dockerfile.
    const dir = i < OWN ? `own/${name}` : `shared/s${i % SHARED_DIRS}`;
    mkdirSync(join(project, dir), { recursive: true });
    writeFileSync(join(project, dir, `${name}.txt`), `${name}-${nonce}\n`);
    const dep = deps.get(name);
    // A dependant records its dependency's /id before writing its own, so its image shows the edge was followed.
    const from = dep ? 'FROM base\nRUN cp /id /from\n' : 'FROM bake-test/busybox\n';
    writeFileSync(join(project, dir, `${name}.Dockerfile`), `${from}COPY ${name}.txt /${name}.txt\nRUN echo ${name}-${nonce} > /id\n`);
    hcl += `target "${name}" {\n  context = "${dir}"\n  dockerfile = "${name}.Dockerfile"\n  tags = ["${tag(name)}"]\n${dep ? `  contexts = { base = "target:${dep}" }\n` : ''}}\n`;
  });
  writeFileSync(join(project, 'docker-bake.hcl'), hcl);
});

after(async () => {
  for (const name of names) await engineRequest(socketPath, 'DELETE', `/images/${tag(name)}?force=1`).catch(() => undefined);
  if (project) rmSync(project, { recursive: true, force: true });
});

/** Runs bin/bake under GNU time, in runBake's environment; time's %M (peak RSS, KiB) ends stderr. */
function timedBake(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const started = performance.now();
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', DOCKER_HOST: `unix://${socketPath}` };
    // %M is the peak RSS of the process time waited for: bake's node process, as bin/bake is a node script.
    const child = spawn('/usr/bin/time', ['-f', '%M', bake, ...args], { cwd: project, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: performance.now() - started }));
  });
}

test(`${COUNT} targets with shared contexts and target: edges build in one run, the CLI under 200 MB`, async () => {
  const r = await timedBake(['--progress=plain']);
  assert.equal(r.status, 0, r.stderr.slice(-5_000));
  const peakKiB = Number(/(\d+)\n?$/.exec(r.stderr)?.[1]);
  assert.ok(peakKiB > 0, `time printed the peak RSS: ${r.stderr.slice(-200)}`);
  assert.ok(peakKiB < 200 * 1024, `peak RSS ${(peakKiB / 1024).toFixed(0)} MB`);
  assert.match(r.stderr, /\nTARGET +RESULT +DURATION +IMAGE\n/);
  const rows = [...r.stderr.matchAll(/^(t\d\d) +built +[\d.]+s +sha256:[0-9a-f]{12}$/gm)].map((m) => m[1]);
  assert.deepEqual(rows.sort(), names, 'the summary lists every target as built');
  for (const name of names) assert.equal((await engineRequest(socketPath, 'GET', `/images/${tag(name)}/json`)).status, 200, tag(name));
  // A sample across the kinds: own contexts (some of them dependencies), shared contexts, dependants.
  const sample = ['t00', 't05', 't09', 't19', 't20', 't27', 't33', 't40', 't44', 't49'];
  for (const name of sample) {
    assert.equal(await fileInImage(socketPath, tag(name), 'id'), `${name}-${nonce}\n`, name);
    assert.equal(await fileInImage(socketPath, tag(name), `${name}.txt`), `${name}-${nonce}\n`, name);
    const dep = deps.get(name);
    if (dep) assert.equal(await fileInImage(socketPath, tag(name), 'from'), `${dep}-${nonce}\n`, `${name} builds on ${dep}`);
  }
  console.log(
    `${COUNT} targets (${OWN} own contexts, ${SHARED_DIRS} shared, ${EDGES} target: edges): ${(r.ms / 1000).toFixed(1)} s, CLI peak RSS ${(peakKiB / 1024).toFixed(0)} MB`,
  );
});
