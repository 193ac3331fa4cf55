/**
 * `--print` output byte for byte as Go's json.MarshalIndent writes it:
 * HTML-safe escapes, short escapes since Go 1.22, map keys in UTF-8 byte
 * order, struct fields in declaration order, omitempty, and buildx's
 * re-escaping of `${` and `%{` so the printed definition reads back the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeGoJSON, printResolved, type GoJSON } from '../../src/bakefile/print.js';
import type { Group, Service, Target } from '../../src/bakefile/model.js';
import { evaluateSources, printDefinition } from '../../src/bakefile/pipeline.js';
import { FIXED_WORLD } from '../support/fixed-world.js';

const encode = (v: GoJSON): string => encodeGoJSON(v);

test('strings escape as Go does: HTML-safe, U+2028/9, control characters', () => {
  const cases: Array<[string, string]> = [
    ['plain', '"plain"'],
    ['<script>&</script>', '"\\u003cscript\\u003e\\u0026\\u003c/script\\u003e"'],
    ['a\u2028b\u2029c', '"a\\u2028b\\u2029c"'],
    ['"quoted" \\ back', '"\\"quoted\\" \\\\ back"'],
    ['\n\r\t', '"\\n\\r\\t"'],
    // Go 1.22+ writes \b and \f short; every other control character as \u00XX.
    ['\b\f', '"\\b\\f"'],
    ['\u0000\u0001\u001b\u001f', '"\\u0000\\u0001\\u001b\\u001f"'],
    // DEL, slash and non-ASCII text are written as they are.
    ['\u007f/é中😀', '"\u007f/é中😀"'],
    ['', '""'],
  ];
  for (const [input, want] of cases) assert.equal(encode(input), want, JSON.stringify(input));
});

test('numbers, booleans and null', () => {
  assert.equal(encode(3), '3');
  assert.equal(encode(true), 'true');
  assert.equal(encode(null), 'null');
});

test('map keys sort by UTF-8 bytes, struct fields keep their order', () => {
  const keys = ['b', 'a', 'B', 'é', 'z', 'aa', '\u{1F600}', '\uFFFD', '_', '1'];
  const map = Object.fromEntries(keys.map((k) => [k, 1]));
  const order = [...encode(map).matchAll(/"([^"]+)":/g)].map((m) => m[1]);
  // Byte order: U+FFFD (EF BF BD) sorts before an astral character (F0 ...), unlike UTF-16 order.
  assert.deepEqual(order, ['1', 'B', '_', 'a', 'aa', 'b', 'z', 'é', '\uFFFD', '\u{1F600}']);
  const struct = new Map<string, GoJSON>([
    ['z', 1],
    ['a', 2],
  ]);
  assert.equal(encode(struct), '{\n  "z": 1,\n  "a": 2\n}');
  // Keys are escaped like any string.
  assert.equal(encode({ '<k>': 'v' }), '{\n  "\\u003ck\\u003e": "v"\n}');
  // Keys that read as array indices, which a JavaScript object enumerates first and in numeric order, sort as strings too.
  assert.deepEqual(
    [...encode({ B: 1, '9': 2, '10': 3, '0': 4 }).matchAll(/"([^"]+)":/g)].map((m) => m[1]),
    ['0', '10', '9', 'B'],
  );
});

test('indentation and empty collections', () => {
  assert.equal(encode([]), '[]');
  assert.equal(encode({}), '{}');
  assert.equal(encode(new Map()), '{}');
  assert.equal(encode({ a: [1, { b: [] }] }), '{\n  "a": [\n    1,\n    {\n      "b": []\n    }\n  ]\n}');
});

function resolved(targets: Target[], groups: Group[] = []): Parameters<typeof printResolved>[0] {
  return { groups: new Map(groups.map((g) => [g.name, g])), targets: new Map(targets.map((t) => [t.name, t])), linked: new Set() };
}

test('targets print their fields in buildx struct order, omitting empty ones', () => {
  const target: Target = {
    name: 'app',
    'extra-hosts': { h: '1.2.3.4' },
    tags: ['t'],
    context: '.',
    description: 'd',
    args: { B: '2', A: '1' },
    dockerfile: 'Dockerfile',
    platforms: [],
    labels: {},
    'no-cache': false,
    pull: true,
    annotations: [],
  };
  const out = printResolved(resolved([target], [{ name: 'default', targets: ['app'], description: 'all' }]));
  assert.equal(
    out,
    `{
  "group": {
    "default": {
      "description": "all",
      "targets": [
        "app"
      ]
    }
  },
  "target": {
    "app": {
      "description": "d",
      "context": ".",
      "dockerfile": "Dockerfile",
      "args": {
        "A": "1",
        "B": "2"
      },
      "tags": [
        "t"
      ],
      "pull": true,
      "no-cache": false,
      "extra-hosts": {
        "h": "1.2.3.4"
      }
    }
  }
}`,
  );
  // No groups: no "group" key; no targets: an empty "target" object.
  assert.equal(printResolved(resolved([])), '{\n  "target": {}\n}');
  // An empty description is omitted, and so is a group's.
  assert.equal(
    printResolved(resolved([{ name: 'x', description: '' }], [{ name: 'g', targets: [], description: '' }])),
    '{\n  "group": {\n    "g": {\n      "targets": []\n    }\n  },\n  "target": {\n    "x": {}\n  }\n}',
  );
});

test('services print after targets, with their health check', () => {
  const service: Service = {
    name: 'db',
    image: 'postgres:16',
    ports: ['5432:5432'],
    environment: { B: '2', A: null },
    healthcheck: { test: ['CMD', 'true'], retries: 3 },
  };
  const out = JSON.parse(printResolved(resolved([]), [service])) as { service: Record<string, unknown> };
  assert.deepEqual(out.service['db'], {
    image: 'postgres:16',
    environment: { A: null, B: '2' },
    ports: ['5432:5432'],
    healthcheck: { test: ['CMD', 'true'], retries: 3 },
  });
});

/** Target `app` of an HCL file as `bake --print app --set …` prints it. */
async function printed(text: string, options: { sets?: string[] } = {}): Promise<string> {
  const request = { env: () => undefined, warn: () => {} };
  const evaluated = await evaluateSources({ sources: [{ filename: 'docker-bake.hcl', text }], ...request, localPlatform: 'linux/amd64', world: FIXED_WORLD });
  return printDefinition(evaluated, { ...request, names: ['app'], sets: options.sets ?? [] });
}

