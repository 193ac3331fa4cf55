// bench/print: times `bin/bake --print` as a whole process on a generated
// 1,000-target file and a 3-target file, against `node -e 0` and `docker buildx
// bake --print` 0.13.1 (Debian trixie's, scripts/trixie-engine.sh) of the same
// files, interleaved in one run (median of 5 each, with the range). Bars:
// 1,000 targets ≤ node + 0.25 s (issue 2) and ≤ 0.5× buildx (issue 15),
// 3 targets ≤ node + 0.08 s; the 1,000 targets as one-line JSON ≤ 1.5× the
// same as pretty JSON (issue 14). buildx 0.13.1's --print asks the engine about
// its builder: it gets DOCKER_HOST when set (an engine that answers, as users
// have); without an engine it waits for the connection to fail.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, range, trixiePeers } from './engine-helpers.mjs';

const root = new URL('..', import.meta.url).pathname;
const bake = join(root, 'bin', 'bake');
const RUNS = 5;

/** A bake file of `n` targets, each inheriting a common target and calling a user function in its tags. */
export function generateBakeFile(n) {
  const lines = [
    'variable "REGISTRY" { default = "registry.example.com/team" }',
    'variable "TAG" { default = "v1.2.3" }',
    'function "image" {',
    '  params = [name, tag]',
    '  result = "${REGISTRY}/${lower(name)}:${tag}"',
    '}',
    'target "common" {',
    '  args = { BASE = "debian:bookworm", REGISTRY = REGISTRY }',
    '  labels = { "org.opencontainers.image.vendor" = "example" }',
    '  platforms = ["linux/amd64"]',
    '}',
    `group "default" { targets = [${Array.from({ length: n }, (_, i) => `"svc${i}"`).join(', ')}] }`,
  ];
  for (let i = 0; i < n; i++) {
    lines.push(
      `target "svc${i}" {`,
      '  inherits = ["common"]',
      `  context = "services/svc${i}"`,
      `  tags = [image("svc${i}", TAG), image("svc${i}", "latest")]`,
      `  args = { SERVICE = "svc${i}", VERSION = "\${TAG}-${i}", PORT = "${8000 + (i % 1000)}" }`,
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Whole-process times of each command, interleaved run by run (so drift hits all alike), after one unmeasured
 * run each that warms the page cache: name → { median, range }.
 */
function timeInterleaved(commands) {
  const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (let i = 0; i < RUNS + 1; i++)
    for (const [name, { cmd, args, env, stderr = 'inherit' }] of Object.entries(commands)) {
      const t0 = process.hrtime.bigint();
      execFileSync(cmd, args, { cwd: dir, stdio: ['ignore', 'ignore', stderr], env: env ?? baseEnv });
      if (i > 0) samples[name].push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
  return Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, { median: median(xs), range: range(xs, 3) }]));
}

const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
const dir = mkdtempSync(join(tmpdir(), 'bake-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'large.hcl'), generateBakeFile(1000));
writeFileSync(join(dir, 'small.hcl'), generateBakeFile(3));

// The same definition as JSON, pretty and on one line: reading positions must not depend on line length (issue 14, defect 7).
const printed = JSON.parse(execFileSync(bake, ['-f', 'large.hcl', '--print'], { cwd: dir, encoding: 'utf8' }));
writeFileSync(join(dir, 'pretty.json'), JSON.stringify(printed, null, 2));
writeFileSync(join(dir, 'minified.json'), JSON.stringify(printed));

const peers = trixiePeers(root, dir);
const buildxEnv = { ...baseEnv, DOCKER_CONFIG: peers.dockerConfig, ...(process.env.DOCKER_HOST && { DOCKER_HOST: process.env.DOCKER_HOST }) };
// buildx shows its reading of the file as progress on stderr: not an error.
const buildx = (file) => ({ cmd: peers.docker, args: ['buildx', 'bake', '-f', file, '--print'], env: buildxEnv, stderr: 'ignore' });
const t = timeInterleaved({
  node: { cmd: process.execPath, args: ['-e', '0'] },
  large: { cmd: bake, args: ['-f', 'large.hcl', '--print'] },
  largeBuildx: buildx('large.hcl'),
  small: { cmd: bake, args: ['-f', 'small.hcl', '--print'] },
  smallBuildx: buildx('small.hcl'),
  pretty: { cmd: bake, args: ['-f', 'pretty.json', '--print'] },
  minified: { cmd: bake, args: ['-f', 'minified.json', '--print'] },
});
const node = t.node.median;
const failed = [];
const verdict = (ok, name) => {
  if (!ok) failed.push(name);
  return ok ? 'PASS' : 'FAIL';
};
const timing = (name, figures) => `${name.padEnd(36)} ${figures.median.toFixed(3)} s (${figures.range})`;
const row = (name, k, bar) => {
  const s = t[k].median;
  return `${timing(name, t[k])}   node + ${(s - node).toFixed(3)} s   bar node + ${bar.toFixed(2)} s: ${verdict(s - node <= bar, `${k} vs node`)}`;
};
console.log(`median of ${RUNS} runs each, interleaved (whole process; range min–max); buildx's DOCKER_HOST: ${process.env.DOCKER_HOST ?? 'unset'}`);
console.log(timing('node -e 0', t.node));
console.log(row('bake --print (1,000 targets)', 'large', 0.25));
console.log(row('bake --print (3 targets)', 'small', 0.08));
console.log(timing('buildx bake --print (1,000 targets)', t.largeBuildx));
console.log(timing('buildx bake --print (3 targets)', t.smallBuildx));
const vsBuildx = t.large.median / t.largeBuildx.median;
console.log(`1,000 targets: bake / buildx ${vsBuildx.toFixed(2)}x   bar ≤ 0.5x: ${verdict(vsBuildx <= 0.5, 'large vs buildx')}`);
console.log(`3 targets: bake / buildx ${(t.small.median / t.smallBuildx.median).toFixed(2)}x (no bar: the 3-target bar is node + 0.08 s)`);
console.log(
  `${'1,000 targets, JSON'.padEnd(36)} ${t.pretty.median.toFixed(3)} s pretty, ${t.minified.median.toFixed(3)} s on one line: ratio ${(t.minified.median / t.pretty.median).toFixed(2)}x   bar ≤ 1.5x: ${verdict(t.minified.median <= 1.5 * t.pretty.median, 'one-line JSON')}`,
);
if (failed.length) process.exitCode = 1;
