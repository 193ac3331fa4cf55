/**
 * Buildflags entries. Expected values come from buildx's own tests where
 * they exist (bake/bake_test.go TestPushOverride, TestLoadOverride,
 * TestLoadAndPushOverride, TestAttestDuplicates; bake/hcl_test.go
 * TestHCLAttrsCapsuleType; util/buildflags/*_test.go; go-csvvalue's tests).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EntryError,
  applyLoadOverride,
  applyPushOverride,
  entriesFromValue,
  entryFromObject,
  entryToJSON,
  entryToValue,
  mergeEntries,
  normalizeEntries,
  canonicalAttest,
  parseCsvFields,
  parseEntry,
  parseOverrideEntries,
  sshPaths,
  type EntryKind,
} from '../../src/bakefile/entries.js';
import { ConversionError } from '../../src/bakefile/expr/types.js';
import type { ObjectValue, Value } from '../../src/bakefile/expr/value.js';
import type { Entry } from '../../src/bakefile/model.js';

type Case<I, O> = readonly [name: string, input: I, expected: O];

function throwsEntryError(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => e instanceof EntryError && e.message === message);
}

test('parseCsvFields splits as go-csvvalue does', async (t) => {
  const cases: Case<string, string[]>[] = [
    ['simple', 'foo,bar,baz', ['foo', 'bar', 'baz']],
    ['trailing newline', 'foo,bar\n', ['foo', 'bar']],
    ['trailing CRLF', 'foo,bar\r\n', ['foo', 'bar']],
    ['spaces kept', ' a , b', [' a ', ' b']],
    ['quoted comma', 'a,"b,cc ,ddd",e', ['a', 'b,cc ,ddd', 'e']],
    ['doubled quote', 'a,"foo""",c', ['a', 'foo"', 'c']],
    ['quotes only', '""', ['']],
    ['empty between commas', 'a,,b', ['a', '', 'b']],
    ['trailing comma', 'a,b,', ['a', 'b', '']],
    ['quoted then trailing comma', '"a",', ['a', '']],
    ['leading comma', ',a,b', ['', 'a', 'b']],
    [
      'OCI config',
      'type=docker,name=test.docker,"containerimage.config={""Config"":{""StopSignal"":""37""}}"',
      ['type=docker', 'name=test.docker', 'containerimage.config={"Config":{"StopSignal":"37"}}'],
    ],
  ];
  for (const [name, input, expected] of cases) await t.test(name, () => assert.deepEqual(parseCsvFields(input), expected));

  const errors: Case<string, string>[] = [
    ['empty is EOF', '', 'EOF'],
    ['newline only is EOF', '\n', 'EOF'],
    ['bare quote', 'foo,aa"bb,cc', 'parse error on line 1, column 7: bare " in non-quoted-field'],
    ['bare double quote', 'a""b,c', 'parse error on line 1, column 2: bare " in non-quoted-field'],
    ['trailing bare quote', '"a word",b"', 'parse error on line 1, column 11: bare " in non-quoted-field'],
    ['unclosed quote', '"', 'parse error on line 1, column 2: extraneous or missing " in quoted-field'],
    ['too many quotes', '"""', 'parse error on line 1, column 4: extraneous or missing " in quoted-field'],
    ['extraneous quote', '"a "word","b"', 'parse error on line 1, column 4: extraneous or missing " in quoted-field'],
    ['column counts UTF-8 bytes', 'é,a"b', 'parse error on line 1, column 5: bare " in non-quoted-field'],
  ];
  for (const [name, input, message] of errors) await t.test(name, () => throwsEntryError(() => parseCsvFields(input), message));
});

test('parseEntry reads each kind of CSV text', async (t) => {
  const cases: Case<[EntryKind, string], Entry>[] = [
    ['output', ['output', 'type=local,dest=out'], { type: 'local', dest: 'out' }],
    ['output bare path is local', ['output', './bin'], { type: 'local', dest: './bin' }],
    ['output - is tar to stdout', ['output', '-'], { type: 'tar', dest: '-' }],
    ['output lone key=value is still a path', ['output', 'dest=out'], { type: 'local', dest: 'dest=out' }],
    ['output registry stays registry', ['output', 'type=registry'], { type: 'registry' }],
    ['output attributes', ['output', 'type=image,compression=zstd'], { type: 'image', compression: 'zstd' }],
    ['output keys trimmed and lowercased', ['output', ' Type =docker,NAME=foo'], { type: 'docker', name: 'foo' }],
    ['output empty dest is unset', ['output', 'type=docker,dest='], { type: 'docker' }],
    ['output quoted field', ['output', 'type=image,"name=a,b"'], { type: 'image', name: 'a,b' }],
    ['output later key wins', ['output', 'type=oci,type=docker'], { type: 'docker' }],
    ['output __proto__ is an ordinary key', ['output', 'type=image,__proto__=x'], { type: 'image', ['__proto__']: 'x' }],
    ['cache ref only', ['cache-from', 'user/app:cache'], { type: 'registry', ref: 'user/app:cache' }],
    ['cache local', ['cache-from', 'type=local,src=path/to/cache'], { type: 'local', src: 'path/to/cache' }],
    ['cache keys lowercased', ['cache-to', 'type=gha,Scope=x,mode=max'], { type: 'gha', scope: 'x', mode: 'max' }],
    ['secret src', ['secret', 'id=mysecret,src=/local/secret'], { id: 'mysecret', src: '/local/secret' }],
    ['secret source alias', ['secret', 'id=x,source=f'], { id: 'x', src: 'f' }],
    ['secret env', ['secret', 'id=mysecret2,env=TOKEN'], { id: 'mysecret2', env: 'TOKEN' }],
    ['secret type=env names the variable by src', ['secret', 'id=x,type=env,src=VAR'], { id: 'x', env: 'VAR' }],
    ['secret type=file', ['secret', 'type=file,id=x,src=f'], { id: 'x', src: 'f' }],
    ['ssh default', ['ssh', 'default'], { id: 'default' }],
    ['ssh one path', ['ssh', 'key=path/to/key'], { id: 'key', paths: '["path/to/key"]' }],
    ['ssh several paths', ['ssh', 'id=a,b'], { id: 'id', paths: '["a","b"]' }],
    ['ssh is not CSV', ['ssh', 'k="a,b"'], { id: 'k', paths: '["\\"a","b\\""]' }],
    ['ssh empty path list', ['ssh', 'default='], { id: 'default', paths: '[""]' }],
    ['attest provenance', ['attest', 'type=provenance,mode=max'], { type: 'provenance', mode: 'max' }],
    ['attest disabled', ['attest', 'type=sbom,disabled=true'], { type: 'sbom', disabled: 'true' }],
    ['attest disabled=false is the default', ['attest', 'type=sbom,disabled=false'], { type: 'sbom' }],
    ['attest Go bool spellings', ['attest', 'type=sbom,Disabled=T'], { type: 'sbom', disabled: 'true' }],
    ['attest keeps attribute case', ['attest', 'TYPE=sbom,Generator=x'], { type: 'sbom', Generator: 'x' }],
  ];
  for (const [name, [kind, text], expected] of cases) await t.test(name, () => assert.deepEqual(parseEntry(kind, text), expected));

  const errors: Case<[EntryKind, string], string>[] = [
    ['output field without =', ['output', 'type=local,foo'], 'invalid value foo'],
    ['output without type', ['output', 'dest=out,foo=bar'], 'type is required for output'],
    ['output bare quote', ['output', 'type=image,name="a,b"'], 'parse error on line 1, column 17: bare " in non-quoted-field'],
    ['output empty', ['output', ''], 'EOF'],
    ['cache without type', ['cache-from', 'ref=x'], 'type required form> "ref=x"'],
    ['cache type error quotes as Go', ['cache-from', 'ref=a\\b'], 'type required form> "ref=a\\\\b"'],
    ['cache field without =', ['cache-to', 'type=local,foo'], 'invalid value foo'],
    ['cache type error escapes control characters', ['cache-to', 'ref=a\tb'], 'type required form> "ref=a\\tb"'],
    ['secret unknown key', ['secret', 'id=x,foo=bar'], "unexpected key 'foo' in 'foo=bar'"],
    ['secret key is lowercased in the message', ['secret', 'id=x,Foo=bar'], "unexpected key 'foo' in 'Foo=bar'"],
    ['secret field without =', ['secret', 'id'], "invalid field 'id' must be a key=value pair"],
    ['secret bad type', ['secret', 'type=ssh,id=x'], 'unsupported secret type "ssh"'],
    ['secret bad CSV', ['secret', 'id="x'], 'failed to parse csv secret: parse error on line 1, column 4: bare " in non-quoted-field'],
    ['attest without type', ['attest', 'mode=max'], 'attestation type not specified'],
    ['attest field without =', ['attest', 'type=sbom,x'], 'invalid value x'],
    ['attest bad bool', ['attest', 'type=sbom,disabled=maybe'], 'invalid value disabled=maybe: strconv.ParseBool: parsing "maybe": invalid syntax'],
  ];
  for (const [name, [kind, text], message] of errors) await t.test(name, () => throwsEntryError(() => parseEntry(kind, text), message));
});

test('entryFromObject reads the HCL object form', async (t) => {
  const cases: Case<[EntryKind, ObjectValue], Entry>[] = [
    ['output', ['output', { type: 'oci', dest: '../out.tar' }], { type: 'oci', dest: '../out.tar' }],
    ['output bool converts to string', ['output', { type: 'image', push: true }], { type: 'image', push: 'true' }],
    ['output number converts to string', ['output', { type: 'image', 'compression-level': 3 }], { type: 'image', 'compression-level': '3' }],
    ['output null attribute is absent', ['output', { type: 'image', name: null }], { type: 'image' }],
    ['output keys kept as written', ['output', { type: 'image', Name: 'x' }], { type: 'image', Name: 'x' }],
    ['cache', ['cache-from', { type: 'registry', ref: 'user/app:cache' }], { type: 'registry', ref: 'user/app:cache' }],
    ['cache to', ['cache-to', { type: 'local', dest: 'path/to/cache' }], { type: 'local', dest: 'path/to/cache' }],
    ['attest', ['attest', { type: 'provenance', mode: 'max' }], { type: 'provenance', mode: 'max' }],
    ['attest disabled string', ['attest', { type: 'sbom', disabled: 'true' }], { type: 'sbom', disabled: 'true' }],
    ['attest disabled bool', ['attest', { type: 'sbom', disabled: true }], { type: 'sbom', disabled: 'true' }],
    ['attest type is not required', ['attest', { mode: 'max' }], { type: '', mode: 'max' }],
    ['secret src', ['secret', { id: 'mysecret', src: '/local/secret' }], { id: 'mysecret', src: '/local/secret' }],
    ['secret env, other attributes dropped', ['secret', { id: 'mysecret2', env: 'TOKEN', extra: 'x' }], { id: 'mysecret2', env: 'TOKEN' }],
    ['ssh id', ['ssh', { id: 'default' }], { id: 'default' }],
    ['ssh paths', ['ssh', { id: 'key', paths: ['path/to/key'] }], { id: 'key', paths: '["path/to/key"]' }],
    ['ssh empty paths', ['ssh', { id: 'key', paths: [] }], { id: 'key' }],
  ];
  for (const [name, [kind, object], expected] of cases) await t.test(name, () => assert.deepEqual(entryFromObject(kind, object), expected));

  await t.test('output without type', () => throwsEntryError(() => entryFromObject('output', { dest: 'x' }), 'type is required for output'));
  await t.test('cache without type quotes the object as JSON', () =>
    throwsEntryError(() => entryFromObject('cache-from', { ref: 'x', mode: 1 }), 'type required form> "{\\"mode\\":1,\\"ref\\":\\"x\\"}"'),
  );
  await t.test('attest bad disabled', () =>
    throwsEntryError(() => entryFromObject('attest', { type: 'sbom', disabled: 'x' }), 'strconv.ParseBool: parsing "x": invalid syntax'),
  );
  await t.test('list attribute is a type error', () => assert.throws(() => entryFromObject('output', { type: 'image', tags: ['a'] }), ConversionError));
  await t.test('ssh paths must be a list', () => assert.throws(() => entryFromObject('ssh', { id: 'k', paths: 'a' }), ConversionError));
});

test('entriesFromValue reads a target attribute', async (t) => {
  const cases: Case<[EntryKind, Value], Entry[]>[] = [
    // TestHCLAttrsCapsuleType
    [
      'mixed strings and objects',
      ['output', [{ type: 'oci', dest: '../out.tar' }, 'type=local,dest=../out']],
      [
        { type: 'oci', dest: '../out.tar' },
        { type: 'local', dest: '../out' },
      ],
    ],
    ['empty strings and nulls skipped', ['output', ['', null, 'type=docker']], [{ type: 'docker' }]],
    [
      'cache refs split into entries',
      ['cache-from', ['user/app:cache,user/app:cache2']],
      [
        { type: 'registry', ref: 'user/app:cache' },
        { type: 'registry', ref: 'user/app:cache2' },
      ],
    ],
    ['cache with = is one entry', ['cache-from', ['type=local,src=a,b=c']], [{ type: 'local', src: 'a', b: 'c' }]],
    ['ssh', ['ssh', [{ id: 'default' }, 'key=path/to/key']], [{ id: 'default' }, { id: 'key', paths: '["path/to/key"]' }]],
    ['empty list', ['secret', []], []],
  ];
  for (const [name, [kind, value], expected] of cases) await t.test(name, () => assert.deepEqual(entriesFromValue(kind, value), expected));

  const typeErrors: Case<[EntryKind, Value], string>[] = [
    ['not a list', ['output', 'type=image'], 'list of map of string required'],
    ['secret not a list', ['secret', { id: 'x' }], 'list of object required'],
    ['bool item', ['output', [true]], 'map of string required'],
    ['number item', ['secret', [5]], 'object required'],
  ];
  for (const [name, [kind, value], message] of typeErrors) {
    await t.test(name, () =>
      assert.throws(
        () => entriesFromValue(kind, value),
        (e: unknown) => e instanceof ConversionError && e.message === message,
      ),
    );
  }
  await t.test('bad item', () => throwsEntryError(() => entriesFromValue('attest', ['mode=max']), 'attestation type not specified'));
});

test('parseOverrideEntries reads --set values', async (t) => {
  await t.test('empty values skipped', () => assert.deepEqual(parseOverrideEntries('output', ['type=registry', '']), [{ type: 'registry' }]));
  await t.test('cache refs split', () =>
    assert.deepEqual(parseOverrideEntries('cache-from', ['a,b']), [
      { type: 'registry', ref: 'a' },
      { type: 'registry', ref: 'b' },
    ]),
  );
  const errors: Case<[EntryKind, string], string>[] = [
    ['output', ['output', 'foo,bar'], 'invalid value for outputs: invalid value foo'],
    ['secret says outputs too', ['secret', 'id=x,foo=1'], "invalid value for outputs: unexpected key 'foo' in 'foo=1'"],
    ['attest', ['attest', 'mode=max'], 'invalid value for attest: attestation type not specified'],
    ['cache is not prefixed', ['cache-to', 'ref=x'], 'type required form> "ref=x"'],
  ];
  for (const [name, [kind, text], message] of errors) await t.test(name, () => throwsEntryError(() => parseOverrideEntries(kind, [text]), message));
});

const A: Entry = { type: 'local', dest: 'a' };
const B: Entry = { type: 'local', dest: 'b' };
const C: Entry = { type: 'local', dest: 'c' };
const D: Entry = { type: 'local', dest: 'd' };

test('normalizeEntries dedupes as buildx Normalize does', async (t) => {
  const cases: Case<[EntryKind, Entry[]], Entry[]>[] = [
    ['empty', ['output', []], []],
    ['no duplicates keeps order', ['output', [A, B, C]], [A, B, C]],
    ['later duplicate dropped', ['output', [A, B, A, C]], [A, B, C]],
    // removeDupes moves the last entry into the duplicate's place.
    ['adjacent duplicate reorders', ['output', [A, A, B, C]], [A, C, B]],
    [
      'cache exact duplicates',
      [
        'cache-from',
        [
          { type: 'registry', ref: 'x' },
          { type: 'registry', ref: 'x' },
        ],
      ],
      [{ type: 'registry', ref: 'x' }],
    ],
    [
      'secrets dedupe whole entries, not ids',
      [
        'secret',
        [
          { id: 'a', src: 'x' },
          { id: 'a', src: 'y' },
          { id: 'a', src: 'x' },
        ],
      ],
      [
        { id: 'a', src: 'x' },
        { id: 'a', src: 'y' },
      ],
    ],
    [
      'ssh keeps the last per id at the first place',
      ['ssh', [{ id: 'default' }, { id: 'key', paths: '["a"]' }, { id: 'default', paths: '["b"]' }]],
      [
        { id: 'default', paths: '["b"]' },
        { id: 'key', paths: '["a"]' },
      ],
    ],
  ];
  for (const [name, [kind, entries], expected] of cases) await t.test(name, () => assert.deepEqual(normalizeEntries(kind, entries), expected));

  await t.test('attests keep the last per type (TestAttestDuplicates)', () => {
    const attests = ['type=sbom', 'type=sbom,generator=custom', 'type=sbom,foo=bar', 'type=provenance,mode=max'].map((s) => parseEntry('attest', s));
    assert.deepEqual(normalizeEntries('attest', attests), [
      { type: 'sbom', foo: 'bar' },
      { type: 'provenance', mode: 'max' },
    ]);
  });
});

test('mergeEntries merges as buildx Merge does', async (t) => {
  const provenance = parseEntry('attest', 'type=provenance,mode=max');
  const sbom = parseEntry('attest', 'type=sbom');
  const sbomOff = parseEntry('attest', 'type=sbom,disabled=true');
  const cases: Case<[EntryKind, Entry[] | undefined, Entry[] | undefined], Entry[] | undefined>[] = [
    ['attest override replaces by type (TestAttestDuplicates)', ['attest', [provenance, sbom], [sbomOff]], [provenance, sbomOff]],
    ['cache-from appends and dedupes', ['cache-from', [A], [A, B]], [A, B]],
    [
      'secrets append',
      ['secret', [{ id: 'a', src: 'x' }], [{ id: 'b', env: 'E' }]],
      [
        { id: 'a', src: 'x' },
        { id: 'b', env: 'E' },
      ],
    ],
    ['ssh replaces by id', ['ssh', [{ id: 'default' }], [{ id: 'default', paths: '["k"]' }]], [{ id: 'default', paths: '["k"]' }]],
    ['both nil', ['output', undefined, undefined], undefined],
    ['both empty normalize to nil', ['output', [], []], undefined],
    ['empty over still normalizes', ['output', [A, A, B, C], []], [A, C, B]],
    // With a nil side, buildx discards Normalize's result but keeps the rearranged list.
    ['nil base keeps rearranged duplicates', ['output', undefined, [A, A, B, C]], [A, C, B, A]],
    ['nil over keeps rearranged duplicates', ['secret', [{ id: 'a' }, { id: 'a' }, { id: 'b' }], undefined], [{ id: 'a' }, { id: 'b' }, { id: 'a' }]],
    ['nil base attest unchanged', ['attest', undefined, [sbom, sbomOff]], [sbom, sbomOff]],
    ['nil base cache is normalized', ['cache-from', undefined, [A, A, B, C]], [A, C, B]],
    ['nil base empty cache is nil', ['cache-to', undefined, []], undefined],
  ];
  for (const [name, [kind, base, over], expected] of cases) await t.test(name, () => assert.deepEqual(mergeEntries(kind, base, over), expected));

  await t.test('a rearranged list changes the next merge', () => {
    const first = mergeEntries('output', undefined, [A, A, B, C]);
    assert.deepEqual(mergeEntries('output', first, [D]), [A, C, B, D]);
    assert.deepEqual(mergeEntries('output', [A, A, B, C], [D]), [A, D, B, C]);
  });
});

const out = (text: string): Entry => parseEntry('output', text);

test('applyPushOverride (TestPushOverride)', async (t) => {
  const cases: Case<[string[], boolean], Entry[]>[] = [
    ['empty output', [[], true], [{ type: 'image', push: 'true' }]],
    ['type image', [['type=image,compression=zstd'], true], [{ type: 'image', compression: 'zstd', push: 'true' }]],
    ['type image push false', [['type=image,compression=zstd'], false], [{ type: 'image', compression: 'zstd', push: 'false' }]],
    ['type registry', [['type=registry'], true], [{ type: 'registry' }]],
    ['type registry push false', [['type=registry'], false], []],
    ['type local', [['type=local,dest=out'], true], [{ type: 'local', dest: 'out' }]],
    ['type docker gains an image', [['type=docker'], true], [{ type: 'docker' }, { type: 'image', push: 'true' }]],
    [
      'push false moves the last output into a removed registry',
      [['type=registry', 'type=image', 'type=local,dest=o'], false],
      [
        { type: 'local', dest: 'o' },
        { type: 'image', push: 'false' },
      ],
    ],
    ['push false on empty', [[], false], []],
  ];
  for (const [name, [outputs, push], expected] of cases) await t.test(name, () => assert.deepEqual(applyPushOverride(outputs.map(out), push), expected));
});

test('applyLoadOverride (TestLoadOverride)', async (t) => {
  const cases: Case<[string[], boolean], Entry[]>[] = [
    ['empty output', [[], true], [{ type: 'docker' }]],
    ['type docker', [['type=docker'], true], [{ type: 'docker' }]],
    ['type image', [['type=image'], true], [{ type: 'image' }, { type: 'docker' }]],
    ['type image load false', [['type=image'], false], [{ type: 'image' }]],
    ['type registry', [['type=registry'], true], [{ type: 'registry' }, { type: 'docker' }]],
    ['type oci', [['type=oci,dest=out'], true], [{ type: 'oci', dest: 'out' }, { type: 'docker' }]],
    ['type docker with dest', [['type=docker,dest=out'], true], [{ type: 'docker', dest: 'out' }, { type: 'docker' }]],
    ['type local', [['type=local,dest=out'], true], [{ type: 'local', dest: 'out' }]],
    ['type image and local', [['type=image', 'type=local,dest=out'], true], [{ type: 'image' }, { type: 'local', dest: 'out' }]],
  ];
  for (const [name, [outputs, load], expected] of cases) await t.test(name, () => assert.deepEqual(applyLoadOverride(outputs.map(out), load), expected));
});

test('load then push (TestLoadAndPushOverride)', async (t) => {
  const both = (outputs: string[]): Entry[] => applyPushOverride(applyLoadOverride(outputs.map(out), true), true);
  await t.test('empty target', () => assert.deepEqual(both([]), [{ type: 'docker' }, { type: 'image', push: 'true' }]));
  await t.test('type local', () => assert.deepEqual(both(['type=local,dest=out']), [{ type: 'local', dest: 'out' }]));
  await t.test('type registry', () => assert.deepEqual(both(['type=registry']), [{ type: 'registry' }, { type: 'docker' }]));
  await t.test('type image', () => assert.deepEqual(both(['type=image']), [{ type: 'image', push: 'true' }, { type: 'docker' }]));
});

/** What a --provenance/--sbom flag does: its canonical --set text, parsed as an override entry. */
function parseAttestFlag(kind: 'provenance' | 'sbom', value: string): Entry | undefined {
  const text = canonicalAttest(kind, value);
  return text ? parseOverrideEntries('attest', [text])[0] : undefined;
}

