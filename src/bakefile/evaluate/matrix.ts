/**
 * Block instances: each target, group or service block is evaluated once, or
 * once per combination of its `matrix`, under the name its `name` gives
 * that combination. Names are checked as buildx checks them, each problem
 * reported ("Invalid name") at the block's label.
 */
import type { SourceRange } from '../../core/diagnostics.js';
import type { Attribute, Block } from '../hcl/ast.js';
import { evalError } from '../expr/eval-error.js';
import { evaluate } from '../expr/evaluate.js';
import type { Scope } from '../expr/scope.js';
import { isList, isObject, sortedKeys, type Value } from '../expr/value.js';
import { decodeAttribute } from '../decode.js';
import { attributeMap, singleLabel } from './bodies.js';
import { SCHEMAS, type BlockKind } from './schemas.js';

/** One evaluation of a block: the block itself, or one matrix combination of it. */
export interface BlockInstance {
  readonly kind: BlockKind;
  readonly block: Block;
  readonly scope: Scope;
  name: string;
  /** Attribute values evaluated so far, and those being evaluated (a reference back to one is a cycle). */
  readonly values: Map<string, Value>;
  readonly inProgress: Set<string>;
}

const VALID_NAME = /^[a-zA-Z0-9_-]+$/;

/** More combinations than any real matrix: a product past it is refused before it fills memory (issue 14). */
export const MAX_MATRIX_COMBINATIONS = 10_000;

/** Expands every block into its instances and names (matrix + name), checking names as buildx does. */
export function expandBlocks(blocks: readonly Block[], globalScope: Scope): Map<Block, BlockInstance[]> {
  const instancesByBlock = new Map<Block, BlockInstance[]>();
  for (const block of blocks) {
    const label = singleLabel(block);
    const labelRange = block.labelRanges[0] as SourceRange;
    checkName(label, labelRange);
    const kind = block.type as BlockKind;
    const attrs = attributeMap(block);
    const matrix = attrs.get('matrix');
    const nameAttr = attrs.get('name');
    if (!SCHEMAS[kind].allowsMatrix && (matrix || nameAttr)) {
      throw evalError(
        'Invalid name',
        `${matrix ? 'matrix' : 'name'} is not supported for groups`,
        labelRange,
        'Groups cannot be renamed or expanded; use a target.',
      );
    }
    if (nameAttr && !matrix) throw evalError('Invalid name', 'name requires matrix', labelRange, 'Add a matrix attribute, or remove name.');
    const scopes = matrix ? matrixScopes(matrix, labelRange, globalScope) : [globalScope];
    const instances = scopes.map((scope) => {
      const instance: BlockInstance = { kind, block, scope, name: label, values: new Map(), inProgress: new Set() };
      if (nameAttr) {
        const name = (decodeAttribute('name', 'string', evaluate(nameAttr.expr, scope), nameAttr.expr.range) as string | undefined) ?? '';
        checkName(name, labelRange);
        instance.name = name;
      }
      return instance;
    });
    const seen = new Set<string>();
    for (const i of instances) {
      if (seen.has(i.name))
        throw evalError(
          'Invalid name',
          `duplicate name "${i.name}"`,
          labelRange,
          'Make the name expression use every matrix key, so each combination gets its own name.',
        );
      seen.add(i.name);
    }
    instancesByBlock.set(block, instances);
  }
  return instancesByBlock;
}

/** One scope per matrix combination; the last key varies slowest, as buildx builds them. */
function matrixScopes(matrix: Attribute, labelRange: SourceRange, globalScope: Scope): Scope[] {
  const value = evaluate(matrix.expr, globalScope);
  if (!isObject(value))
    throw evalError('Invalid name', 'matrix must be a map', labelRange, 'Write the matrix as a map of lists, e.g. matrix = { tgt = ["a", "b"] }.');
  let combos: Array<Map<string, Value>> = [new Map<string, Value>()];
  for (const key of sortedKeys(value)) {
    const values = value[key] as Value;
    if (!isList(values)) throw evalError('Invalid name', 'matrix values must be a list', labelRange, `Make matrix.${key} a list.`);
    if (combos.length * values.length > MAX_MATRIX_COMBINATIONS) {
      throw evalError(
        'Matrix too large',
        `The matrix makes more than ${MAX_MATRIX_COMBINATIONS} combinations.`,
        matrix.expr.range,
        'Split it over several targets, or take values out of it.',
      );
    }
    const next: Array<Map<string, Value>> = [];
    for (const v of values) for (const combo of combos) next.push(new Map([...combo, [key, v]]));
    combos = next;
  }
  return combos.map((locals) => globalScope.child(locals));
}

function checkName(name: string, range: SourceRange): void {
  if (!VALID_NAME.test(name)) {
    throw evalError('Invalid name', `only "[a-zA-Z0-9_-]+" are allowed`, range, `Rename "${name}" using only letters, digits, "_" and "-".`);
  }
}
