import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BakeFileError } from '../../src/core/diagnostics.js';
import { parseDotenv } from '../../src/bakefile/formats/dotenv.js';

const ENV: Record<string, string> = { HOME: '/home/me', SHELL_ONLY: 'from-shell', A: 'from-env' };
const lookup = (name: string): string | undefined => ENV[name];

// Cases follow compose-go's dotenv tests (godotenv_test.go, parser_test.go) where they apply.
const cases: [name: string, text: string, expected: Record<string, string>][] = [
  ['plain', 'OPTION_A=1\nOPTION_B=2\n', { OPTION_A: '1', OPTION_B: '2' }],
  ['no trailing newline', 'FOO=bar', { FOO: 'bar' }],
  ['blanks around the separator', 'OPTION_A = 1\n  OPTION_B=  2  \n', { OPTION_A: '1', OPTION_B: '2' }],
  ['empty value', 'EMPTY=\nNEXT=x', { EMPTY: '', NEXT: 'x' }],
  ['equals in the value', 'URL=a=b=c', { URL: 'a=b=c' }],
  ['yaml-style separator', 'OPTION_A: 1\nOPTION_B: two', { OPTION_A: '1', OPTION_B: 'two' }],
  ['export prefix', 'export OPTION_A=2\nexport  OPTION_B="x"', { OPTION_A: '2', OPTION_B: 'x' }],
  ['a key named export', 'export=yes', { export: 'yes' }],
  ['comment lines', '# comment\nA=1\n  # indented comment\nB=2', { A: '1', B: '2' }],
  ['inline comment needs a blank before #', 'A=b #c\nB=b#c', { A: 'b', B: 'b#c' }],
  ['hash inside quotes', 'A="b #c" # real comment', { A: 'b #c' }],
  ['double quotes with escapes', 'A="line1\\nline2\\ttab \\"q\\" back\\\\slash"', { A: 'line1\nline2\ttab "q" back\\slash' }],
  ['unknown escapes stay', 'A="\\c\\d"', { A: '\\c\\d' }],
  ['octal escape', 'A="\\0101x"', { A: 'Ax' }],
  ['single quotes are literal', "A='$HOME \\n'", { A: '$HOME \\n' }],
  ['escaped quote in single quotes', "A='it\\'s'", { A: "it's" }],
  ['double quotes span lines', 'A="one\ntwo"\nB=3', { A: 'one\ntwo', B: '3' }],
  ['quoted value keeps inner blanks', 'A="  x  "', { A: '  x  ' }],
  ['variable expansion unquoted and double-quoted', 'A=$HOME/a\nB="${HOME}/b"\nC=\'$HOME\'', { A: '/home/me/a', B: '/home/me/b', C: '$HOME' }],
  ['earlier keys win over the environment in expansion', 'A=local\nB=${A}', { A: 'local', B: 'local' }],
  ['expansion defaults', 'B=${UNSET:-fallback}', { B: 'fallback' }],
  ['dollar escapes', 'A=$$HOME\nB="\\$HOME"', { A: '$HOME', B: '$HOME' }],
  ['a name alone takes the environment', 'SHELL_ONLY\nUNSET_ONE\nX=1', { SHELL_ONLY: 'from-shell', X: '1' }],
  ['a name alone at the end', 'X=1\nSHELL_ONLY', { X: '1', SHELL_ONLY: 'from-shell' }],
  ['CRLF line endings', 'A=1\r\nB="2"\r\n', { A: '1', B: '2' }],
  ['byte order mark', '\uFEFFA=1', { A: '1' }],
  ['dots, dashes and brackets in names', 'a.b-c[0]=1', { 'a.b-c[0]': '1' }],
  ['later definition wins', 'A=1\nA=2', { A: '2' }],
];

for (const [name, text, expected] of cases) {
  test(`dotenv: ${name}`, () => {
    assert.deepEqual(Object.fromEntries(parseDotenv(text, { lookup })), expected);
  });
}

test('dotenv: keeps file order', () => {
  assert.deepEqual([...parseDotenv('Z=1\nA=2\nM=3').keys()], ['Z', 'A', 'M']);
});

test('dotenv: works without a lookup', () => {
  assert.deepEqual(Object.fromEntries(parseDotenv('A=${HOME:-none}\nHOME')), { A: 'none' });
});

const errors: [name: string, text: string, summary: string, line: number, column: number][] = [
  ['space in a key', 'OK=1\nA B=1', 'line 2: key cannot contain a space', 2, 1],
  ['bad character in a name', 'A=1\n\nBAD!=1', 'line 3: unexpected character "!" in variable name "BAD!=1"', 3, 4],
  ['unterminated double quote', 'A=1\nB="abc\nC=2', 'line 2: unterminated quoted value "abc', 2, 3],
  ['unterminated single quote', "B='abc", "line 1: unterminated quoted value 'abc", 1, 3],
  ['required variable', 'A=1\nB=${NEEDED:?set it}', 'required variable NEEDED is missing a value: set it', 2, 3],
  ['invalid template', 'A="${"', 'Invalid template: "${"', 1, 3],
];

for (const [name, text, summary, line, column] of errors) {
  test(`dotenv error: ${name}`, () => {
    assert.throws(
      () => parseDotenv(text, { lookup, filename: '.env' }),
      (e: unknown) => {
        assert.ok(e instanceof BakeFileError);
        const d = e.diagnostics[0];
        assert.equal(d?.summary, summary);
        assert.equal(d?.range?.filename, '.env');
        assert.deepEqual([d?.range?.start.line, d?.range?.start.column], [line, column]);
        assert.ok(d?.fix);
        return true;
      },
    );
  });
}