test('--provenance and --sbom flags canonicalize as buildx does', async (t) => {
  const cases: Case<['provenance' | 'sbom', string], Entry | undefined>[] = [
    ['true enables', ['provenance', 'true'], { type: 'provenance' }],
    ['1 enables', ['provenance', '1'], { type: 'provenance' }],
    ['false disables', ['provenance', 'false'], { type: 'provenance', disabled: 'true' }],
    ['FALSE disables', ['sbom', 'FALSE'], { type: 'sbom', disabled: 'true' }],
    ['mode=max', ['provenance', 'mode=max'], { type: 'provenance', mode: 'max' }],
    ['builder-id', ['provenance', 'mode=min,builder-id=https://ci/run/1'], { type: 'provenance', mode: 'min', 'builder-id': 'https://ci/run/1' }],
    ['sbom generator', ['sbom', 'generator=docker/scout-sbom-indexer:1'], { type: 'sbom', generator: 'docker/scout-sbom-indexer:1' }],
    ['empty sets nothing', ['sbom', ''], undefined],
  ];
  for (const [name, [kind, value], expected] of cases) await t.test(name, () => assert.deepEqual(parseAttestFlag(kind, value), expected));
  await t.test('bad value', () => throwsEntryError(() => parseAttestFlag('provenance', 'max'), 'invalid value for attest: invalid value max'));
  await t.test('overrides the target entry of its type', () => {
    const target = ['type=provenance,mode=max', 'type=sbom'].map((s) => parseEntry('attest', s));
    const flag = parseAttestFlag('provenance', 'false') as Entry;
    assert.deepEqual(mergeEntries('attest', target, [flag]), [{ type: 'provenance', disabled: 'true' }, { type: 'sbom' }]);
  });
});

