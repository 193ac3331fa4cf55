/**
 * Reading the blocks of a bake file as buildx does, whatever their type: one
 * label, attributes by name, where HCL reports what a body lacks, and HCL's
 * "Unsupported argument" with a suggestion.
 */
import { nameSuggestion } from '../../core/suggest.js';
import type { BakeFileError, SourceRange } from '../../core/diagnostics.js';
import type { Attribute, Block } from '../hcl/ast.js';
import { evalError } from '../expr/eval-error.js';
import type { AttributeSpec } from '../model.js';

export function singleLabel(block: Block): string {
  if (block.labels.length !== 1) {
    throw evalError(
      'Invalid block',
      `invalid block label: [${block.labels.join(' ')}]`,
      block.labelRanges[0] ?? block.typeRange,
      `Give the ${block.type} block exactly one name: ${block.type} "name" { ... }.`,
    );
  }
  return block.labels[0] as string;
}

const attributeMaps = new WeakMap<Block, Map<string, Attribute>>();

/** A block's attributes by name (cached: block references look them up repeatedly). */
export function attributeMap(block: Block): Map<string, Attribute> {
  let map = attributeMaps.get(block);
  if (!map) {
    map = new Map(block.body.attributes.map((a) => [a.name, a]));
    attributeMaps.set(block, map);
  }
  return map;
}

/** A block body's missing-item range (its opening brace), where HCL reports what the body lacks. */
export function bodyStart(block: Block): SourceRange {
  const { start } = block.body.range;
  return { filename: block.body.range.filename, start, end: start };
}

/** An attribute of the schema within edit distance 2 that the block does not define yet. */
export function attributeSuggestion(name: string, specs: readonly AttributeSpec[], defined: readonly string[]): string | undefined {
  return nameSuggestion(
    name,
    specs
      .map((s) => s.name)
      .filter((n) => !defined.includes(n))
      .sort(),
  );
}

/** HCL's "Unsupported argument", suggesting a not yet defined attribute within edit distance 2. */
export function unsupportedArgument(attr: Attribute, specs: readonly AttributeSpec[], defined: readonly string[]): BakeFileError {
  const suggestion = attributeSuggestion(attr.name, specs, defined);
  return evalError(
    'Unsupported argument',
    `An argument named "${attr.name}" is not expected here.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
    attr.nameRange,
    suggestion ? `Rename it to "${suggestion}".` : 'Remove it; see the bake file reference for the attributes this block takes.',
  );
}
