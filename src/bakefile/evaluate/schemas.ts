/**
 * What each block type takes (target, group, service), and what bake says
 * about what a block holds beyond that: buildx skips unknown attributes of
 * targets and groups, so bake warns and goes on; services are refused.
 */
import { nameSuggestion } from '../../core/suggest.js';
import type { BakeFileError, Diagnostic } from '../../core/diagnostics.js';
import type { Block } from '../hcl/ast.js';
import { evalError } from '../expr/eval-error.js';
import { GROUP_ATTRIBUTES, SERVICE_ATTRIBUTES, TARGET_ATTRIBUTES, type AttributeSpec } from '../model.js';
import { attributeSuggestion } from './bodies.js';

export type BlockKind = 'target' | 'group' | 'service';

export interface BlockSchema {
  readonly attributes: readonly AttributeSpec[];
  readonly required: readonly string[];
  readonly allowsMatrix: boolean;
  /**
   * Attributes and nested blocks the schema does not know are ignored with a
   * warning instead of refused. buildx decodes targets and groups with a
   * gohcl fork that takes the body's partial content, so old and current
   * buildx skip them without evaluating them (issue 16, cause 6: docker/docs'
   * own bake file sets `provenance = false`). Services are ours: strict.
   */
  readonly ignoresUnknown: boolean;
}

export const SCHEMAS: Readonly<Record<BlockKind, BlockSchema>> = {
  target: { attributes: TARGET_ATTRIBUTES, required: [], allowsMatrix: true, ignoresUnknown: true },
  group: { attributes: GROUP_ATTRIBUTES, required: ['targets'], allowsMatrix: false, ignoresUnknown: true },
  service: { attributes: SERVICE_ATTRIBUTES, required: [], allowsMatrix: true, ignoresUnknown: false },
};

/**
 * Target attributes of current buildx that bake reads past without using, and
 * why. `policy` (Rego source policies, util/buildflags PolicyConfig) is a
 * security control: skipping it silently would let a user believe it holds.
 * It is not printed either, since what buildx prints for it (Go's default
 * encoding of PolicyConfig) could not be checked against a current buildx.
 */
const NOT_ENFORCED_TARGET_ATTRIBUTES: Readonly<Record<string, string>> = {
  policy: 'bake does not evaluate source policies (current buildx does), so the build runs without it',
};

export function isKnownAttribute(schema: BlockSchema, name: string): boolean {
  return name === 'matrix' || name === 'name' || schema.attributes.some((a) => a.name === name);
}

/** Once per block (not per matrix instance): the attributes and blocks a lenient schema skips. */
export function warnIgnored(block: Block, warn: (d: Diagnostic) => void): void {
  const kind = block.type as BlockKind;
  const schema = SCHEMAS[kind];
  if (!schema.ignoresUnknown) return;
  const label = `${kind} "${block.labels[0] ?? ''}"`;
  const defined = block.body.attributes.map((a) => a.name);
  for (const attr of block.body.attributes) {
    if (isKnownAttribute(schema, attr.name)) continue;
    const notEnforced = kind === 'target' ? NOT_ENFORCED_TARGET_ATTRIBUTES[attr.name] : undefined;
    if (notEnforced) {
      warn({
        severity: 'warning',
        summary: `Attribute "${attr.name}" in ${label} is not enforced: ${notEnforced}`,
        range: attr.nameRange,
        fix: 'Build with docker buildx bake where the policy must hold, or remove it.',
      });
      continue;
    }
    const suggestion = attributeSuggestion(attr.name, schema.attributes, defined);
    warn({
      severity: 'warning',
      summary: `Unknown attribute "${attr.name}" in ${label} is ignored`,
      range: attr.nameRange,
      fix: suggestion ? `Did you mean "${suggestion}"? Rename it; buildx ignores it too.` : 'Remove it: buildx ignores it too, so it has no effect.',
    });
  }
  for (const nested of block.body.blocks) {
    const isAttribute = schema.attributes.some((a) => a.name === nested.type);
    warn({
      severity: 'warning',
      summary: `Unknown block type "${nested.type}" in ${label} is ignored`,
      range: nested.typeRange,
      fix: isAttribute
        ? `Write ${nested.type} as an attribute: ${nested.type} = ...`
        : `Remove it: a ${kind} takes attributes only, and buildx ignores it too.`,
    });
  }
}

/** The blocks a service may nest: one healthcheck, any number of watch rules. */
export const SERVICE_BLOCKS: readonly string[] = ['healthcheck', 'watch'];

/** HCL's "Unsupported block type": a block nested where the schema takes none but a service's healthcheck and watch rules. */
export function unsupportedBlock(block: Block, specs: readonly AttributeSpec[], kind: BlockKind): BakeFileError {
  const suggested = kind === 'service' ? nameSuggestion(block.type, SERVICE_BLOCKS) : undefined;
  const hint = suggested
    ? ` Did you mean "${suggested}"?`
    : specs.some((s) => s.name === block.type)
      ? ` Did you mean to define argument "${block.type}"? If so, use the equals sign to assign it a value.`
      : '';
  return evalError(
    'Unsupported block type',
    `Blocks of type "${block.type}" are not expected here.${hint}`,
    block.typeRange,
    kind === 'service' ? 'Only healthcheck and watch blocks are allowed in a service.' : `Write ${block.type} as an attribute: ${block.type} = ...`,
  );
}