test('entryToJSON prints in buildx key order', async (t) => {
  const cases: Case<[EntryKind, string], [string, unknown][]>[] = [
    [
      'output keys sorted',
      ['output', 'type=local,dest=out'],
      [
        ['dest', 'out'],
        ['type', 'local'],
      ],
    ],
    [
      'output push',
      ['output', 'type=image,push=true,name=a'],
      [
        ['name', 'a'],
        ['push', 'true'],
        ['type', 'image'],
      ],
    ],
    [
      'byte order, digits before letters',
      ['output', 'type=image,9=x,10=y'],
      [
        ['10', 'y'],
        ['9', 'x'],
        ['type', 'image'],
      ],
    ],
    [
      'cache registry',
      ['cache-from', 'user/app:cache'],
      [
        ['ref', 'user/app:cache'],
        ['type', 'registry'],
      ],
    ],
    [
      'attest',
      ['attest', 'type=provenance,mode=max'],
      [
        ['mode', 'max'],
        ['type', 'provenance'],
      ],
    ],
    [
      'attest disabled is a bool',
      ['attest', 'type=sbom,disabled=true'],
      [
        ['disabled', true],
        ['type', 'sbom'],
      ],
    ],
    [
      'secret in struct order',
      ['secret', 'env=TOKEN,id=x'],
      [
        ['id', 'x'],
        ['env', 'TOKEN'],
      ],
    ],
    [
      'secret src',
      ['secret', 'src=/f,id=x'],
      [
        ['id', 'x'],
        ['src', '/f'],
      ],
    ],
    ['ssh default', ['ssh', 'default'], [['id', 'default']]],
    [
      'ssh paths are a list',
      ['ssh', 'key=a,b'],
      [
        ['id', 'key'],
        ['paths', ['a', 'b']],
      ],
    ],
  ];
  for (const [name, [kind, text], expected] of cases) await t.test(name, () => assert.deepEqual([...entryToJSON(kind, parseEntry(kind, text))], expected));
});

test('entryToValue is what target references see', async (t) => {
  const cases: Case<[EntryKind, string], Record<string, Value>>[] = [
    ['output always has dest', ['output', 'type=docker'], { type: 'docker', dest: '' }],
    ['output dest', ['output', 'type=local,dest=out'], { type: 'local', dest: 'out' }],
    ['cache', ['cache-from', 'user/app:cache'], { type: 'registry', ref: 'user/app:cache' }],
    ['attest disabled', ['attest', 'type=sbom,disabled=true'], { type: 'sbom', disabled: 'true' }],
    ['secret all fields', ['secret', 'id=x,src=f'], { id: 'x', src: 'f', env: '' }],
    ['ssh paths list', ['ssh', 'default'], { id: 'default', paths: [] }],
  ];
  for (const [name, [kind, text], expected] of cases) await t.test(name, () => assert.deepEqual({ ...entryToValue(kind, parseEntry(kind, text)) }, expected));
  await t.test('sshPaths', () => assert.deepEqual(sshPaths(parseEntry('ssh', 'k=a,b')), ['a', 'b']));
});
