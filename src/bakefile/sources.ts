/**
 * Where each decoded block and attribute came from, so errors found after
 * evaluation (unknown inherits, link cycles, service validation) still point
 * at file:line:col. Kept beside the plain model objects, never inside them,
 * so `--print` output stays exactly buildx's shape.
 */
import type { SourceRange } from '../core/diagnostics.js';

export interface Origin {
  /** The block's label (its name as written). */
  readonly label: SourceRange;
  /** Each attribute's whole range, by attribute name. */
  readonly attributes: ReadonlyMap<string, SourceRange>;
}

const origins = new WeakMap<object, Origin>();

export function recordOrigin(decoded: object, origin: Origin): void {
  origins.set(decoded, origin);
}

export function originOf(decoded: object): Origin | undefined {
  return origins.get(decoded);
}

/** The best range for an attribute of a decoded object: the attribute, else the block label. */
export function attributeRange(decoded: object, attribute: string): SourceRange | undefined {
  const o = origins.get(decoded);
  return o?.attributes.get(attribute) ?? o?.label;
}

/** A copy of a decoded object keeps pointing at the same source. */
export function withOriginOf<T extends object>(source: object, copy: T): T {
  const o = origins.get(source);
  if (o) origins.set(copy, o);
  return copy;
}
