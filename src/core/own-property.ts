/**
 * Own data properties for maps kept in plain objects: assigning a `__proto__`
 * key would set the object's prototype and drop the key, where buildx keeps
 * it as a key (issue 14). Every other key is assigned, the fast path.
 */
export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}
