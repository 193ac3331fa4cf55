/**
 * The two-op LLB Definition of a local directory (protocol §2, §3.2): a
 * SourceOp `local://NAME` and the terminal op pointing at it. Ops are
 * encoded by hand, the way Go's generated marshaller writes them (fields in
 * number order, map keys sorted by bytes, defaults omitted), so the bytes,
 * and with them the digests, depend only on the inputs: every target that
 * uses a directory sends a byte-identical op and BuildKit transfers it once.
 */
import { createHash } from 'node:crypto';
import type { Definition, OpMetadata } from './control.js';

export interface LocalSource {
  /** The session dir name (`local://NAME`). */
  readonly name: string;
  /** Stable across runs: part of the key of the copy the daemon keeps (§5.6). */
  readonly sharedKeyHint: string;
  readonly excludePatterns?: readonly string[];
  readonly followPaths?: readonly string[];
  /** The vertex name shown in progress. */
  readonly displayName?: string;
}

export interface LocalDefinition {
  readonly definition: Definition;
  /** Digest of the source op (`sha256:…`). */
  readonly sourceDigest: string;
}

/**
 * `local.session` stays empty on purpose: BuildKit then keys the op by the
 * job's own (fresh) session, and the op bytes stay identical across targets
 * and engines (§8 verdict).
 */
export function localDefinition(src: LocalSource): LocalDefinition {
  const attrs: Record<string, string> = { 'local.sharedkeyhint': src.sharedKeyHint };
  const caps: Record<string, boolean> = { 'source.local': true, 'source.local.sharedkeyhint': true };
  if (src.excludePatterns?.length) {
    attrs['local.excludepatterns'] = JSON.stringify(src.excludePatterns);
    caps['source.local.excludepatterns'] = true;
  }
  if (src.followPaths?.length) {
    attrs['local.followpaths'] = JSON.stringify(src.followPaths);
    caps['source.local.followpaths'] = true;
  }
  const source = message([[3, message([[1, str(`local://${src.name}`)], ...mapEntries(2, attrs)])]]);
  const sourceDigest = digest(source);
  const terminal = message([[1, message([[1, str(sourceDigest)]])]]);
  const metadata: OpMetadata = { caps, ...(src.displayName ? { description: { 'llb.customname': src.displayName } } : {}) };
  return { definition: { def: [source, terminal], metadata: { [sourceDigest]: metadata } }, sourceDigest };
}

export function digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A length-delimited field (the only wire type these ops use): [field number, payload]. */
type Field = readonly [number, Uint8Array];

function message(fields: readonly Field[]): Buffer {
  return Buffer.concat(fields.flatMap(([n, payload]) => [varint((n << 3) | 2), varint(payload.length), payload]));
}

function str(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

/** A proto map: one {key=1, value=2} entry per key, sorted by bytes as Go's sortkeys does. */
function mapEntries(n: number, map: Record<string, string>): Field[] {
  const keys = Object.keys(map).sort((a, b) => Buffer.compare(str(a), str(b)));
  return keys.map((k) => [
    n,
    message([
      [1, str(k)],
      [2, str(map[k] as string)],
    ]),
  ]);
}

function varint(v: number): Buffer {
  const out: number[] = [];
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}
