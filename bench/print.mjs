// bench/print: times `bin/bake --print` as a whole process on a generated
// 1,000-target file and a 3-target file, against `node -e 0` in the same run
// (median of 5 each). Bars (issue 2): 1,000 targets ≤ node + 0.25 s,
// 3 targets ≤ node + 0.08 s; the 1,000 targets as one-line JSON ≤ 1.5× the
// same as pretty JSON (issue 14). Reference: buildx v0.10.5 took 1.35–2.37 s
// on such a 1,000-target file on this machine.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(cmd, args, cwd) {
  const samples = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'], env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    if (i > 0) samples.push(Number(process.hrtime.bigint() - t0) / 1e9); // first run warms the page cache
  }
  return median(samples);
}

const dir = mkdtempSync(join(tmpdir(), 'bake-bench-'));
writeFileSync(join(dir, 'large.hcl'), generateBakeFile(1000));
writeFileSync(join(dir, 'small.hcl'), generateBakeFile(3));

// The same definition as JSON, pretty and on one line: reading positions must not depend on line length (issue 14, defect 7).
const printed = JSON.parse(execFileSync(bake, ['-f', 'large.hcl', '--print'], { cwd: dir, encoding: 'utf8' }));
writeFileSync(join(dir, 'pretty.json'), JSON.stringify(printed, null, 2));
writeFileSync(join(dir, 'minified.json'), JSON.stringify(printed));

const node = time(process.execPath, ['-e', '0'], dir);
const large = time(bake, ['-f', 'large.hcl', '--print'], dir);
const small = time(bake, ['-f', 'small.hcl', '--print'], dir);
const row = (name, t, bar) =>
  `${name.padEnd(28)} ${t.toFixed(3)} s   node + ${(t - node).toFixed(3)} s   ratio ${(t / node).toFixed(2)}x   bar node + ${bar.toFixed(2)} s: ${t - node <= bar ? 'PASS' : 'FAIL'}`;
console.log(`median of ${RUNS} runs (whole process)`);
console.log(`${'node -e 0'.padEnd(28)} ${node.toFixed(3)} s`);
console.log(row('bake --print (1,000 targets)', large, 0.25));
console.log(row('bake --print (3 targets)', small, 0.08));
const pretty = time(bake, ['-f', 'pretty.json', '--print'], dir);
const minified = time(bake, ['-f', 'minified.json', '--print'], dir);
console.log(
  `${'1,000 targets, JSON'.padEnd(28)} ${pretty.toFixed(3)} s pretty, ${minified.toFixed(3)} s on one line: ratio ${(minified / pretty).toFixed(2)}x   bar ≤ 1.5x: ${minified <= 1.5 * pretty ? 'PASS' : 'FAIL'}`,
);
console.log(`1,000 targets vs buildx v0.10.5 measured here (1.35–2.37 s): ${(1.35 / large).toFixed(1)}–${(2.37 / large).toFixed(1)}x faster`);
if (large - node > 0.25 || small - node > 0.08 || minified > 1.5 * pretty) process.exitCode = 1;
