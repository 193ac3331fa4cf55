/**
 * Generated bake files for the fuzzers (issue 14): HCL whose target args
 * call buildx's functions, nested, on values at the edges (huge and
 * fractional numbers, widths and precisions, backtracking patterns, empty
 * and astral strings, deep lists, null). Mutations of the seed files mostly
 * break the syntax; these reach the evaluator and every function with input
 * it does not expect. Each call's result goes through jsonencode, so any
 * value is a valid arg: what fails is the call, at its position. Seeded.
 */
import { STDLIB } from '../../src/bakefile/expr/stdlib/index.js';
import { seededRandom } from './random.js';

const FUNCTIONS = [...STDLIB].map(([name, f]) => ({ name, arity: f.params.length, variadic: f.variadic !== undefined }));

/** Values at the edges of what the functions take. */
const ATOMS = [
  '0',
  '1',
  '-1',
  '2',
  '1.5',
  '-0.5',
  '9007199254740993',
  '1e308',
  '-1e309',
  '99999999999',
  '4294967296',
  'null',
  'true',
  'false',
  '""',
  '"a"',
  '"abc,def"',
  '"%d"',
  '"%0999999999d"',
  '"%.99999f"',
  '"%*d"',
  '"%v %v %v"',
  '"(a+)+$"',
  '"[a-"',
  '"(?P<x>a)"',
  '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"',
  '"😀é\\u0000"',
  '"${"',
  '"1.2.3"',
  '"10.0.0.0/8"',
  '"::1/128"',
  '"2006-01-02T15:04:05Z"',
  '"/a/../b"',
  '"YQ=="',
  '"{\\"a\\": [1, {}]}"',
  '[]',
  '{}',
  '[1, "a", null]',
  '{ a = 1, b = [2] }',
  '[[[[[[[[1]]]]]]]]',
];

function expression(random: () => number, depth: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  if (depth <= 0 || random() < 0.35) return pick(ATOMS);
  const f = pick(FUNCTIONS);
  // Mostly the arity the function takes, sometimes one fewer or more.
  const n = Math.max(0, f.arity + (f.variadic ? Math.floor(random() * 3) : 0) + (random() < 0.1 ? pick([-1, 1]) : 0));
  return `${f.name}(${Array.from({ length: n }, () => expression(random, depth - 1)).join(', ')})`;
}

/** `count` HCL bake files, each a target whose args hold one to four generated calls. */
export function* generatedBakeFiles(count: number): Generator<string> {
  const random = seededRandom(0x9e4e);
  for (let i = 0; i < count; i++) {
    const args = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, k) => `    A${k} = jsonencode(${expression(random, 3)})`);
    yield `target "default" {\n  args = {\n${args.join('\n')}\n  }\n}\n`;
  }
}
