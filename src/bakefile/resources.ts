/**
 * The target `resources` object of current buildx (util/buildflags
 * resources.go and resources_cty.go): read from HCL as an object with
 * optional attributes, merged field by field over inherited values (a
 * fresh copy, so a child never changes its parent's: TestResourcesInheritIsolation),
 * set one field at a time with `--set T.resources.KEY=VALUE`, and printed
 * in the struct's field order (issue 16, cause 6).
 */
import { ConversionError, convert, T } from './expr/types.js';
import type { Value } from './expr/value.js';
import type { Resources } from './model.js';
import { parseGoInt64 } from '../golang/strconv.js';

/** ResourcesConfig's fields in declaration order (how `--print` orders them), with the Go type of each. */
export const RESOURCE_FIELDS: ReadonlyArray<readonly [key: keyof Resources, type: 'string' | 'int64']> = [
  ['memory', 'string'],
  ['memory-swap', 'string'],
  ['cpu-shares', 'int64'],
  ['cpu-period', 'int64'],
  ['cpu-quota', 'int64'],
  ['cpuset-cpus', 'string'],
  ['cpuset-mems', 'string'],
];

const RESOURCES_TYPE = T.object(
  Object.fromEntries(RESOURCE_FIELDS.map(([key, type]) => [key, type === 'string' ? T.string : T.number])),
  RESOURCE_FIELDS.map(([key]) => key),
);

const INT64_RANGE = 'value must be a whole number, between -9223372036854775808 and 9223372036854775807';

/** FromCtyValue: cty's conversion to the object type (attributes it lacks are dropped), null fields unset. Throws ConversionError. */
export function resourcesFromValue(value: Value): Resources {
  const converted = convert(value, RESOURCES_TYPE) as Record<string, Value>;
  const out: Record<string, string | number> = {};
  for (const [key, type] of RESOURCE_FIELDS) {
    const v = converted[key];
    if (v === null || v === undefined) continue;
    if (type === 'int64' && !(Number.isInteger(v) && (v as number) >= -(2 ** 63) && (v as number) < 2 ** 63)) throw new ConversionError(INT64_RANGE, [key]);
    out[key] = v as string | number;
  }
  return out;
}

/** ResourcesConfig.SetField, for `--set T.resources.KEY=VALUE`; throws Error with buildx's message. */
export function setResourceField(resources: Resources, key: string, value: string): Resources {
  const field = RESOURCE_FIELDS.find(([k]) => k === key);
  if (!field) throw new Error(`unknown resources key ${key}`);
  if (field[1] === 'string') return { ...resources, [key]: value };
  const n = parseGoInt64(value);
  if (n === undefined) throw new Error(`invalid value ${value} for int64 key resources.${key}`);
  return { ...resources, [key]: n };
}
