import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BakeFileError, type SourcePos } from '../../src/core/diagnostics.js';
import { literalValue, numberValue } from '../../src/bakefile/hcl/token-values.js';
import { tokenize, type ScanMode, type Token } from '../../src/bakefile/hcl/tokenizer.js';

/** The tokens as objects, ending with eof. */
function tokenObjects(filename: string, text: string, mode?: ScanMode, start?: SourcePos): Token[] {
  const list = tokenize(filename, text, mode, start);
  return list.types.map((_, i) => list.token(i));
}

/** Tokens as `type:text` (text omitted when it equals the type), without the final eof. */
function kinds(text: string, mode: ScanMode = 'config'): string[] {
  return tokenObjects('t.hcl', text, mode)
    .slice(0, -1)
    .map((t) => (t.type === t.text ? t.type : `${t.type}:${t.text}`));
}

function onlyToken(text: string): Token {
  const tokens = tokenObjects('t.hcl', text);
  assert.equal(tokens.length, 2, `expected one token in ${JSON.stringify(text)}`);
  return tokens[0] as Token;
}

function errorOf(run: () => unknown): { summary: string; at: string } {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof BakeFileError, `expected BakeFileError, got ${String(e)}`);
    const d = e.diagnostics[0];
    assert.ok(d?.range, 'diagnostic has a range');
    assert.ok(d.detail && d.fix, 'diagnostic has a detail and a fix');
    return { summary: d.summary, at: `${d.range.start.line}:${d.range.start.column}-${d.range.end.line}:${d.range.end.column}` };
  }
  assert.fail('expected an error');
}

const TOKEN_CASES: readonly (readonly [string, string, readonly string[]])[] = [
  ['identifiers with dashes', 'cache-from _x a1-b_2', ['ident:cache-from', 'ident:_x', 'ident:a1-b_2']],
  ['unicode identifiers', 'ünïcode ユニコード', ['ident:ünïcode', 'ident:ユニコード']],
  ['a dash cannot start an identifier', '-a', ['-', 'ident:a']],
  ['numbers', '1 1.5 1e3 1E+3 2.5e-3 007', ['number:1', 'number:1.5', 'number:1e3', 'number:1E+3', 'number:2.5e-3', 'number:007']],
  ['a trailing dot is not part of a number', '1.x', ['number:1', '.', 'ident:x']],
  ['an exponent needs digits', '1e', ['number:1', 'ident:e']],
  ['legacy index numbers', 'a.0.1', ['ident:a', '.', 'number:0.1']],
  ['two-character operators', '== != <= >= && || => ...', ['==', '!=', '<=', '>=', '&&', '||', '=>', '...']],
  [
    'single-character punctuation',
    '! + - * / % ? : . , [ ] { } ( ) = < >',
    ['!', '+', '-', '*', '/', '%', '?', ':', '.', ',', '[', ']', '{', '}', '(', ')', '=', '<', '>'],
  ],
  ['newlines are tokens', 'a\nb\r\nc', ['ident:a', 'newline:\n', 'ident:b', 'newline:\r\n', 'ident:c']],
  ['line comments end in a newline', 'a # x\nb // y\nc', ['ident:a', 'newline:\n', 'ident:b', 'newline:\n', 'ident:c']],
  ['block comments are not newlines', 'a /* x\n y */ b', ['ident:a', 'ident:b']],
  ['a comment at the end of the file', 'a # x', ['ident:a']],
  ['quoted template', '"a${b}c"', ['oquote:"', 'quotedLit:a', 'interp:${', 'ident:b', 'seqEnd:}', 'quotedLit:c', 'cquote:"']],
  ['strip markers', '"${~ b ~}"', ['oquote:"', 'interp:${~', 'ident:b', 'seqEnd:~}', 'cquote:"']],
  [
    'directives',
    '"%{if x}y%{endif}"',
    ['oquote:"', 'control:%{', 'ident:if', 'ident:x', 'seqEnd:}', 'quotedLit:y', 'control:%{', 'ident:endif', 'seqEnd:}', 'cquote:"'],
  ],
  ['escaped sequences stay literal', '"$${a} %%{b}"', ['oquote:"', 'quotedLit:$${a} %%{b}', 'cquote:"']],
  ['lone dollar and percent signs', '"$ % $x"', ['oquote:"', 'quotedLit:$ % $x', 'cquote:"']],
  ['escaped quote does not close', '"a\\"b"', ['oquote:"', 'quotedLit:a\\"b', 'cquote:"']],
  ['braces inside an interpolation', '"${ {a = 1} }"', ['oquote:"', 'interp:${', '{', 'ident:a', '=', 'number:1', '}', 'seqEnd:}', 'cquote:"']],
  [
    'a string inside an interpolation',
    '"${f("}")}"',
    ['oquote:"', 'interp:${', 'ident:f', '(', 'oquote:"', 'quotedLit:}', 'cquote:"', ')', 'seqEnd:}', 'cquote:"'],
  ],
  ['heredoc', '<<EOT\nhello\nEOT\n', ['oheredoc:<<EOT', 'stringLit:hello\n', 'cheredoc:EOT', 'newline:\n']],
  ['flush heredoc with indented marker', '<<-EOT\n  a\n  EOT\n', ['oheredoc:<<-EOT', 'stringLit:  a\n', 'cheredoc:  EOT', 'newline:\n']],
  [
    'heredoc interpolation',
    '<<EOT\na${b}c\nEOT\n',
    ['oheredoc:<<EOT', 'stringLit:a', 'interp:${', 'ident:b', 'seqEnd:}', 'stringLit:c\n', 'cheredoc:EOT', 'newline:\n'],
  ],
  [
    'heredoc marker after an interpolation is text',
    '<<EOT\n${a}EOT\nEOT\n',
    ['oheredoc:<<EOT', 'interp:${', 'ident:a', 'seqEnd:}', 'stringLit:EOT\n', 'cheredoc:EOT', 'newline:\n'],
  ],
  ['heredoc keeps backslashes', '<<EOT\na\\nb\nEOT\n', ['oheredoc:<<EOT', 'stringLit:a\\nb\n', 'cheredoc:EOT', 'newline:\n']],
  ['heredoc with CRLF', '<<EOT\r\nx\r\nEOT\r\n', ['oheredoc:<<EOT', 'stringLit:x\r\n', 'cheredoc:EOT', 'newline:\r\n']],
  ['<< without a line break is not a heredoc', '<<EOT x', ['<', '<', 'ident:EOT', 'ident:x']],
  ['byte order mark is skipped', '\uFEFFa', ['ident:a']],
];

