/**
 * JSON bake files: parsed with positions (jsonc-parser, strict JSON) so that
 * errors in them point at file:line:col like errors in HCL files do.
 */
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { bakeError, SourceText, type SourceRange } from '../../core/diagnostics.js';
import type { File } from '../hcl/ast.js';
import { checkBracketNesting } from './bracket-nesting.js';
import { jsonToFile, type JsonNode } from './json-body.js';
import { numberFromDecimalText } from '../expr/numeric.js';

export function parseJsonBakeFile(filename: string, text: string): File {
  const source = new SourceText(filename, text);
  const range = (offset: number, length: number): SourceRange => source.range(offset, offset + length);
  checkBracketNesting(source, 'json');
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first || !tree) {
    const where = first ? range(first.offset, first.length) : range(0, 0);
    const what = first
      ? printParseErrorCode(first.error)
          .replace(/([a-z])([A-Z])/g, '$1 $2')
          .toLowerCase()
      : 'empty document';
    throw bakeError('Invalid JSON', where, 'Fix the JSON syntax at this position (no comments or trailing commas).', `failed to parse ${filename}: ${what}`);
  }
  const toNode = (n: Node): JsonNode => {
    const r = range(n.offset, n.length);
    switch (n.type) {
      case 'object':
        return {
          kind: 'object',
          range: r,
          properties: (n.children ?? []).map((p) => {
            const [key, value] = p.children as [Node, Node];
            return { key: String(key.value), keyRange: range(key.offset, key.length), value: toNode(value) };
          }),
        };
      case 'array':
        return { kind: 'array', range: r, items: (n.children ?? []).map(toNode) };
      case 'string':
        return { kind: 'string', value: String(n.value), range: r, valueStart: range(n.offset + 1, Math.max(0, n.length - 2)) };
      case 'number':
        // From the text, not the parser's double: buildx keeps 9007199254740993 and 1e400 exact (issue 14).
        return { kind: 'number', value: numberFromDecimalText(text.slice(n.offset, n.offset + n.length)), range: r };
      case 'boolean':
        return { kind: 'boolean', value: Boolean(n.value), range: r };
      default:
        return { kind: 'null', range: r };
    }
  };
  return jsonToFile(filename, toNode(tree));
}
