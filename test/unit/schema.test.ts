/**
 * schema/: every JSON and TOML bake file we ship validates against the file
 * schema, every --print result (golden fixtures and examples) against the
 * print schema, and the schemas name exactly the attributes the model has.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import TOML from '@iarna/toml';
import { HEALTHCHECK_ATTRIBUTES, SERVICE_ATTRIBUTES, TARGET_ATTRIBUTES, WATCH_ATTRIBUTES } from '../../src/bakefile/model.js';
import { fixturesDir, repoRoot } from '../support/fixtures.js';
import { evaluateSources, printDefinition } from '../../src/bakefile/pipeline.js';
import { FIXED_WORLD } from '../support/fixed-world.js';

type Validate = ((data: unknown) => boolean) & { errors?: unknown };
const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020.js') as new (opts: object) => { compile(schema: object): Validate };
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const load = (name: string): object => JSON.parse(readFileSync(join(repoRoot(), 'schema', name), 'utf8')) as object;
const fileSchema = load('bakefile.schema.json');
const printSchema = load('print.schema.json');
const validateFile = ajv.compile(fileSchema);
const validatePrint = ajv.compile(printSchema);

function assertValid(validate: Validate, data: unknown, what: string): void {
  assert.ok(validate(data), `${what}: ${JSON.stringify(validate.errors, null, 2)}`);
}

/** Every bake file under examples/ and test/fixtures/bakefiles, with its directory. */
function bakeFiles(): Array<{ dir: string; file: string }> {
  const out: Array<{ dir: string; file: string }> = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (/^(docker-bake|bake)(\.override)?\.(hcl|json|toml)$|^(docker-)?compose\.ya?ml$/.test(e.name)) out.push({ dir, file: e.name });
    }
  };
  walk(join(repoRoot(), 'examples'));
  walk(fixturesDir('bakefiles'));
  out.push({ dir: repoRoot(), file: 'bake.hcl' });
  return out;
}

/** A number as the schema sees one: TOML's bigints (beyond 2^53) and JSON's numbers beyond a double (1e400, Infinity to JSON.parse) are numbers still. */
function schemaNumber(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  return v === Infinity || v === -Infinity ? Math.sign(v) * Number.MAX_VALUE : v;
}

test('JSON and TOML bake files validate against schema/bakefile.schema.json', () => {
  const files = bakeFiles().filter((f) => /\.(json|toml)$/.test(f.file));
  assert.ok(files.length >= 8, 'expected the fixtures and examples to include JSON and TOML files');
  for (const { dir, file } of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    const data: unknown = file.endsWith('.toml') ? JSON.parse(JSON.stringify(TOML.parse(text), schemaNumber)) : JSON.parse(text, schemaNumber);
    // Negative fixtures (expected-error.json) must be caught by the schema too, unless their error is
    // about meaning rather than shape (case.json says schemaValid, e.g. a reference to a missing target),
    // and so must files bake warns about: an attribute buildx ignores is most likely a mistake an editor should show.
    const c = (existsSync(join(dir, 'case.json')) ? JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) : {}) as {
      warnings?: unknown;
      schemaValid?: boolean;
    };
    if ((existsSync(join(dir, 'expected-error.json')) && !c.schemaValid) || c.warnings !== undefined)
      assert.equal(validateFile(data), false, `${join(dir, file)} should not validate`);
    else assertValid(validateFile, data, join(dir, file));
  }
});

test('golden --print outputs validate against schema/print.schema.json', () => {
  const dir = fixturesDir('bakefiles');
  let n = 0;
  for (const name of readdirSync(dir)) {
    const expected = join(dir, name, 'expected.json');
    if (!existsSync(expected)) continue;
    assertValid(validatePrint, JSON.parse(readFileSync(expected, 'utf8')), expected);
    n++;
  }
  assert.ok(n >= 8);
});

test('--print of every example and of bake.hcl validates against the print schema', async () => {
  const files = bakeFiles().filter((f) => !f.dir.includes(join('test', 'fixtures')));
  assert.ok(files.length >= 4);
  for (const { dir, file } of files) {
    const request = { env: () => undefined, warn: () => {} };
    const sources = [{ filename: file, text: readFileSync(join(dir, file), 'utf8') }];
    const evaluated = await evaluateSources({ sources, ...request, localPlatform: 'linux/amd64', world: FIXED_WORLD });
    assertValid(validatePrint, JSON.parse(printDefinition(evaluated, { ...request, names: [], sets: [] })), join(dir, file));
  }
});

test('the schemas list exactly the attributes of the model', () => {
  const names = (specs: ReadonlyArray<{ name: string }>): string[] => specs.map((s) => s.name).sort();
  /** The keys of the object at `path` in `schema`, sorted. */
  const props = (schema: object, ...path: string[]): string[] =>
    Object.keys(path.reduce((o, key) => (o as Record<string, object>)[key] as object, schema)).sort();
  const without = (xs: string[], ...drop: string[]): string[] => xs.filter((x) => !drop.includes(x));
  assert.deepEqual(without(props(fileSchema, '$defs', 'target', 'properties'), 'matrix', 'name'), names(TARGET_ATTRIBUTES));
  assert.deepEqual(without(props(fileSchema, '$defs', 'service', 'properties'), 'matrix', 'name', 'healthcheck', 'watch'), names(SERVICE_ATTRIBUTES));
  assert.deepEqual(props(fileSchema, '$defs', 'service', 'properties', 'healthcheck', 'properties'), names(HEALTHCHECK_ATTRIBUTES));
  assert.deepEqual(props(fileSchema, '$defs', 'service', 'properties', 'watch', 'oneOf', '0', 'properties'), names(WATCH_ATTRIBUTES));
  assert.deepEqual(props(printSchema, 'properties', 'service', 'additionalProperties', 'properties', 'watch', 'items', 'properties'), names(WATCH_ATTRIBUTES));
  assert.deepEqual(props(printSchema, 'properties', 'target', 'additionalProperties', 'properties'), without(names(TARGET_ATTRIBUTES), 'inherits'));
  assert.deepEqual(
    without(props(printSchema, 'properties', 'service', 'additionalProperties', 'properties'), 'healthcheck', 'watch'),
    without(names(SERVICE_ATTRIBUTES), 'inherits'),
  );
});