for (const [name, text, expected] of TOKEN_CASES) {
  test(`tokenize: ${name}`, () => assert.deepEqual(kinds(text), expected));
}

test('tokenize: bare template mode', () => {
  assert.deepEqual(kinds('a\\n${b}\n%{if c}d%{endif}', 'template'), [
    'stringLit:a\\n',
    'interp:${',
    'ident:b',
    'seqEnd:}',
    'stringLit:\n',
    'control:%{',
    'ident:if',
    'ident:c',
    'seqEnd:}',
    'stringLit:d',
    'control:%{',
    'ident:endif',
    'seqEnd:}',
  ]);
});

test('tokenize: positions count lines, code points and UTF-16 offsets', () => {
  const tokens = tokenObjects('f.hcl', 'a =\n\t"😀" b');
  const at = (i: number): string => {
    const r = (tokens[i] as Token).range;
    return `${r.start.line}:${r.start.column}/${r.start.offset}-${r.end.line}:${r.end.column}/${r.end.offset}`;
  };
  assert.equal(at(0), '1:1/0-1:2/1'); // a
  assert.equal(at(2), '1:4/3-2:1/4'); // newline
  assert.equal(at(3), '2:2/5-2:3/6'); // opening quote after a tab (one column)
  assert.equal(at(4), '2:3/6-2:4/8'); // the emoji: one column, two UTF-16 units
  assert.equal(at(6), '2:6/10-2:7/11'); // b
  assert.equal((tokens[0] as Token).range.filename, 'f.hcl');
  assert.equal((tokens[tokens.length - 1] as Token).type, 'eof');
});

