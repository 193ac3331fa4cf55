/**
 * Bake semantics end to end (sources → --print), ported from buildx's own
 * tests (bake/hcl_test.go, bake/bake_test.go) and its documentation:
 * variables and their environment overrides, typed variables, validation,
 * functions, built-ins, global attributes, block references, matrices,
 * names, duplicate blocks, inherits, --set, links, the default group.
 * Every error is checked for its summary and where it points.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BakeFileError, type Diagnostic } from '../../src/core/diagnostics.js';
import { UserError } from '../../src/core/errors.js';
import { evaluateSources, printDefinition } from '../../src/bakefile/pipeline.js';
import { FIXED_WORLD } from '../support/fixed-world.js';

interface Printed {
  group?: Record<string, { targets: string[]; description?: string }>;
  target: Record<string, Record<string, unknown> & { args?: Record<string, string>; tags?: string[] }>;
}

type Sources = string | ReadonlyArray<{ filename: string; text: string }>;

function sources(text: Sources): Array<{ filename: string; text: string }> {
  return typeof text === 'string' ? [{ filename: 'docker-bake.hcl', text }] : [...text];
}

/** What a command line adds to the files: requested names, --set, --var, the environment. */
interface CaseOptions {
  readonly names?: readonly string[];
  readonly sets?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly vars?: Readonly<Record<string, string>>;
}

/** Sources to --print output through the pipeline the CLI runs, in a fixed world. */
async function printSources(text: Sources, options: CaseOptions = {}, warnings: Diagnostic[] = []): Promise<string> {
  const env = (name: string): string | undefined => options.env?.[name];
  const warn = (d: Diagnostic): void => void warnings.push(d);
  const vars = new Map(Object.entries(options.vars ?? {}));
  const evaluated = await evaluateSources({ sources: sources(text), env, vars, localPlatform: 'linux/amd64', world: FIXED_WORLD, warn });
  return printDefinition(evaluated, { names: options.names ?? [], sets: options.sets ?? [], env, warn });
}

async function print(text: Sources, options: CaseOptions = {}, warnings: Diagnostic[] = []): Promise<Printed> {
  return JSON.parse(await printSources(text, options, warnings)) as Printed;
}

/** The value of one arg of one target, the way buildx tests look at `Args["foo"]`. */
async function arg(text: string, options: CaseOptions = {}, target = 'default', name = 'foo'): Promise<string | undefined> {
  return (await print(text, { names: [target], ...options })).target[target]?.args?.[name];
}

