/**
 * cty's safe type unification, reduced to what the Value model can express:
 * when a tuple becomes a list or set, or several sets are combined, mixed
 * primitive elements are converted to one type. Numbers and bools convert
 * safely to strings; nothing else converts, so such mixtures fail.
 */
import { convert, T } from '../types.js';
import { isObject, type Value } from '../value.js';
import { isNumeric } from '../numeric.js';

type Kind = 'string' | 'number' | 'bool' | 'sequence' | 'object';

function kindOf(v: Value): Kind | undefined {
  if (v === null) return undefined;
  if (typeof v === 'string') return 'string';
  if (isNumeric(v)) return 'number';
  if (typeof v === 'boolean') return 'bool';
  return isObject(v) ? 'object' : 'sequence';
}

/** The elements converted to a common type, or undefined when cty could not unify them. */
export function unifyElements(items: readonly Value[]): Value[] | undefined {
  const kinds = new Set<Kind>();
  for (const item of items) {
    const kind = kindOf(item);
    if (kind) kinds.add(kind);
  }
  if (kinds.size <= 1) return [...items];
  const onlyPrimitives = [...kinds].every((k) => k === 'string' || k === 'number' || k === 'bool');
  if (!onlyPrimitives || !kinds.has('string')) return undefined;
  return items.map((item) => convert(item, T.string));
}
