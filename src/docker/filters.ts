/** The engine's list and event filters, e.g. `{ label: ['bake.session=abc'] }`. */

export type Filters = Readonly<Record<string, readonly string[]>>;

/** `label` filters that match every given label (`key=value`, or `key` for any value). */
export function labelFilters(labels: Readonly<Record<string, string | true>>): string[] {
  return Object.entries(labels).map(([key, value]) => (value === true ? key : `${key}=${value}`));
}

/** The `filters` query parameter, or undefined when there are none. */
export function encodeFilters(filters: Filters | undefined): string | undefined {
  if (!filters || Object.keys(filters).length === 0) return undefined;
  return JSON.stringify(filters);
}
