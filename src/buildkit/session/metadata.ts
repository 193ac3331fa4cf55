/** Reading the daemon's call metadata. */
import type { Metadata } from '@grpc/grpc-js';

/**
 * All values of `key`. Node's http2 joins repeated headers with ", " and
 * grpc-js does not split them again, so split here (a value that itself
 * contains ", " cannot be told apart and is split too).
 */
export function metadataValues(md: Metadata, key: string): string[] | undefined {
  const raw = md.get(key);
  if (raw.length === 0) return undefined;
  return raw.flatMap((v) => (typeof v === 'string' ? v : v.toString('utf8')).split(', '));
}

export function metadataValue(md: Metadata, key: string): string | undefined {
  return metadataValues(md, key)?.[0];
}