test('args, labels, annotations and dockerfile-inline re-escape ${ and %{ (buildx #3097)', async () => {
  const text = `target "app" {
  args = {
    A = "$\${A}"
    P = "%%{p}"
    PLAIN = "$ { } %"
  }
  labels = {
    "l" = "$\${l}-%%{l}"
  }
  annotations = ["manifest:a=$\${x}"]
  dockerfile-inline = <<EOT
FROM scratch
ENV X=$\${X}
EOT
  tags = ["t:$\${notEscaped}"]
  description = "$\${desc}"
}`;
  const out = JSON.parse(await printed(text)) as { target: { app: Record<string, unknown> } };
  assert.deepEqual(out.target.app, {
    description: '${desc}',
    annotations: ['manifest:a=$${x}'],
    context: '.',
    dockerfile: 'Dockerfile',
    'dockerfile-inline': 'FROM scratch\nENV X=$${X}\n',
    args: { A: '$${A}', P: '%%{p}', PLAIN: '$ { } %' },
    labels: { l: '$${l}-%%{l}' },
    tags: ['t:${notEscaped}'],
  });
});

test('values set with --set are re-escaped too', async () => {
  const out = JSON.parse(await printed('target "app" {}', { sets: ['app.args.V=${x}', 'app.labels.L=%{y}', 'app.tags=${t}'] })) as {
    target: { app: Record<string, unknown> };
  };
  assert.deepEqual([out.target.app['args'], out.target.app['labels'], out.target.app['tags']], [{ V: '$${x}' }, { L: '%%{y}' }, ['${t}']]);
});

test('empty lists and maps from a bake file are omitted', async () => {
  const text = `target "app" {
  tags = []
  args = {}
  labels = {}
  platforms = [""]
  contexts = { a = "" }
  output = []
  annotations = []
}`;
  assert.equal(
    await printed(text),
    `{
  "group": {
    "default": {
      "targets": [
        "app"
      ]
    }
  },
  "target": {
    "app": {
      "context": ".",
      "dockerfile": "Dockerfile"
    }
  }
}`,
  );
});

test('printed strings with HTML characters and control characters', async () => {
  const text = `target "app" {
  args = {
    HTML = "<a href='x'>&amp;</a>"
    CTRL = "tab\\there\\nnew"
    UNI = "\\u2028"
  }
}`;
  const out = await printed(text);
  assert.match(out, /"HTML": "\\u003ca href='x'\\u003e\\u0026amp;\\u003c\/a\\u003e"/);
  assert.match(out, /"CTRL": "tab\\there\\nnew"/);
  assert.match(out, /"UNI": "\\u2028"/);
});