async function failure(text: Sources, options: CaseOptions = {}): Promise<Diagnostic> {
  const err = await printSources(text, options).then(
    () => assert.fail('expected an error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof BakeFileError, `expected a BakeFileError, got ${String(err)}`);
  return err.diagnostics[0] as Diagnostic;
}

/** A flag's mistake (--set): a usage error, a sentence and its fix with no range into a bake file. */
async function usageFailure(text: Sources, options: CaseOptions): Promise<UserError> {
  const err = await printSources(text, options).then(
    () => assert.fail('expected an error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof UserError && err.kind === 'usage', `expected a usage error, got ${String(err)}`);
  return err;
}

/** Asserts a bake-file error's summary, detail and position ([line, column] of its start, or undefined when it has none). */
async function assertError(
  text: Sources,
  options: CaseOptions,
  summary: string,
  detail: string | undefined,
  at: readonly [number, number] | undefined,
): Promise<Diagnostic> {
  const d = await failure(text, options);
  assert.deepEqual({ summary: d.summary, detail: d.detail, at: d.range && [d.range.start.line, d.range.start.column] }, { summary, detail, at });
  return d;
}

// ---- variables ------------------------------------------------------------------------------

const STRING_VAR = `variable "BUILD_NUMBER" {
  default = "123"
}
target "default" {
  args = {
    foo = "\${BUILD_NUMBER}"
  }
}`;

test('a variable takes its default, or the environment, or --var', async () => {
  assert.equal(await arg(STRING_VAR), '123');
  assert.equal(await arg(STRING_VAR, { env: { BUILD_NUMBER: '456' } }), '456');
  assert.equal(await arg(STRING_VAR, { env: { BUILD_NUMBER: '456' }, vars: { BUILD_NUMBER: '789' } }), '789');
  assert.equal(await arg(STRING_VAR, { env: { BUILD_NUMBER: '' } }), '');
});

test('a variable without a default is the environment value or ""', async () => {
  const text = `variable "FOO" {}
target "default" {
  args = {
    foo = equal(FOO, "") ? "empty" : FOO
  }
}`;
  assert.equal(await arg(text), 'empty');
  assert.equal(await arg(text, { env: { FOO: 'bar' } }), 'bar');
});

test('a null default stays null, and the environment still sets it', async () => {
  const text = `variable "FOO" {
  default = null
}
target "default" {
  args = {
    foo = FOO
    bar = "baz"
  }
}`;
  assert.deepEqual((await print(text)).target['default']?.args, { bar: 'baz' });
  assert.equal(await arg(text, { env: { FOO: 'bar' } }), 'bar');
});

const TYPED_BY_DEFAULT = `variable "FOO" {
  default = 3
}
variable "IS_FOO" {
  default = true
}
target "app" {
  args = {
    v1 = FOO > 5 ? "higher" : "lower"
    v2 = IS_FOO ? "yes" : "no"
  }
}`;

test("the environment is read as the default value's type (TestHCLTypedVariables)", async () => {
  const args = async (env: Record<string, string>): Promise<unknown> => (await print(TYPED_BY_DEFAULT, { names: ['app'], env })).target['app']?.args;
  assert.deepEqual(await args({}), { v1: 'lower', v2: 'yes' });
  assert.deepEqual(await args({ FOO: '5.1', IS_FOO: '0' }), { v1: 'higher', v2: 'no' });
  assert.deepEqual(await args({ FOO: '1e3' }), { v1: 'higher', v2: 'yes' });
});

test('Go ParseBool spellings are the only booleans', async () => {
  const text = `variable "B" {
  default = false
}
target "default" {
  args = {
    foo = B ? "on" : "off"
  }
}`;
  for (const yes of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(await arg(text, { env: { B: yes } }), 'on', yes);
  for (const no of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(await arg(text, { env: { B: no } }), 'off', no);
  for (const bad of ['yes', 'tRUE', ' true', '']) {
    await assertError(
      text,
      { names: ['default'], env: { B: bad } },
      'Invalid value',
      `failed to parse B as bool: strconv.ParseBool: parsing "${bad}": invalid syntax`,
      [1, 14],
    );
  }
});

test('bad numbers from the environment are errors at the variable', async () => {
  const cases: Array<[string, string]> = [
    ['NaN', 'failed to parse FOO as number: invalid number value'],
    ['+Inf', 'failed to parse FOO as number: invalid number value'],
    ['abc', 'failed to parse FOO as number: strconv.ParseFloat: parsing "abc": invalid syntax'],
    [' 5', 'failed to parse FOO as number: strconv.ParseFloat: parsing " 5": invalid syntax'],
    ['1e400', 'failed to parse FOO as number: strconv.ParseFloat: parsing "1e400": value out of range'],
  ];
  for (const [value, detail] of cases) {
    await assertError(TYPED_BY_DEFAULT, { names: ['app'], env: { FOO: value } }, 'Invalid value', detail, [1, 16]);
  }
});

test('an untyped list or object default cannot come from the environment', async () => {
  const list = `variable "FOO" {
  default = []
}
target "default" {}`;
  await assertError(list, { env: { FOO: 'bar' } }, 'Invalid value', 'unsupported type tuple for variable FOO', [1, 16]);
  const object = `variable "FOO" {
  default = { a = 1 }
}
target "default" {}`;
  await assertError(object, { env: { FOO: 'bar' } }, 'Invalid value', 'unsupported type object for variable FOO', [1, 16]);
  // Without an environment value the default is fine.
  assert.ok((await print(list)).target['default']);
});

test('global attributes are not variables: the environment does not apply (TestHCLAttrs)', async () => {
  const text = `FOO = "abc"
BAR = "attr-\${FOO}def"
target "app" {
  args = {
    v1 = BAR
  }
}`;
  assert.equal(await arg(text, { env: { FOO: 'bar' } }, 'app', 'v1'), 'attr-abcdef');
});

test('variables, attributes and targets combine across files (TestHCLMultiFile*, TestCombineHCLAndJSONVars)', async () => {
  const c1 = `variable "FOO" {
  default = "abc"
}
target "app" {
  args = {
    v1 = "pre-\${FOO}"
  }
}`;
  const files = (second: string) => [
    { filename: 'c1.hcl', text: c1 },
    { filename: 'c2.hcl', text: second },
  ];
  assert.deepEqual((await print(files('FOO = "def"'), { names: ['app'] })).target['app']?.args, { v1: 'pre-def' });
  assert.deepEqual((await print(files('FOO = "def"'), { names: ['app'], env: { FOO: 'ghi' } })).target['app']?.args, { v1: 'pre-ghi' });
  const second = `target "app" {
  args = {
    v2 = "\${FOO}-post"
  }
}`;
  assert.deepEqual((await print(files(second), { names: ['app'], env: { FOO: 'def' } })).target['app']?.args, { v1: 'pre-def', v2: 'def-post' });

  const hcl = `variable "ABC" {
  default = "foo"
}
variable "DEF" {
  default = ""
}
group "default" {
  targets = ["one"]
}
target "one" {
  args = {
    a = "pre-\${ABC}"
  }
}
target "two" {
  args = {
    b = "pre-\${DEF}"
  }
}`;
  const out = await print(
    [
      { filename: 'docker-bake.hcl', text: hcl },
      { filename: 'foo.json', text: '{"variable": {"DEF": {"default": "bar"}}, "target": { "one": { "args": {"a": "pre-${ABC}-${DEF}"}} } }' },
      { filename: 'bar.json', text: '{"ABC": "ghi", "DEF": "jkl"}' },
    ],
    { names: ['one', 'two'] },
  );
  assert.deepEqual(out.target['one']?.args, { a: 'pre-ghi-jkl' });
  assert.deepEqual(out.target['two']?.args, { b: 'pre-jkl' });
});

test('variables refer to variables, and their defaults are expressions (TestHCLVarsWithVars)', async () => {
  const files = [
    {
      filename: 'c1.hcl',
      text: `variable "FOO" {
  default = upper("\${BASE}def")
}
variable "BAR" {
  default = "-\${FOO}-"
}
target "app" {
  args = {
    v1 = "pre-\${BAR}"
  }
}`,
    },
    {
      filename: 'c2.hcl',
      text: `variable "BASE" {
  default = "abc"
}
target "app" {
  args = {
    v2 = "\${FOO}-post"
  }
}`,
    },
  ];
  assert.deepEqual((await print(files, { names: ['app'] })).target['app']?.args, { v1: 'pre--ABCDEF-', v2: 'ABCDEF-post' });
  assert.deepEqual((await print(files, { names: ['app'], env: { BASE: 'new' } })).target['app']?.args, { v1: 'pre--NEWDEF-', v2: 'NEWDEF-post' });
});

test('a variable cycle names the variable and its path, at the reference that closes it', async () => {
  const text = `variable "FOO" {
  default = BAR
}
variable "FOO2" {
  default = FOO
}
variable "BAR" {
  default = "x-\${FOO}"
}
target "app" {}`;
  const d = await assertError(text, { names: ['app'] }, 'Invalid expression', 'variable cycle not allowed for BAR', [2, 13]);
  assert.match(d.fix ?? '', /BAR → FOO → BAR/);
  const self = `variable "SELF" {
  default = "\${SELF}!"
}
target "app" {}`;
  await assertError(self, { names: ['app'] }, 'Invalid expression', 'variable cycle not allowed for SELF', [2, 13]);
});

test('an unknown variable is reported where it is used', async () => {
  const text = `target "app" {
  args = {
    v = "x-\${NOPE}"
  }
}`;
  await assertError(text, { names: ['app'] }, 'Unknown variable', 'There is no variable named "NOPE".', [3, 14]);
  const inDefault = `variable "A" {
  default = B
}
target "app" {}`;
  await assertError(inDefault, { names: ['app'] }, 'Unknown variable', 'There is no variable named "B".', [2, 13]);
});

// ---- typed variables ------------------------------------------------------------------------

/** A bake file with one typed variable FOO and `args.foo = <arg>` (buildx's TestTypedVarOverrides). */
function typedVar(type: string, argValue = 'FOO', extra = ''): string {
  return `variable "FOO" {
  type = ${type}
}
${extra}
target "default" {
  args = {
    foo = ${argValue}
  }
}`;
}

test('typed variables read the environment by type, lists and maps as CSV (TestTypedVarOverrides)', async () => {
  const cases: Array<[string, string, string, string]> = [
    ['bool', 'true', 'FOO', 'true'],
    ['number', '99', 'FOO', '99'],
    ['string', 'hello', 'FOO', 'hello'],
    ['string', '"hello"', 'FOO', '"hello"'],
    ['list(string)', 'hi,there', 'join("-", FOO)', 'hi-there'],
    ['list(string)', '"a,b",c', 'join("|", FOO)', 'a,b|c'],
    ['list(string)', '', 'length(FOO)', '0'],
    ['list(number)', '3,1,4', 'join("-", [for v in FOO: v + 1])', '4-2-5'],
    ['set(number)', '3,1,4', 'join("-", [for v in sort(FOO): v + 1])', '2-4-5'],
    ['map(number)', 'foo:1,bar:2', 'join("-", sort(values(FOO)))', '1-2'],
    ['tuple([number,string])', '99,bottles', 'format("%d %s", FOO[0], FOO[1])', '99 bottles'],
    ['list(bool)', 'true,0', 'jsonencode(FOO)', '[true,false]'],
    ['any', '[1]', 'FOO', '[1]'],
  ];
  for (const [type, override, argValue, want] of cases) {
    assert.equal(await arg(typedVar(type, argValue), { env: { FOO: override } }), want, `${type} ${override}`);
  }
});

test('typed CSV overrides that cannot be read are errors at the variable', async () => {
  const cases: Array<[string, string, string]> = [
    ['object({message: string})', 'does not matter', 'unsupported type object for variable FOO from CSV; set FOO_JSON instead'],
    ['list(list(number))', '1,2', 'unsupported type list of list of number for variable FOO from CSV; set FOO_JSON instead'],
    ['set(set(number))', '1,2', 'unsupported type set of set of number for variable FOO from CSV; set FOO_JSON instead'],
    ['tuple([list(number)])', '1', 'unsupported type tuple for variable FOO from CSV; set FOO_JSON instead'],
    ['map(list(number))', 'foo:1,2', 'unsupported type map of list of number for variable FOO from CSV; set FOO_JSON instead'],
    ['map(string)', 'a:b,foo:"bar', 'failed to parse FOO as CSV: parse error on line 1, column 9: bare " in non-quoted-field'],
    ['list(number)', '1,1z', 'failed to parse element "1z" of FOO: strconv.ParseFloat: parsing "1z": invalid syntax'],
    ['set(number)', '1,1z', 'failed to parse element "1z" of FOO: strconv.ParseFloat: parsing "1z": invalid syntax'],
    ['tuple([number])', '1z', 'failed to parse element "1z" of FOO: strconv.ParseFloat: parsing "1z": invalid syntax'],
    ['tuple([number, string])', '1', 'failed to convert FOO from CSV: 2 elements required, but got 1'],
    ['map(number)', 'foo:1z', 'failed to parse element "1z" of FOO: strconv.ParseFloat: parsing "1z": invalid syntax'],
    ['map(number)', 'foo:1:1', 'failed to parse FOO: expected one k/v pair in "foo:1:1"'],
    ['number', '1z', 'failed to parse FOO as number: strconv.ParseFloat: parsing "1z": invalid syntax'],
    ['bool', 'maybe', 'failed to parse FOO as bool: strconv.ParseBool: parsing "maybe": invalid syntax'],
  ];
  for (const [type, override, detail] of cases) {
    await assertError(typedVar(type), { env: { FOO: override } }, 'Invalid value', detail, [1, 16]);
  }
  const csv = await failure(typedVar('list(string)'), { env: { FOO: '"hello,world' } });
  assert.match(csv.detail ?? '', /^failed to convert FOO from CSV: parse error on line 1, column \d+: extraneous or missing " in quoted-field$/);
  assert.deepEqual([csv.summary, csv.range?.start.line, csv.range?.start.column], ['Invalid value', 1, 16]);
});

test('NAME_JSON sets a typed variable from JSON (TestTypedVarOverrides_JSON)', async () => {
  const cases: Array<[string, string, string, string]> = [
    ['bool', 'true', 'FOO', 'true'],
    ['number', '99', 'FOO', '99'],
    ['string', '"hello"', 'FOO', 'hello'],
    ['list(string)', '["hi","there"]', 'join("-", FOO)', 'hi-there'],
    ['list(number)', '[3, 1, 4]', 'join("-", [for v in FOO: v + 1])', '4-2-5'],
    ['map(number)', '{"foo": 1, "bar": 2}', 'join("-", sort(values(FOO)))', '1-2'],
    ['tuple([number,string])', '[99, "bottles"]', 'format("%d %s", FOO[0], FOO[1])', '99 bottles'],
    ['object({messages: list(string)})', '{"messages": ["hi", "there"]}', 'join("-", FOO["messages"])', 'hi-there'],
  ];
  for (const [type, override, argValue, want] of cases) {
    assert.equal(await arg(typedVar(type, argValue), { env: { FOO_JSON: override } }), want, `${type} ${override}`);
  }
  await assertError(
    typedVar('string'),
    { env: { FOO_JSON: 'hello' } },
    'Invalid value',
    'failed to convert FOO_JSON from JSON: Unexpected token \'h\', "hello" is not valid JSON',
    [1, 16],
  );
  await assertError(
    typedVar('map(number)'),
    { env: { FOO_JSON: '{"foo": "oops", "bar": 2}' } },
    'Invalid value',
    'failed to convert FOO_JSON from JSON to map of number: a number is required',
    [1, 16],
  );
  // A value of the right JSON shape that args cannot hold fails where args is decoded.
  await assertError(
    typedVar('tuple([number,string])'),
    { env: { FOO_JSON: '[99, 100]' } },
    'Unsuitable value type',
    'Unsuitable value: string required',
    [6, 10],
  );
});

test('NAME_JSON precedence (TestJSONOverridePriority and the bake reference)', async () => {
  // NAME_JSON wins over NAME.
  assert.equal(await arg(typedVar('list(number)', 'length(FOO)'), { env: { FOO: '1,2', FOO_JSON: '[3,4,5]' } }), '3');
  // A declared FOO_JSON variable takes the FOO_JSON environment value itself, as CSV.
  const declared = typedVar('list(number)', 'FOO', 'variable "FOO_JSON" {\n  type = list(number)\n}');
  await assertError(
    declared,
    { env: { FOO: '[1,2]', FOO_JSON: '[3,4]' } },
    'Invalid value',
    'failed to parse element "[1" of FOO: strconv.ParseFloat: parsing "[1": invalid syntax',
    [1, 16],
  );
  const ownJson = `variable "FOO_JSON" {
  type = list(number)
}
target "default" {
  args = {
    foo = length(FOO_JSON)
  }
}`;
  assert.equal(await arg(ownJson, { env: { FOO_JSON: '10,11,12' } }), '3');
  assert.equal(await arg(ownJson, { env: { FOO_JSON_JSON: '[4,5,6]' } }), '3');
  // An untyped variable never reads NAME_JSON.
  const untyped = `variable "FOO" {
  default = [1, 2]
}
target "default" {
  args = {
    foo = length(FOO)
  }
}`;
  assert.equal(await arg(untyped, { env: { FOO_JSON: '[3,4,5]' } }), '2');
  // Names are case-sensitive: foo_json is not foo's JSON override, foo_JSON is.
  const lower = `variable "foo" {
  type = number
  default = 101
}
target "default" {
  args = {
    foo = foo
  }
}`;
  assert.equal(await arg(lower, { env: { foo_json: '9000' } }), '101');
  assert.equal(await arg(lower, { env: { foo_JSON: '42' } }), '42');
  // --var wins over the environment for NAME_JSON too.
  assert.equal(await arg(typedVar('list(number)', 'length(FOO)'), { env: { FOO_JSON: '[1]' }, vars: { FOO_JSON: '[1,2]' } }), '2');
});

test('typed defaults are converted, or rejected at the variable (TestDefaultVarTypeEnforcement)', async () => {
  const withDefault = (type: string, def: string, argValue = 'FOO'): string => typedVar(type, argValue).replace('type = ', `default = ${def}\n  type = `);
  assert.equal(await arg(withDefault('number', '"99"', 'FOO + 1')), '100');
  assert.equal(await arg(withDefault('bool', '"true"', 'and(FOO, true)')), 'true');
  assert.equal(await arg(withDefault('list(number)', '["2","3"]', 'join("", [for v in FOO: v + 1])')), '34');
  await assertError(withDefault('number', '"oops"'), {}, 'Invalid value', 'invalid type number for variable FOO default value: a number is required', [1, 16]);
  await assertError(
    withDefault('list(number)', '["oops"]'),
    {},
    'Invalid value',
    'invalid type list of number for variable FOO default value: a number is required',
    [1, 16],
  );
  const fromAttr = `BAR = 99
variable "FOO" {
  type = bool
  default = BAR
}
target "default" {}`;
  await assertError(fromAttr, {}, 'Invalid value', 'invalid type bool for variable FOO default value: bool required', [2, 16]);
  // Typed variables without a value, or with a null default, are null.
  for (const type of ['any', 'string', 'number', 'bool', 'list(string)', 'set(string)', 'map(string)', 'tuple([string])', 'object({val: string})']) {
    assert.equal(await arg(typedVar(type, 'equal(FOO, null)')), 'true', type);
  }
});

test('type expressions are checked statically (TestVarTypingSpec)', async () => {
  for (const type of ['bool', 'number', 'string', 'any', 'list(string)', 'set(string)', 'tuple([string, number])']) {
    assert.ok((await print(typedVar(type, '"x"'))).target['default'], type);
  }
  await assertError(typedVar('boolean'), {}, 'Invalid type specification', 'The keyword "boolean" is not a valid type specification.', [2, 10]);
  await assertError(typedVar('BOOL'), {}, 'Invalid type specification', 'The keyword "BOOL" is not a valid type specification.', [2, 10]);
  await assertError(typedVar('lower("bool")'), {}, 'Invalid type specification', 'Keyword "lower" is not a valid type constructor.', [2, 10]);
  await assertError(
    typedVar('"string"'),
    {},
    'Invalid type specification',
    'A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).',
    [2, 10],
  );
});

// ---- validation -----------------------------------------------------------------------------

test('validation blocks (TestVariableValidation*)', async () => {
  const required = `variable "FOO" {
  validation {
    condition = FOO != ""
    error_message = "FOO is required."
  }
}
target "app" {
  args = {
    FOO = FOO
  }
}`;
  assert.ok((await print(required, { names: ['app'], env: { FOO: 'bar' } })).target['app']);
  await assertError(required, { names: ['app'] }, 'Validation failed', 'FOO is required.', [3, 17]);

  const multi = `variable "FOO" {
  validation {
    condition = FOO != ""
    error_message = "FOO is required."
  }
  validation {
    condition = strlen(FOO) > 4
    error_message = "FOO must be longer than 4 characters."
  }
}
target "app" {}`;
  assert.ok((await print(multi, { names: ['app'], env: { FOO: 'barbar' } })).target['app']);
  await assertError(multi, { names: ['app'], env: { FOO: 'bar' } }, 'Validation failed', 'FOO must be longer than 4 characters.', [7, 17]);
  // Every failed check is reported.
  const both = await printSources(multi, { names: ['app'] }).catch((e: unknown) => (e as BakeFileError).diagnostics.map((d) => d.detail));
  assert.deepEqual(both, ['FOO is required.', 'FOO must be longer than 4 characters.']);

  const deps = `variable "FOO" {}
variable "BAR" {
  validation {
    condition = FOO != ""
    error_message = "BAR requires FOO to be set."
  }
}
target "app" {}`;
  assert.ok((await print(deps, { names: ['app'], env: { FOO: 'bar' } })).target['app']);
  await assertError(deps, { names: ['app'], env: { BAR: 'baz' } }, 'Validation failed', 'BAR requires FOO to be set.', [4, 17]);

  const typed = `variable "FOO" {
  default = 0
  validation {
    condition = FOO > 5
    error_message = "FOO must be greater than \${5}."
  }
}
target "app" {}`;
  assert.ok((await print(typed, { names: ['app'], env: { FOO: '10' } })).target['app']);
  await assertError(typed, { names: ['app'] }, 'Validation failed', 'FOO must be greater than 5.', [4, 17]);
});

test('validation conditions must be bools and messages strings', async () => {
  const empty = `variable "PORT" {
  default = 3000
  validation {}
}
target "app" {}`;
  await assertError(empty, { names: ['app'] }, 'Invalid condition result', 'Condition expression must return either true or false, not null.', [3, 14]);
  const notBool = `variable "PORT" {
  default = 3000
  validation {
    condition = "foo"
  }
}
target "app" {}`;
  await assertError(notBool, { names: ['app'] }, 'Invalid condition result', 'Invalid condition result value: a bool is required.', [4, 17]);
  const noMessage = `variable "FOO" {
  default = 0
  validation {
    condition = FOO > 5
  }
}
target "app" {}`;
  const err = await printSources(noMessage, { names: ['app'] }).catch((e: unknown) => e);
  assert.ok(err instanceof BakeFileError);
  assert.deepEqual(
    err.diagnostics.map((d) => [d.summary, d.detail, d.range?.start.line, d.range?.start.column]),
    [
      ['Invalid error message', 'Unsuitable value for error message: must not be null.', 3, 14],
      ['Validation failed', 'This check failed, but has an invalid error message as described in the other accompanying messages.', 4, 17],
    ],
  );
});

// ---- functions ------------------------------------------------------------------------------

test('functions: built-in and user-defined (TestHCLWithFunctions, TestHCLWithUserDefinedFunctions, TestJSONFunctions)', async () => {
  const builtin = `target "default" {
  args = {
    foo = "\${add(123, 1)}"
  }
}`;
  assert.equal(await arg(builtin), '124');
  const user = `function "increment" {
  params = [number]
  result = number + 1
}
target "default" {
  args = {
    foo = "\${increment(123)}"
  }
}`;
  assert.equal(await arg(user), '124');
  const withVars = `variable "REPO" {
  default = "user/repo"
}
function "tag" {
  params = [tag]
  result = ["\${REPO}:\${tag}"]
}
target "webapp" {
  tags = tag("v1")
}`;
  assert.deepEqual((await print(withVars, { names: ['webapp'] })).target['webapp']?.tags, ['user/repo:v1']);
  assert.deepEqual((await print(withVars, { names: ['webapp'], env: { REPO: 'docker/buildx' } })).target['webapp']?.tags, ['docker/buildx:v1']);
  const inAttr = `function "brace" {
  params = [inp]
  result = "[\${inp}]"
}
function "myupper" {
  params = [val]
  result = "\${upper(val)} <> \${brace(v2)}"
}
v1 = myupper("foo")
v2 = lower("BAZ")
target "app" {
  args = {
    "v1": v1
  }
}`;
  assert.equal(await arg(inAttr, {}, 'app', 'v1'), 'FOO <> [baz]');
  const json = `{
  "FOO": "abc",
  "function": {
    "myfunc": {
      "params": ["inp"],
      "result": "<\${upper(inp)}-\${FOO}>"
    }
  },
  "target": {
    "app": {
      "args": {
        "v1": "pre-\${myfunc(\\"foo\\")}",
        "v2": "myfunc(\\"foo\\")"
      }
    }
  }
}`;
  const out = await print([{ filename: 'docker-bake.json', text: json }], { names: ['app'] });
  assert.deepEqual(out.target['app']?.args, { v1: 'pre-<FOO-abc>', v2: 'myfunc("foo")' });
});

test('function definition errors', async () => {
  const cycle = `function "f" {
  params = []
  result = g()
}
function "g" {
  params = []
  result = f()
}
target "app" {}`;
  const d = await assertError(cycle, { names: ['app'] }, 'Invalid expression', 'function cycle not allowed for f', [7, 12]);
  assert.match(d.fix ?? '', /f → g → f/);
  const self = `function "f" {
  params = [x]
  result = f(x)
}
target "app" {}`;
  await assertError(self, { names: ['app'] }, 'Invalid expression', 'function cycle not allowed for f', [3, 12]);
  const noParams = `function "foo" {
  result = "bar"
}
target "app" {}`;
  await assertError(noParams, { names: ['app'] }, 'Invalid function', 'empty params not allowed for foo', [1, 10]);
  const noResult = `function "foo" {
  params = ["a"]
}
target "app" {}`;
  await assertError(noResult, { names: ['app'] }, 'Invalid function', 'empty result not allowed for foo', [2, 3]);
  const badParam = `function "foo" {
  params = ["a"]
  result = 1
}
target "app" {}`;
  const badParamError = await assertError(badParam, { names: ['app'] }, 'Invalid param element', 'Each parameter name must be an identifier.', [2, 13]);
  assert.equal(badParamError.fix, 'Write each parameter as a bare name, not a string or an expression: params = [name, tag].');
  const paramsNotList = `function "foo" {
  params = "a"
  result = 1
}
target "app" {}`;
  const notList = await assertError(
    paramsNotList,
    { names: ['app'] },
    'Invalid params',
    'The params attribute must be a list of parameter names, like [a, b].',
    [2, 12],
  );
  assert.equal(notList.fix, 'Write params as a list of names: params = [name, tag].');
  const undefinedFn = `function "foo" {
  params = [a]
  result = nope(a)
}
target "app" {}`;
  await assertError(undefinedFn, { names: ['app'] }, 'Invalid expression', 'function "nope" does not exist', [3, 12]);
  const undefinedVar = `function "foo" {
  params = [a]
  result = "\${a}-\${NOPE}-\${[for x in [a] : x][0]}"
}
target "app" {}`;
  await assertError(undefinedVar, { names: ['app'] }, 'Invalid expression', 'variable "NOPE" does not exist', [3, 12]);
  // Names bound by for-expressions and template directives are not variables.
  const bound = `function "flat" {
  params = [rows]
  result = "%{for r in rows}%{for c in r}\${c}%{endfor};%{endfor}\${join(",", [for k, v in {a = 1} : k])}"
}
target "app" {
  args = {
    v = flat([[1, 2], [3]])
  }
}`;
  assert.equal(await arg(bound, {}, 'app', 'v'), '12;3;a');
  const unknownCall = `target "app" {
  args = {
    v = nope(1)
  }
}`;
  await assertError(unknownCall, { names: ['app'] }, 'Call to unknown function', 'There is no function named "nope".', [3, 9]);
});

// ---- built-ins, global attributes, block references -----------------------------------------

test('BAKE_LOCAL_PLATFORM and BAKE_CMD_CONTEXT are built-ins no file or environment overrides', async () => {
  const text = `variable "BAKE_LOCAL_PLATFORM" {
  default = "not/this"
}
BAKE_CMD_CONTEXT = "nor-this"
target "default" {
  context = BAKE_CMD_CONTEXT
  platforms = [BAKE_LOCAL_PLATFORM]
}`;
  const t = (await print(text, { env: { BAKE_LOCAL_PLATFORM: 'env/x', BAKE_CMD_CONTEXT: 'env' } })).target['default'];
  // BAKE_CMD_CONTEXT is cwd://, which prints as the directory it names, as buildx prints it.
  assert.equal(t?.['context'], '.');
  assert.deepEqual(t?.['platforms'], ['linux/amd64']);
});

test('global attributes of any type, used by targets (TestHCLAttrsCustomType, TestHCLTargetGlobal)', async () => {
  const text = `platforms=["linux/arm64", "linux/amd64"]
target "app" {
  platforms = platforms
  args = {
    "v1": platforms[0]
  }
}`;
  const app = (await print(text, { names: ['app'] })).target['app'];
  assert.deepEqual(app?.['platforms'], ['linux/arm64', 'linux/amd64']);
  assert.deepEqual(app?.args, { v1: 'linux/arm64' });
  const global = `target "foo" {
  dockerfile = "x"
}
x = target.foo.dockerfile
y = x
target "bar" {
  dockerfile = y
}`;
  assert.equal((await print(global, { names: ['bar'] })).target['bar']?.['dockerfile'], 'x');
});

test('target.NAME.ATTR references, across and within targets (TestHCLTargetAttrs)', async () => {
  const text = `target "foo" {
  dockerfile = "xxx"
  context = target.bar.context
  target = target.foo.dockerfile
}
target "bar" {
  dockerfile = target.foo.dockerfile
  context = "yyy"
  target = target.bar.context
}`;
  const out = await print(text, { names: ['foo', 'bar'] });
  assert.deepEqual(out.target['foo'], { context: 'yyy', dockerfile: 'xxx', target: 'xxx' });
  assert.deepEqual(out.target['bar'], { context: 'yyy', dockerfile: 'xxx', target: 'yyy' });
  const name = `target "foo" {
  dockerfile = target.foo.name
}`;
  assert.equal((await print(name, { names: ['foo'] })).target['foo']?.['dockerfile'], 'foo');
  // Unset attributes are null, and so is whatever copies them.
  const chain = `target "foo" {
  context = target.foo.dockerfile
  target = target.foo.context
}`;
  assert.deepEqual((await print(chain, { names: ['foo'] })).target['foo'], { context: '.', dockerfile: 'Dockerfile' });
  // Entries referenced through another target (TestHCLAttrsCapsuleType_ObjectVars).
  const entries = `target "app" {
  output = [{ type = "oci", dest = "../out.tar" }]
  cache-from = ["type=local,src=path/to/cache"]
}
target "web" {
  cache-from = target.app.cache-from
  secret = [{ id = target.app.output[0].type, src = "/\${target.app.cache-from[0].type}/secret" }]
}`;
  const web = (await print(entries, { names: ['web'] })).target['web'];
  assert.deepEqual(web?.['cache-from'], [{ type: 'local', src: 'path/to/cache' }]);
  assert.deepEqual(web?.['secret'], [{ id: 'oci', src: '/local/secret' }]);
});

test('reference cycles are errors at the expression that closes them', async () => {
  const pair = `target "a" {
  tags = target.b.tags
}
target "b" {
  tags = target.a.tags
}`;
  await assertError(pair, { names: ['a'] }, 'Invalid expression', 'reference cycle not allowed for target.a.tags', [5, 10]);
  const self = `target "a" {
  tags = concat(["x"], target.a.tags)
}`;
  await assertError(self, { names: ['a'] }, 'Invalid expression', 'reference cycle not allowed for target.a.tags', [2, 10]);
  const missing = `target "a" {
  tags = target.nope.tags
}`;
  // buildx's target is a map of blocks: a missing name is a missing map element (issue 16).
  await assertError(missing, { names: ['a'] }, 'Missing map element', 'This map does not have an element with the key "nope".', [2, 16]);
});

// ---- matrix and names -----------------------------------------------------------------------

test('matrix expands a block over every combination (TestHCLMatrix*)', async () => {
  const basic = `target "default" {
  matrix = {
    foo = ["x", "y"]
  }
  name = foo
  dockerfile = "\${foo}.Dockerfile"
}`;
  const out = await print(basic);
  assert.deepEqual(Object.keys(out.target), ['x', 'y']);
  assert.equal(out.target['x']?.['dockerfile'], 'x.Dockerfile');
  assert.deepEqual(out.group, { default: { targets: ['x', 'y'] } });

  const multi = `target "default" {
  matrix = {
    foo = ["a"]
    bar = ["b", "c"]
    baz = ["d", "e", "f"]
  }
  name = "\${foo}-\${bar}-\${baz}"
}`;
  assert.deepEqual(Object.keys((await print(multi)).target), ['a-b-d', 'a-b-e', 'a-b-f', 'a-c-d', 'a-c-e', 'a-c-f']);

  const maps = `target "foo" {
  matrix = {
    aa = [{ foo = "aa", bar = "bb" }, { foo = "cc", bar = "dd" }]
  }
  name = aa.foo
  args = {
    target = "val\${aa.bar}"
  }
}`;
  const m = await print(maps, { names: ['foo'] });
  assert.deepEqual([m.target['aa']?.args, m.target['cc']?.args], [{ target: 'valbb' }, { target: 'valdd' }]);

  const fromVars = `a = 1
variable "b" {
  default = 2
}
variable "ABC" {
  default = "def"
}
target "default" {
  matrix = {
    foo = [a, b]
  }
  name = foo
}
target "bar" {
  matrix = {
    aa = split(",", ABC)
  }
  name = "bar-\${aa}"
  args = {
    foo = aa
  }
}`;
  assert.deepEqual(Object.keys((await print(fromVars)).target), ['1', '2']);
  const over = await print(fromVars, { names: ['bar'], vars: { ABC: '11,22,33' } });
  assert.deepEqual(
    Object.entries(over.target).map(([k, t]) => [k, t.args?.['foo']]),
    [
      ['bar-11', '11'],
      ['bar-22', '22'],
      ['bar-33', '33'],
    ],
  );

  // A matrix without a name keeps the label; a matrix target can refer to other targets.
  const global = `target "x" {
  tags = ["a", "b"]
}
target "default" {
  tags = target.x.tags
  matrix = {
    dummy = [""]
  }
}`;
  assert.deepEqual((await print(global)).target['default']?.tags, ['a', 'b']);
});

test('renamed blocks are referenced and merged by their new names (TestHCLRename*)', async () => {
  const attrs = `target "def" {
  dockerfile = target.xyz.dockerfile
}
target "abc" {
  name = "xyz"
  matrix = {}
  dockerfile = "foo"
}`;
  const out = await print(attrs, { names: ['def', 'xyz'] });
  assert.equal(out.target['def']?.['dockerfile'], 'foo');
  const byLabel = `target "abc" {
  name = "xyz"
  matrix = {}
  dockerfile = "foo"
}
target "def" {
  dockerfile = target.abc.dockerfile
}`;
  await assertError(byLabel, { names: ['def'] }, 'Missing map element', 'This map does not have an element with the key "abc".', [7, 22]);
  const split = `target "x" {
  name = "y"
  matrix = {}
  dockerfile = "foo"
}
target "x" {
  name = "z"
  matrix = {}
  dockerfile = "bar"
}`;
  const s = await print(split, { names: ['x'] });
  assert.deepEqual(s.group, { default: { targets: ['x'] }, x: { targets: ['y', 'z'] } });
  assert.deepEqual([s.target['y']?.['dockerfile'], s.target['z']?.['dockerfile']], ['foo', 'bar']);
  const multiFile = await print(
    [
      { filename: 'c1.hcl', text: 'target "foo" {\n  name = "bar"\n  matrix = {}\n  dockerfile = "x"\n}' },
      { filename: 'c2.hcl', text: 'target "foo" {\n  context = "y"\n}' },
      { filename: 'c3.hcl', text: 'target "bar" {\n  target = "z"\n}' },
    ],
    { names: ['foo', 'bar'] },
  );
  assert.deepEqual(multiFile.target['bar'], { context: '.', dockerfile: 'x', target: 'z' });
  assert.deepEqual(multiFile.target['foo'], { context: 'y', dockerfile: 'Dockerfile' });
});

test('matrix and name errors are reported at the block label', async () => {
  const cases: Array<[string, string]> = [
    ['target "default" {\n  matrix = {\n    foo = ["a", "b"]\n  }\n  name = "c"\n}', 'duplicate name "c"'],
    ['target "default" {\n  name = "xyz"\n  dockerfile = "foo"\n}', 'name requires matrix'],
    ['target "default" {\n  matrix = "test"\n}', 'matrix must be a map'],
    ['target "default" {\n  matrix = ["test"]\n}', 'matrix must be a map'],
    ['target "default" {\n  matrix = {\n    a = "b"\n  }\n}', 'matrix values must be a list'],
    ['target "default" {\n  matrix = {\n    v = ["a.b"]\n  }\n  name = v\n}', 'only "[a-zA-Z0-9_-]+" are allowed'],
  ];
  for (const [text, detail] of cases) await assertError(text, {}, 'Invalid name', detail, [1, 8]);
  const groups: Array<[string, string]> = [
    ['group "foo" {\n  name = "bar"\n  targets = ["x"]\n}', 'name is not supported for groups'],
    ['group "foo" {\n  matrix = {\n    name = ["x", "y"]\n  }\n  targets = []\n}', 'matrix is not supported for groups'],
  ];
  for (const [text, detail] of groups) await assertError(text, {}, 'Invalid name', detail, [1, 7]);
  await assertError(
    'target "default" {\n  matrix = {\n    a = ["x"]\n  }\n  name = a.b\n}',
    {},
    'Unsupported attribute',
    "Can't access attributes on a primitive-typed value (string).",
    [5, 11],
  );
});

test('invalid block names (TestTargetName)', async () => {
  for (const name of ['a', 'abc', '_a', 'a_b', 'AbC', 'AbC-0123']) assert.ok((await print(`target "${name}" {}`, { names: [name] })).target[name], name);
  await assertError('target "a/b" {}', { names: ['a/b'] }, 'Invalid name', 'only "[a-zA-Z0-9_-]+" are allowed', [1, 8]);
  await assertError('\ngroup "a.b" {\n  targets = []\n}', {}, 'Invalid name', 'only "[a-zA-Z0-9_-]+" are allowed', [2, 7]);
  await assertError('target "a" "b" {}', {}, 'Invalid block', 'invalid block label: [a b]', [1, 8]);
});

// ---- block decoding -------------------------------------------------------------------------

test('duplicate target blocks merge, later values winning (TestHCLDuplicateTarget)', async () => {
  const text = `target "app" {
  dockerfile = "x"
  args = { a = "1", b = "1" }
  tags = ["one"]
}
target "app" {
  dockerfile = "y"
  args = { b = "2" }
}`;
  const app = (await print(text, { names: ['app'] })).target['app'];
  assert.deepEqual(app, { context: '.', dockerfile: 'y', args: { a: '1', b: '2' }, tags: ['one'] });
});

test('unknown block types are ignored with a warning', async () => {
  const warnings: Diagnostic[] = [];
  const out = await print('targets "x" {}\ntarget "default" {}', {}, warnings);
  assert.deepEqual(Object.keys(out.target), ['default']);
  assert.deepEqual(
    warnings.map((w) => [w.severity, w.summary, w.range?.start.line, w.range?.start.column]),
    [['warning', 'Unknown block type "targets" is ignored', 1, 1]],
  );
});

test('unknown attributes and blocks in targets and groups are ignored with a warning, as buildx ignores them (issue 16)', async () => {
  const ignored = async (text: string): Promise<Diagnostic[]> => {
    const warnings: Diagnostic[] = [];
    assert.deepEqual((await print(text, {}, warnings)).target['default'], { context: '.', dockerfile: 'Dockerfile' });
    return warnings;
  };
  const w = await ignored('target "default" {\n  tgas = []\n}');
  assert.deepEqual(
    w.map((d) => [d.severity, d.summary, d.fix, d.range?.start.line, d.range?.start.column]),
    [['warning', 'Unknown attribute "tgas" in target "default" is ignored', 'Did you mean "tags"? Rename it; buildx ignores it too.', 2, 3]],
  );
  // A suggestion is never an attribute the block already sets.
  assert.equal((await ignored('target "default" {\n  tags = []\n  tgas = []\n}'))[0]?.fix, 'Remove it: buildx ignores it too, so it has no effect.');
  // Never evaluated: an undefined name in an ignored attribute is no error.
  assert.equal((await ignored('target "default" {\n  provenance = nope\n}')).length, 1);
  // Once per block, however many targets its matrix makes.
  const matrix = await ignored('target "m" {\n  name = "default"\n  matrix = { x = ["1"] }\n  foo = 1\n}');
  assert.deepEqual(
    matrix.map((d) => d.summary),
    ['Unknown attribute "foo" in target "m" is ignored'],
  );
  const block = await ignored('target "default" {\n  args {\n    a = 1\n  }\n}');
  assert.deepEqual(
    block.map((d) => [d.summary, d.fix]),
    [['Unknown block type "args" in target "default" is ignored', 'Write args as an attribute: args = ...']],
  );
  const group = await ignored('group "g" {\n  targets = ["default"]\n  comment = "x"\n}\ntarget "default" {}');
  assert.deepEqual(
    group.map((d) => d.summary),
    ['Unknown attribute "comment" in group "g" is ignored'],
  );
  await assertError(
    'group "g" {\n}\ntarget "default" {}',
    {},
    'Missing required argument',
    'The argument "targets" is required, but no definition was found.',
    [1, 11],
  );
  // Current buildx's policy is a security control bake does not apply: the warning says so.
  const policy = await ignored('target "default" {\n  policy = ["filename=p.rego"]\n}');
  assert.deepEqual(
    policy.map((d) => d.summary),
    ['Attribute "policy" in target "default" is not enforced: bake does not evaluate source policies (current buildx does), so the build runs without it'],
  );
  // Services are ours, not buildx's: a misspelt attribute there stays an error.
  await assertError(
    'service "s" {\n  imgae = "x"\n}\ntarget "default" {}',
    {},
    'Unsupported argument',
    'An argument named "imgae" is not expected here. Did you mean "image"?',
    [2, 3],
  );
});

test('attribute values are converted as buildx decodes them', async () => {
  const text = `target "default" {
  args = { n = 1, b = true, s = "x", nul = null }
  tags = [1]
  no-cache = "true"
  shm-size = 128
}`;
  assert.deepEqual((await print(text)).target['default'], {
    context: '.',
    dockerfile: 'Dockerfile',
    args: { b: 'true', n: '1', s: 'x' },
    tags: ['1'],
    'no-cache': true,
    'shm-size': '128',
  });
  await assertError('target "default" {\n  tags = "x"\n}', {}, 'Unsuitable value type', 'Unsuitable value: list of string required', [2, 10]);
  await assertError('target "default" {\n  args = { a = [1] }\n}', {}, 'Unsuitable value type', 'Unsuitable value: string required', [2, 10]);
  await assertError('target "default" {\n  no-cache = "maybe"\n}', {}, 'Unsuitable value type', 'Unsuitable value: a bool is required', [2, 14]);
  await assertError('target "default" {\n  tags = ["a", null]\n}', {}, 'Unsuitable value type', 'Unsuitable value: null value is not allowed', [2, 10]);
  await assertError('variable "V" {\n  description = ["x"]\n}\ntarget "default" {}', {}, 'Unsuitable value type', 'Unsuitable value: string required', [2, 17]);
});

// ---- inherits -------------------------------------------------------------------------------

const INHERITS = `target "webDEP" {
  args = {
    VAR_INHERITED = "webDEP"
    VAR_BOTH = "webDEP"
  }
  no-cache = true
  shm-size = "128m"
  ulimits = ["nofile=1024:1024"]
  extra-hosts = {
    my_hostname = "8.8.8.8"
  }
}
target "webapp" {
  dockerfile = "Dockerfile.webapp"
  args = {
    VAR_BOTH = "webapp"
  }
  annotations = ["index,manifest:org.opencontainers.image.authors=dvdksn"]
  attest = ["type=provenance,mode=max"]
  platforms = ["linux/amd64"]
  secret = ["id=FOO,env=FOO"]
  inherits = ["webDEP"]
}`;

test('inherits merges parents under the child (TestReadTargets)', async () => {
  const out = await print(INHERITS, { names: ['webapp'] });
  assert.deepEqual(out.group, { default: { targets: ['webapp'] } });
  assert.deepEqual(out.target['webapp'], {
    annotations: ['index,manifest:org.opencontainers.image.authors=dvdksn'],
    attest: [{ type: 'provenance', mode: 'max' }],
    context: '.',
    dockerfile: 'Dockerfile.webapp',
    args: { VAR_BOTH: 'webapp', VAR_INHERITED: 'webDEP' },
    secret: [{ id: 'FOO', env: 'FOO' }],
    platforms: ['linux/amd64'],
    'no-cache': true,
    'shm-size': '128m',
    ulimits: ['nofile=1024:1024'],
    'extra-hosts': { my_hostname: '8.8.8.8' },
  });
});

test('overrides and normalizing of a target leave the parent it inherits from as it was', async () => {
  const text = `target "a" {
  tags = ["a", "a"]
  args = { A = "1" }
  output = ["type=docker"]
  platforms = ["linux/amd64"]
}
target "b" {
  inherits = ["a"]
}`;
  const printed = await print(text, { names: ['b', 'a'], sets: ['b.tags+=b', 'b.args.B=2', 'b.output=type=cacheonly', 'b.platform=linux/arm64'] });
  assert.deepEqual(printed.target['a'], {
    context: '.',
    dockerfile: 'Dockerfile',
    args: { A: '1' },
    tags: ['a'],
    platforms: ['linux/amd64'],
    output: [{ type: 'docker' }],
  });
  assert.deepEqual(printed.target['b']?.tags, ['a', 'b']);
  assert.deepEqual(printed.target['b']?.args, { A: '1', B: '2' });
});

test('multiple and multi-level inherits, with overrides on any level (TestNestedInherits*)', async () => {
  const text = `target "a" {
  args = {
    foo = "123"
    bar = "234"
  }
}
target "b" {
  inherits = ["a"]
  args = {
    bar = "567"
  }
}
target "c" {
  inherits = ["a"]
  args = {
    baz = "890"
  }
}
target "d" {
  inherits = ["b", "c"]
}`;
  const args = async (sets: string[]): Promise<unknown> => (await print(text, { names: ['d'], sets })).target['d']?.args;
  assert.deepEqual(await args([]), { bar: '234', baz: '890', foo: '123' });
  assert.deepEqual(await args(['a.args.foo=321', 'b.args.bar=432']), { bar: '234', baz: '890', foo: '321' });
  assert.deepEqual(await args(['a.args.foo=321', 'c.args.bar=432']), { bar: '432', baz: '890', foo: '321' });

  const group = `target "grandparent" {
  output = ["type=docker"]
  args = {
    BAR = "fuu"
  }
}
target "parent" {
  inherits = ["grandparent"]
  args = {
    FOO = "bar"
  }
}
target "child1" {
  inherits = ["parent"]
}
target "child2" {
  inherits = ["parent"]
  args = {
    FOO2 = "bar2"
  }
}
group "default" {
  targets = ["child1", "child2"]
}`;
  const out = await print(group, { sets: ['grandparent.args.BAR=fii', 'child2.args.FOO=baaar'] });
  assert.deepEqual(out.group, { default: { targets: ['child1', 'child2'] } });
  assert.deepEqual(out.target['child1']?.args, { BAR: 'fii', FOO: 'bar' });
  assert.deepEqual(out.target['child2']?.args, { BAR: 'fii', FOO: 'baaar', FOO2: 'bar2' });
  assert.deepEqual(out.target['child1']?.['output'], [{ type: 'docker' }]);
});

test('a cyclic inherits is skipped as buildx does, with a warning naming the cycle', async () => {
  const text = `target "a" {
  inherits = ["b"]
  tags = ["a"]
}
target "b" {
  inherits = ["a"]
  dockerfile = "b.Dockerfile"
}`;
  const warnings: Diagnostic[] = [];
  const out = await print(text, { names: ['a'] }, warnings);
  assert.deepEqual(out.target['a'], { context: '.', dockerfile: 'b.Dockerfile', tags: ['a'] });
  assert.deepEqual(
    warnings.map((w) => [w.summary, w.range?.start.line, w.range?.start.column]),
    [['inherits cycle a → b → a: "a" is not inherited again', 6, 3]],
  );
  const self = await print('target "a" {\n  inherits = ["a"]\n  tags = ["x"]\n}', { names: ['a'] }, warnings);
  assert.deepEqual(self.target['a']?.tags, ['x']);
  assert.equal(warnings[1]?.summary, 'inherits cycle a → a: "a" is not inherited again');
});

test('inheriting or requesting an unknown target', async () => {
  await assertError('target "a" {\n  inherits = ["nope"]\n}', { names: ['a'] }, 'failed to find target nope', undefined, [2, 3]);
  await assertError('group "default" {\n  targets = ["nope"]\n}', {}, 'failed to find target nope', undefined, [2, 3]);
  await assertError('target "image" {}', {}, 'failed to find target default', undefined, undefined);
  await assertError('target "image" {}', { names: ['imag'] }, 'failed to find target imag', undefined, undefined);
});

// ---- --set ----------------------------------------------------------------------------------

test('--set overrides args, contexts and scalars (TestReadTargets)', async () => {
  const out = await print(INHERITS, {
    names: ['webapp'],
    env: { VAR_FROMENV: 'fromEnv' },
    sets: [
      'webapp.args.VAR_UNSET',
      'webapp.args.VAR_EMPTY=',
      'webapp.args.VAR_SET=bananas',
      'webapp.args.VAR_FROMENV',
      'webapp.args.VAR_INHERITED=override',
      'webapp.context=foo',
      'webapp.no-cache=false',
      'webapp.pull=false',
      'webapp.shm-size=256m',
      'webapp.network=host',
    ],
  });
  const t = out.target['webapp'];
  assert.deepEqual(t?.args, { VAR_BOTH: 'webapp', VAR_EMPTY: '', VAR_FROMENV: 'fromEnv', VAR_INHERITED: 'override', VAR_SET: 'bananas' });
  assert.deepEqual(
    [t?.['context'], t?.['no-cache'], t?.['pull'], t?.['shm-size'], t?.['network'], t?.['entitlements']],
    ['foo', false, false, '256m', 'host', ['network.host']],
  );
  // Overriding a parent's values reaches the child, but not where the child sets its own.
  const parent = await print(INHERITS, { names: ['webapp'], sets: ['webDEP.args.VAR_INHERITED=override', 'webDEP.args.VAR_BOTH=override'] });
  assert.deepEqual(parent.target['webapp']?.args, { VAR_BOTH: 'webapp', VAR_INHERITED: 'override' });
});

test('--set lists: replace, += append, and the platform/secrets aliases (TestReadTargets)', async () => {
  const sets = async (...s: string[]): Promise<Printed['target'][string] | undefined> =>
    (await print(INHERITS, { names: ['webapp'], env: { FOO: 'foo', BAR: 'bar' }, sets: s })).target['webapp'];
  assert.deepEqual((await sets('webapp.platform=linux/arm64'))?.['platforms'], ['linux/arm64']);
  assert.deepEqual((await sets('webapp.platform+=linux/arm64'))?.['platforms'], ['linux/amd64', 'linux/arm64']);
  assert.deepEqual((await sets('webapp.platform+=linux/arm64', 'webapp.platform+=linux/riscv64'))?.['platforms'], [
    'linux/amd64',
    'linux/arm64',
    'linux/riscv64',
  ]);
  assert.deepEqual((await sets('webapp.platform+=linux/arm64', 'webapp.platform=linux/riscv64'))?.['platforms'], ['linux/arm64', 'linux/riscv64']);
  assert.deepEqual((await sets('webapp.secrets=id=BAR,env=BAR'))?.['secret'], [{ id: 'BAR', env: 'BAR' }]);
  assert.deepEqual((await sets('webapp.secrets+=id=BAR,env=BAR'))?.['secret'], [
    { id: 'FOO', env: 'FOO' },
    { id: 'BAR', env: 'BAR' },
  ]);
  assert.deepEqual((await sets('webapp.tags=a', 'webapp.tags=b'))?.tags, ['a', 'b']);
  assert.deepEqual((await sets('webapp.annotations=index,manifest:org.opencontainers.image.vendor=docker'))?.['annotations'], [
    'index,manifest:org.opencontainers.image.authors=dvdksn',
    'index,manifest:org.opencontainers.image.vendor=docker',
  ]);
  assert.deepEqual((await sets('webapp.attest=type=sbom'))?.['attest'], [{ type: 'provenance', mode: 'max' }, { type: 'sbom' }]);
  assert.deepEqual((await sets('webapp.attest+=type=sbom'))?.['attest'], [{ type: 'provenance', mode: 'max' }, { type: 'sbom' }]);
  assert.deepEqual((await sets('webapp.no-cache-filter=stage'))?.['no-cache-filter'], ['stage']);
  assert.deepEqual((await sets('webapp.ulimits=nofile=2048:2048'))?.['ulimits'], ['nofile=2048:2048']);
  assert.deepEqual((await sets('webapp.output=type=registry'))?.['output'], [{ type: 'registry' }]);
  assert.deepEqual((await sets('webapp.output='))?.['output'], undefined);
  assert.deepEqual((await sets('webapp.contexts.foo=bar', 'webapp.labels.l=v', 'webapp.extra-hosts.h=1.2.3.4'))?.['contexts'], { foo: 'bar' });
});

test('--set patterns (TestReadTargets PatternOverride)', async () => {
  const both = await print(INHERITS, { names: ['webapp', 'webDEP'], sets: ['web*.dockerfile=foo', '*.args.VAR_BOTH=bar'] });
  assert.deepEqual(both.group, { default: { targets: ['webDEP', 'webapp'] } });
  assert.deepEqual([both.target['webapp']?.['dockerfile'], both.target['webDEP']?.['dockerfile']], ['foo', 'foo']);
  assert.deepEqual([both.target['webapp']?.args?.['VAR_BOTH'], both.target['webDEP']?.args?.['VAR_BOTH']], ['bar', 'bar']);
  const one = await print(INHERITS, { names: ['webapp'], sets: ['web*.dockerfile=foo'] });
  assert.deepEqual(Object.keys(one.target), ['webapp']);
  assert.deepEqual([one.target['webapp']?.['dockerfile'], one.target['webapp']?.args], ['foo', { VAR_BOTH: 'webapp', VAR_INHERITED: 'webDEP' }]);
});

test('--set errors have no position: they come from the command line', async () => {
  const cases: Array<[string, string]> = [
    ['nosuchtarget.context=foo', "could not find any target matching 'nosuchtarget'"],
    ['nomatch*.dockerfile=foo', "could not find any target matching 'nomatch*'"],
    ['webapp.pull=maybe', 'invalid value maybe for boolean key pull'],
    ['webapp.no-cache=yes', 'invalid value yes for boolean key no-cache'],
    ['webapp.push=2', 'invalid value 2 for boolean key push'],
    ['webapp.load=', 'invalid value  for boolean key load'],
    ['webapp.foo=bar', 'unknown key: foo'],
    ['webapp.platforms=linux/arm64', 'unknown key: platforms'],
    ['webapp.secret=id=x', 'unknown key: secret'],
    ['webapp.context', 'invalid override webapp.context, expected target.name=value'],
    ['webapp', 'invalid override key webapp, expected target.name'],
    ['webapp.args=x', 'invalid key webapp.args, args requires name'],
    ['webapp.contexts=x', 'invalid key webapp.contexts, contexts requires name'],
  ];
  for (const [set, summary] of cases) assert.equal((await usageFailure(INHERITS, { names: ['webapp'], sets: [set] })).message, summary, set);
});

// ---- --push and --load ----------------------------------------------------------------------

/** The outputs of `app` after --set flags, as buildx's tests compare them (sorted CSV). */
async function outputs(output: string | undefined, ...sets: string[]): Promise<string[]> {
  const text = `target "app" {\n${output ? `  output = [${output}]\n` : ''}}`;
  const t = (await print(text, { names: ['app'], sets })).target['app'];
  const entries = (t?.['output'] ?? []) as Array<Record<string, string>>;
  // buildx's ExportEntry.String(): type first, then the attributes by name.
  const csv = ({ type, ...attrs }: Record<string, string>): string =>
    [
      `type=${type}`,
      ...Object.keys(attrs)
        .sort()
        .map((k) => `${k}=${attrs[k]}`),
    ].join(',');
  return entries.map(csv).sort();
}

test('push and load overrides (TestPushOverride, TestLoadOverride, TestLoadAndPushOverride)', async () => {
  assert.deepEqual(await outputs(undefined, '*.push=true'), ['type=image,push=true']);
  assert.deepEqual(await outputs('"type=image,compression=zstd"', '*.push=true'), ['type=image,compression=zstd,push=true']);
  assert.deepEqual(await outputs('"type=image,compression=zstd"', '*.push=false'), ['type=image,compression=zstd,push=false']);
  assert.deepEqual(await outputs('"type=registry"', '*.push=true'), ['type=registry']);
  assert.deepEqual(await outputs('"type=registry"', '*.push=false'), []);
  assert.deepEqual(await outputs('"type=local,dest=out"', '*.push=true'), ['type=local,dest=out']);
  assert.deepEqual(await outputs(undefined, '*.load=true'), ['type=docker']);
  assert.deepEqual(await outputs('"type=docker"', '*.load=true'), ['type=docker']);
  assert.deepEqual(await outputs('"type=image"', '*.load=true'), ['type=docker', 'type=image']);
  assert.deepEqual(await outputs('"type=image"', '*.load=false'), ['type=image']);
  assert.deepEqual(await outputs('"type=registry"', '*.load=true'), ['type=docker', 'type=registry']);
  assert.deepEqual(await outputs('"type=oci,dest=out"', '*.load=true'), ['type=docker', 'type=oci,dest=out']);
  assert.deepEqual(await outputs('"type=docker,dest=out"', '*.load=true'), ['type=docker', 'type=docker,dest=out']);
  assert.deepEqual(await outputs('"type=local,dest=out"', '*.load=true'), ['type=local,dest=out']);
  assert.deepEqual(await outputs(undefined, '*.load=true', '*.push=true'), ['type=docker', 'type=image,push=true']);
  assert.deepEqual(await outputs('"type=registry"', '*.load=true', '*.push=true'), ['type=docker', 'type=registry']);
  assert.deepEqual(await outputs('"type=local,dest=out"', '*.load=true', '*.push=true'), ['type=local,dest=out']);
  // The flags' order does not matter; output= is applied first.
  assert.deepEqual(await outputs(undefined, '*.push=true', 'app.output=type=image,name=x'), ['type=image,name=x,push=true']);
  // Inherited outputs are the child's to change.
  const inherited = `target "_common" {
  output = ["type=registry", "type=image,name=foo"]
}
target "api" {
  inherits = ["_common"]
}
target "app" {
  inherits = ["_common"]
}`;
  const out = await print(inherited, { names: ['api', 'app'], sets: ['app.push=false'] });
  assert.deepEqual(
    [out.target['api']?.['output'], out.target['app']?.['output']],
    [[{ type: 'registry' }, { type: 'image', name: 'foo' }], [{ type: 'image', name: 'foo', push: 'false' }]],
  );
});

// ---- target: links --------------------------------------------------------------------------

test('target: contexts pull in linked targets with a cacheonly output (TestReadContextFromTargetChain)', async () => {
  const text = `target "base" {
  entitlements = ["network.host"]
}
target "mid" {
  output = ["foo"]
  contexts = {
    parent = "target:base"
  }
}
target "app" {
  contexts = {
    foo = "baz"
    bar = "target:mid"
  }
}
target "unused" {}`;
  const out = await print(text, { names: ['app'] });
  assert.deepEqual(Object.keys(out.target).sort(), ['app', 'base', 'mid']);
  assert.deepEqual(out.target['mid']?.['output'], [{ type: 'cacheonly' }]);
  assert.deepEqual(out.target['base']?.['output'], [{ type: 'cacheonly' }]);
  // Entitlements travel up the chain of links.
  assert.deepEqual([out.target['app']?.['entitlements'], out.target['mid']?.['entitlements']], [['network.host'], ['network.host']]);
  assert.deepEqual(out.group, { default: { targets: ['app'] } });
  // A linked target that is also requested keeps its own outputs.
  const both = await print(text, { names: ['app', 'mid'] });
  assert.deepEqual(both.target['mid']?.['output'], [{ type: 'local', dest: 'foo' }]);
});

test('link errors point at the contexts attribute', async () => {
  const loop = `target "mid" {
  contexts = {
    parent = "target:app"
  }
}
target "app" {
  contexts = {
    bar = "target:mid"
  }
}`;
  await assertError(loop, { names: ['app', 'mid'] }, 'infinite loop from mid to app', undefined, [2, 3]);
  await assertError(
    'target "app" {\n  contexts = {\n    bar = "target:app"\n  }\n}',
    { names: ['app'] },
    'target app cannot link to itself',
    undefined,
    [2, 3],
  );
  await assertError('target "app" {\n  contexts = {\n    bar = "target:bar"\n  }\n}', { names: ['app'] }, 'failed to find target bar', undefined, [2, 3]);
  const platforms = (mid: string) => `target "mid" {
  platforms = [${mid}]
}
target "app" {
  contexts = {
    bar = "target:mid"
  }
  platforms = ["linux/amd64", "linux/arm64"]
}`;
  await assertError(
    platforms('"linux/amd64", "linux/riscv64"'),
    { names: ['app'] },
    "target mid can't be used by app because its platforms [linux/amd64 linux/arm64] are not a subset of [linux/amd64 linux/riscv64]",
    undefined,
    [5, 3],
  );
  assert.ok((await print(platforms('"linux/amd64", "linux/riscv64", "linux/arm64"'), { names: ['app'] })).target['mid']);
  assert.ok((await print(platforms('"linux/amd64", "linux/arm64"'), { names: ['app'] })).target['mid']);
  assert.ok((await print(platforms('"linux/riscv64"'), { names: ['app'] })).target['mid']);
});

// ---- requested names and the default group --------------------------------------------------

test("SOURCE_DATE_EPOCH joins every target's args unless set", async () => {
  const text = `target "a" {
  args = { X = "1" }
}
target "b" {
  args = { SOURCE_DATE_EPOCH = "5" }
}
target "c" {}`;
  const out = await print(text, { names: ['a', 'b', 'c'], env: { SOURCE_DATE_EPOCH: '42' } });
  assert.deepEqual(
    ['a', 'b', 'c'].map((n) => out.target[n]?.args),
    [{ SOURCE_DATE_EPOCH: '42', X: '1' }, { SOURCE_DATE_EPOCH: '5' }, { SOURCE_DATE_EPOCH: '42' }],
  );
});

test('requested names with dots are sanitized (TestReadTargetsWithDotCompose)', async () => {
  const out = await print('target "web_app" {\n  dockerfile = "x"\n}', { names: ['web.app'] });
  assert.deepEqual(out.group, { default: { targets: ['web_app'] } });
  assert.deepEqual(Object.keys(out.target), ['web_app']);
});

test('requested names may be globs over groups and targets (TestMatchNames)', async () => {
  const text = `group "default" {
  targets = ["foo", "foo-bar"]
}
group "baz" {
  targets = ["baz-foo", "baz-bar"]
}
target "foo" {}
target "foo-bar" {}
target "foo-baz" {}
target "bar-foo" {}
target "baz-foo" {}
target "baz-bar" {}
target "mtx" {
  name = "mtx-\${foo}-\${bar}"
  matrix = {
    foo = ["a"]
    bar = ["b", "c"]
  }
}`;
  const keys = async (...names: string[]): Promise<string[]> => Object.keys((await print(text, { names })).target).sort();
  assert.deepEqual(await keys('foo-*'), ['foo-bar', 'foo-baz']);
  assert.deepEqual(await keys('baz*'), ['baz-bar', 'baz-foo']);
  assert.deepEqual(await keys('mtx'), ['mtx-a-b', 'mtx-a-c']);
  assert.deepEqual(await keys('mtx-a-?'), ['mtx-a-b', 'mtx-a-c']);
  assert.deepEqual(await keys('*'), ['bar-foo', 'baz-bar', 'baz-foo', 'foo', 'foo-bar', 'foo-baz', 'mtx-a-b', 'mtx-a-c']);
  assert.deepEqual((await print(text, { names: ['foo-*'] })).group?.['default'], { targets: ['foo-bar', 'foo-baz'] });
  await assertError(text, { names: ['aaa-*'] }, 'could not find any target matching "aaa-*"', undefined, undefined);
});

test('the default group (TestReadTargetsDefault, TestGroupTargetsWithDefault, TestReadTargets*Group*)', async () => {
  // A lone default target needs no group.
  const lone = await print('target "default" {\n  dockerfile = "test"\n}');
  assert.deepEqual(lone.group, { default: { targets: ['default'] } });
  // Requested names are listed sorted, once each.
  const two = await print('target "default" {}\ntarget "multiarch" {}', { names: ['default', 'multiarch', 'multiarch'] });
  assert.deepEqual(two.group, { default: { targets: ['default', 'multiarch'] } });
  // buildx's quirk: once another name has made the default group, "default" itself is not added to it.
  const late = await print('target "default" {}\ntarget "multiarch" {}', { names: ['multiarch', 'default'] });
  assert.deepEqual([late.group, Object.keys(late.target).sort()], [{ default: { targets: ['multiarch'] } }, ['default', 'multiarch']]);
  // A default group absorbs other requested names.
  const onGroup = `group "default" {
  targets = ["app", "multiarch"]
}
target "app" {}
target "foo" {}
target "multiarch" {}`;
  assert.deepEqual((await print(onGroup, { names: ['default', 'foo'] })).group, { default: { targets: ['app', 'foo', 'multiarch'] } });
  // A group shadows a target of the same name; the group lists what it holds.
  const same = `group "foo" {
  targets = ["image"]
}
target "foo" {
  dockerfile = "bar"
}
target "image" {
  dockerfile = "test"
}`;
  const shadow = await print(same, { names: ['foo', 'foo'] });
  assert.deepEqual(shadow.group, { default: { targets: ['foo'] }, foo: { targets: ['image'] } });
  assert.deepEqual(Object.keys(shadow.target), ['image']);
  const self = await print('group "foo" {\n  targets = ["foo", "image"]\n}\ntarget "foo" {\n  dockerfile = "bar"\n}\ntarget "image" {}', { names: ['foo'] });
  assert.deepEqual(Object.keys(self.target).sort(), ['foo', 'image']);
  // Nested groups name every group passed through (TestNestedGroupsWithSameTarget).
  const nested = `group "a" {
  targets = ["b", "c"]
}
group "b" {
  targets = ["d"]
}
group "c" {
  targets = ["b"]
}
target "d" {}
group "e" {
  targets = ["a", "f"]
}
target "f" {}`;
  const e = await print(nested, { names: ['e'] });
  assert.deepEqual(Object.keys(e.group ?? {}).sort(), ['a', 'b', 'c', 'default', 'e']);
  assert.deepEqual(Object.keys(e.target).sort(), ['d', 'f']);
});

test('empty dockerfile and context defaults (TestEmptyDockerfile, TestReadEmptyTargets)', async () => {
  assert.deepEqual((await print('target "app" {\n  dockerfile = ""\n}', { names: ['app'] })).target['app'], { context: '.', dockerfile: 'Dockerfile' });
  assert.deepEqual((await print('target "app1" {}', { names: ['app1'] })).target['app1'], { context: '.', dockerfile: 'Dockerfile' });
  // An empty output list prints nothing (TestVariableEmpty).
  const empty = await print('variable "FOO" {\n  default = ""\n}\ntarget "app" {\n  output = [FOO]\n}', { names: ['app'] });
  assert.deepEqual(empty.target['app'], { context: '.', dockerfile: 'Dockerfile' });
});

test('references see entries as buildx cty values: lists and bools, not their printed strings', async () => {
  const text = `
target "a" {
  ssh    = ["key=/a,/b"]
  attest = ["type=sbom,disabled=true"]
  output = ["type=local,dest=out"]
}
target "default" {
  args = {
    PATHS    = jsonencode(target.a.ssh[0].paths)
    DISABLED = target.a.attest[0].disabled ? "off" : "on"
    DEST     = target.a.output[0].dest
    INF      = 1 / 0
  }
}`;
  const args = (await print(text)).target['default']?.args;
  assert.deepEqual(args, { DEST: 'out', DISABLED: 'off', INF: '+Inf', PATHS: '["/a","/b"]' });
});

test('resources: an object of per-step limits, merged without touching the parent (TestResourcesObject, TestResourcesInheritIsolation)', async () => {
  const text = `target "base" {
  resources = { memory = "1g" }
}
target "child" {
  inherits = ["base"]
  resources = { memory = "2g", cpu-shares = 1024 }
  args = { MEM = target.base.resources.memory }
}`;
  const p = await print(text, { names: ['base', 'child'] });
  assert.deepEqual(p.target['base']?.['resources'], { memory: '1g' });
  assert.deepEqual(p.target['child']?.['resources'], { memory: '2g', 'cpu-shares': 1024 });
  assert.deepEqual(p.target['child']?.args, { MEM: '1g' });
  await assertError(
    'target "default" {\n  resources = { cpu-quota = "half" }\n}',
    {},
    'Unsuitable value type',
    'Unsuitable value: a number is required (resources.cpu-quota)',
    [2, 15],
  );
  await assertError('target "default" {\n  resources = ["memory=2g"]\n}', {}, 'Unsuitable value type', 'Unsuitable value: object required', [2, 15]);
  const set = await usageFailure('target "default" {}', { sets: ['default.resources.cpu-quota=notanumber'] });
  assert.equal(set.message, 'invalid value notanumber for int64 key resources.cpu-quota');
});
