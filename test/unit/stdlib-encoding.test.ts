import { cases } from './stdlib-support.js';

cases('base64encode', [
  { args: ['Hello'], want: 'SGVsbG8=' },
  { args: ['✓ ok'], want: '4pyTIG9r' },
  { args: [''], want: '' },
  { args: [12], want: 'MTI=' },
]);

cases('base64decode', [
  { args: ['SGVsbG8='], want: 'Hello' },
  { args: ['4pyTIG9r'], want: '✓ ok' },
  { args: ['SGVs\r\nbG8='], want: 'Hello' }, // Go skips line breaks
  { args: ['SGVsbG8'], error: "failed to decode base64 data 'SGVsbG8'" },
  { args: ['SGVs bG8='], error: "failed to decode base64 data 'SGVs bG8='" },
  { args: ['SGVsbG8-'], error: "failed to decode base64 data 'SGVsbG8-'" },
  { args: ['/w=='], error: 'the result of decoding the the provided string is not valid UTF-8' },
]);

cases('urlencode', [
  { args: ['a b=c&d'], want: 'a+b%3Dc%26d' },
  { args: ["ü/~*'()!"], want: '%C3%BC%2F~%2A%27%28%29%21' },
  { args: ['safe-_.~AZaz09'], want: 'safe-_.~AZaz09' },
  { args: ['a+b'], want: 'a%2Bb' },
]);

cases('jsonencode', [
  { args: [{ name: 'Docker', stars: 5 }], want: '{"name":"Docker","stars":5}' },
  { args: [{ b: [1, 1.5, null, true], a: {} }], want: '{"a":{},"b":[1,1.5,null,true]}' },
  { args: ['<a&b>'], want: '"\\u003ca\\u0026b\\u003e"' },
  { args: ['\u2028\b\f\n\x01"\\'], want: '"\\u2028\\b\\f\\n\\u0001\\"\\\\"' },
  { args: [1e21], want: '1000000000000000000000' },
  { args: [0.000001], want: '0.000001' },
  { args: [null], want: 'null' },
  { args: [[]], want: '[]' },
  { args: [Infinity], error: 'cannot serialize infinity as JSON' },
]);

cases('jsondecode', [
  { args: ['{"name":"Docker","stars":5}'], want: { name: 'Docker', stars: 5 } },
  // Nesting past the limit is Go's "exceeded max depth", not a stack overflow.
  { args: [`${'['.repeat(3000)}${']'.repeat(3000)}`], error: "invalid character '[' exceeded max depth" },
  { args: [`${'{"a":'.repeat(1001)}1${'}'.repeat(1001)}`], error: "invalid character '{' exceeded max depth" },
  { args: ['[1, "a", true, null, {"x": [ ]}]'], want: [1, 'a', true, null, { x: [] }] },
  { args: ['"\\u00e9\\n"'], want: 'é\n' },
  // Go's decoder (cty's jsondecode uses it) never yields a lone surrogate: a pair of escapes makes one
  // character, any other escaped surrogate becomes U+FFFD and what follows it is read on its own.
  { args: ['"\\ud83d\\ude00"'], want: '\u{1F600}' },
  { args: ['"x\\ud800y"'], want: 'x\uFFFDy' },
  { args: ['"\\udc00"'], want: '\uFFFD' },
  { args: ['"\\ude00\\ud83d"'], want: '\uFFFD\uFFFD' },
  { args: ['"\\ud800\\ud83d\\ude00"'], want: '\uFFFD\u{1F600}' },
  { args: ['"\\ud800\\u0041\\udc00z"'], want: '\uFFFDA\uFFFDz' },
  { args: ['"\\ud800\\uzzzz"'], error: "invalid character 'z' in \\u hexadecimal character escape" },
  { args: [' 42 '], want: 42 },
  { args: ['-1.5e2'], want: -150 },
  { args: ['null'], want: null },
  { args: [''], error: 'EOF' },
  { args: ['{'], error: 'unexpected EOF' },
  { args: ['[1,]'], error: "invalid character ']' looking for beginning of value" },
  { args: ['{"a" 1}'], error: "invalid character '1' after object key" },
  { args: ['{"a":1 "b":2}'], error: `invalid character '"' after object key:value pair` },
  { args: ['[1 2]'], error: "invalid character '2' after array element" },
  { args: ['{1:2}'], error: "invalid character '1' looking for beginning of object key string" },
  { args: ['1 2'], error: 'extraneous data after JSON object' },
  { args: ['{"a":1,"a":2}'], error: 'duplicate "a" property in JSON object' },
  { args: ['nul'], error: 'unexpected EOF' },
  { args: ['nux'], error: "invalid character 'x' in literal null (expecting 'l')" },
  { args: ['"a\tb"'], error: "invalid character '\\t' in string literal" },
  { args: ['"\\q"'], error: "invalid character 'q' in string escape code" },
]);

cases('csvdecode', [
  {
    args: ['name,age\nAlice,30\nBob,40'],
    want: [
      { name: 'Alice', age: '30' },
      { name: 'Bob', age: '40' },
    ],
  },
  {
    args: ['a,b\r\n"x\n""q""",2\r\n\r\n3,\n'],
    want: [
      { a: 'x\n"q"', b: '2' },
      { a: '3', b: '' },
    ],
  },
  { args: ['a,b\n'], want: [] },
  { args: ['a\r\n1\r'], want: [{ a: '1' }] },
  { args: [''], error: 'missing header line' },
  { args: ['\n\n'], error: 'missing header line' },
  { args: ['a,a\n1,2'], error: 'duplicate column name "a"' },
  { args: ['a,b\n1,2,3'], error: 'CSV parse error on line 2: wrong number of fields' },
  { args: ['a,b\n"x"y,2'], error: 'CSV parse error on line 2: extraneous or missing " in quoted-field' },
  { args: ['a,b\nx"y,1'], error: 'CSV parse error on line 2: bare " in non-quoted-field' },
  { args: ['a,b\n"open,1\n2,3'], error: 'CSV parse error on line 3: extraneous or missing " in quoted-field' },
]);