test('tokenize: a byte order mark takes an offset but no column', () => {
  const [a, b] = tokenObjects('f.hcl', '\uFEFFa b');
  assert.deepEqual(
    [a?.range.start, b?.range.end],
    [
      { line: 1, column: 1, offset: 1 },
      { line: 1, column: 4, offset: 4 },
    ],
  );
});

test('tokenize: a start position offsets embedded text', () => {
  const [first, , second] = tokenObjects('f.json', 'x\ny', 'config', { line: 5, column: 10, offset: 100 });
  assert.deepEqual(first?.range.start, { line: 5, column: 10, offset: 100 });
  assert.deepEqual(second?.range.start, { line: 6, column: 1, offset: 102 });
});

const LITERAL_CASES: readonly (readonly [string, string])[] = [
  ['"a\\nb"', 'a\nb'],
  ['"a\\tb\\rc"', 'a\tb\rc'],
  ['"\\"q\\""', '"q"'],
  ['"C:\\\\x"', 'C:\\x'],
  ['"caf\\u00e9"', 'café'],
  ['"\\U0001F600"', '😀'],
  ['"$${x} %%{y}"', '${x} %{y}'],
  ['"$$${"', '$${'],
];

for (const [source, value] of LITERAL_CASES) {
  test(`literalValue: ${source}`, () => {
    const tokens = tokenize('t.hcl', source);
    assert.equal(tokens.types[1], 'quotedLit');
    assert.equal(literalValue(tokens, 1), value);
  });
}

test('literalValue: heredoc lines keep backslashes but resolve $${', () => {
  assert.equal(literalValue(tokenize('t.hcl', '<<EOT\n\\n $${x}\nEOT\n'), 1), '\\n ${x}\n');
});

test('numberValue', () => {
  assert.equal(numberValue(onlyToken('1e3').text), 1000);
  assert.equal(numberValue(onlyToken('2.5e-3').text), 0.0025);
  assert.equal(numberValue(onlyToken('1.2.3').text), undefined);
});

const ERROR_CASES: readonly (readonly [string, string, string, string])[] = [
  ['an unknown character', 'a = @', 'Invalid character', '1:5-1:6'],
  ['single quotes', "a = 'x'", 'Invalid character', '1:5-1:6'],
  ['a semicolon', 'a = 1;', 'Invalid character', '1:6-1:7'],
  ['a backtick', 'a = `x`', 'Invalid character', '1:5-1:6'],
  ['a bitwise operator', 'a = b & c', 'Unsupported operator', '1:7-1:8'],
  ['a lone tilde', 'a = ~b', 'Unsupported operator', '1:5-1:6'],
  ['a lone carriage return', 'a = 1\rb = 2', 'Invalid character', '1:6-1:7'],
  ['an unterminated block comment', 'a = 1 /* x', 'Unterminated comment', '1:7-1:9'],
  ['a line break in a quoted string', 'a = "x\ny"', 'Invalid multi-line string', '1:7-2:1'],
  ['a backslash before a line break', 'a = "x\\\n"', 'Invalid character', '1:7-1:8'],
  ['a non-ASCII space', 'a =\u00a01', 'Invalid character', '1:4-1:5'],
  ['a stray carriage return after a heredoc marker', 'a = <<EOT\nx\nEOT\r\r\n', 'Invalid character', '3:4-3:5'],
];

for (const [name, text, summary, at] of ERROR_CASES) {
  test(`tokenize error: ${name}`, () =>
    assert.deepEqual(
      errorOf(() => tokenize('t.hcl', text)),
      { summary, at },
    ));
}

const ESCAPE_ERRORS: readonly (readonly [string, string])[] = [
  ['"ab\\qc"', '1:4-1:6'],
  ['"\\u12"', '1:2-1:6'],
  ['"\\U1234"', '1:2-1:8'],
  ['"\\uD800"', '1:2-1:8'],
];

for (const [source, at] of ESCAPE_ERRORS) {
  test(`literalValue error: ${source}`, () => {
    const tokens = tokenize('t.hcl', source);
    assert.deepEqual(
      errorOf(() => literalValue(tokens, 1)),
      { summary: 'Invalid escape sequence', at },
    );
  });
}
