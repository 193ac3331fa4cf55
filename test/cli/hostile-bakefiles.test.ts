/**
 * A bake file must never hang, crash or change values (issue 14): whatever
 * it holds, bin/bake answers in bounded time and memory, with buildx's value
 * or a positioned error (exit 2), never "This is a bug in bake". Each run
 * has a time limit and a small heap, so a hang or a blow-up fails its test
 * instead of stalling the suite or swapping.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBake, type Run } from '../support/bake-cli.js';
import { tempDir } from '../support/temp-dir.js';

/** `bake --print` on one bake file, killed after 30 s (a loaded machine needs far less), on a 256 MB heap. */
function printBakeFile(name: string, text: string): Promise<Run> {
  const dir = tempDir('bake-hostile-');
  writeFileSync(join(dir, name), text);
  return runBake(['-f', name, '--print'], { cwd: dir, timeoutMs: 30_000, env: { NODE_OPTIONS: '--max-old-space-size=256' } });
}

function printedArgs(r: Run): unknown {
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { target: Record<string, { args?: unknown }> }).target['default']?.args;
}

/** A bake-file error: exit 2, the message (after buildx's summary) and where it points, and no "bug in bake". */
function assertBakeFileError(r: Run, message: string, at: string): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n');
  assert.ok(lines[0]?.startsWith('error: ') && lines[0].endsWith(message), r.stderr);
  assert.equal(lines[1], `  --> ${at}`, r.stderr);
}

test('regular expressions match in linear time as RE2 does: (a+)+$ on 50 characters answers at once', async () => {
  const input = `${'a'.repeat(50)}!`;
  const r = await printBakeFile(
    'docker-bake.hcl',
    `target "default" {
  args = {
    ALL = length(regexall("(a+)+$", "${input}"))
    REPLACED = regex_replace("${input}", "(a+)+$", "x")
    WHOLE = regex("(?:a|aa)+$", "${'a'.repeat(50)}")
  }
}
`,
  );
  assert.deepEqual(printedArgs(r), { ALL: '0', REPLACED: input, WHOLE: 'a'.repeat(50) });
});

test('format with a width or precision Go cannot read prints as buildx does, at once: %!(NOVERB)', async () => {
  const r = await printBakeFile(
    'docker-bake.hcl',
    `target "default" {
  args = {
    WIDTH = format("%0999999999d", 1)
    PRECISION = format("%.999999999f", 1)
  }
}
`,
  );
  assert.deepEqual(printedArgs(r), { WIDTH: '%!(NOVERB)%!(EXTRA *big.Int=1)', PRECISION: '%!(NOVERB)%!(EXTRA *big.Float=1)' });
});

test('a chain of 5,000 operators evaluates, as in buildx: its length costs no stack', async () => {
  const chain = Array.from({ length: 5000 }, () => 'V').join(' + ');
  const r = await printBakeFile('docker-bake.hcl', `variable "V" {\n  default = 1\n}\n\ntarget "default" {\n  args = {\n    SUM = ${chain}\n  }\n}\n`);
  assert.deepEqual(printedArgs(r), { SUM: '5000' });
});

test('jsondecode of a document nested 3,000 deep is an error of the call, at its position', async () => {
  const deep = JSON.stringify(`${'['.repeat(3000)}${']'.repeat(3000)}`);
  const r = await printBakeFile('docker-bake.hcl', `target "default" {\n  args = {\n    X = length(jsondecode(${deep}))\n  }\n}\n`);
  assertBakeFileError(r, `Call to function "jsondecode" failed: invalid character '[' exceeded max depth.`, 'docker-bake.hcl:3:16');
});

test('compose interpolation nested 2,000 deep is an error of the compose file, at the value', async () => {
  const image = `${'${X:-'.repeat(2000)}v${'}'.repeat(2000)}`;
  const r = await printBakeFile('compose.yaml', `services:\n  app:\n    image: "${image}"\n`);
  assertBakeFileError(r, 'Templates nested too deep in services.app.image: More than 1000 ${...} templates inside or after one another.', 'compose.yaml:3:12');
});

test('a YAML alias bomb stops at a bounded number of nodes, at a position', async () => {
  const levels = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
  for (let i = 1; i < 10; i++)
    levels.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(', ')}]`,
    );
  const r = await printBakeFile('compose.yaml', `x-bomb:\n${levels.map((l) => `  ${l}`).join('\n')}\nservices:\n  app:\n    image: app\n`);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^error: yaml: aliases expand to too many nodes\n {2}--> compose\.yaml:\d+:\d+$/m);
});

test('a matrix of more than 10,000 combinations is refused at the matrix, before it is expanded', async () => {
  const values = JSON.stringify(Array.from({ length: 1000 }, (_, i) => `v${i}`));
  const r = await printBakeFile(
    'docker-bake.hcl',
    `target "default" {\n  name = "t-\${a}-\${b}-\${c}"\n  matrix = {\n    a = ${values}\n    b = ${values}\n    c = ${values}\n  }\n}\n`,
  );
  assertBakeFileError(r, 'Matrix too large: The matrix makes more than 10000 combinations.', 'docker-bake.hcl:3:12');
});

test('JSON and TOML bake files nested 2,000 deep are refused at the bracket past the limit, as HCL files are', async () => {
  const tooDeep = 'Nesting too deep: This is nested more than 128 levels deep.';
  // Line 2 opens at depth 4 (the document, target, default): its 126th brace is the 129th level.
  const json = await printBakeFile('docker-bake.json', `{"target": {"default": {"labels":\n${'{"a":'.repeat(2000)}"x"${'}'.repeat(2000)}\n}}}\n`);
  assertBakeFileError(json, tooDeep, 'docker-bake.json:2:626');
  const toml = await printBakeFile('bake.toml', `[target.default]\ntags = ${'['.repeat(2000)}"a"${']'.repeat(2000)}\n`);
  assertBakeFileError(toml, tooDeep, 'bake.toml:2:136');
});

test('a __proto__ key is a key like any other in args and labels, as buildx keeps it', async () => {
  const r = await printBakeFile('docker-bake.hcl', `target "default" {\n  args = { "__proto__" = "x", A = "1" }\n  labels = { "__proto__" = "y" }\n}\n`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /"args": \{\n\s+"A": "1",\n\s+"__proto__": "x"\n\s+\}/);
  assert.match(r.stdout, /"labels": \{\n\s+"__proto__": "y"\n\s+\}/);
});
