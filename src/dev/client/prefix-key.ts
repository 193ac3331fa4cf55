/**
 * The dev client's prefix key (default Ctrl-a, as in screen): how users spell
 * it, how hints name it, and the scanner that picks `prefix KEY` out of the
 * keys typed into an attached process.
 */
import { usageError } from '../../core/errors.js';

/** The keys a prefix may be, for the fixes of errors. */
const ACCEPTED = 'Ctrl with a letter or one of @ \\ ] ^ _, written as ctrl-a, Ctrl-], C-b or ^b';

/** Control keys that are also keys users cannot do without, so they cannot be the prefix. */
const RESERVED: Readonly<Record<number, string>> = {
  0x09: 'Tab',
  0x0a: 'Enter',
  0x0d: 'Enter',
  0x1b: 'Escape (arrow and function keys start with it)',
};

/**
 * The control byte a prefix-key spelling stands for: `ctrl-a`, `Ctrl-A`,
 * `ctrl+a`, `C-a`, `^a`, `ctrl-]`, `ctrl-\`, `ctrl-@`, `ctrl-space`…
 * `origin` names where the spelling came from in the error (a flag or a variable).
 */
export function parsePrefixKey(spec: string, origin = '--prefix-key'): number {
  const match = /^(?:ctrl[-+]|c-|\^)(.+)$/i.exec(spec.trim());
  const key = match?.[1];
  const byte = key === undefined ? undefined : controlByte(key);
  if (byte === undefined) throw usageError(`${origin} ${JSON.stringify(spec)} is not a control key`, `Use ${ACCEPTED}.`);
  const reserved = RESERVED[byte];
  if (reserved !== undefined)
    throw usageError(`${origin} ${JSON.stringify(spec)} is ${reserved}, which the attached process needs`, `Choose another key: ${ACCEPTED}.`);
  return byte;
}

function controlByte(key: string): number | undefined {
  if (key.toLowerCase() === 'space') return 0;
  if (key.length !== 1) return undefined;
  const code = key.toUpperCase().charCodeAt(0);
  // '@' (0x40) … '_' (0x5f): Ctrl clears bit 6, as terminals do.
  return code >= 0x40 && code <= 0x5f ? code & 0x1f : undefined;
}

/** The name hints use for a control byte: `Ctrl-a`, `Ctrl-]`, `Ctrl-@`. */
export function describePrefixKey(byte: number): string {
  const key = String.fromCharCode(byte | 0x40);
  return `Ctrl-${/[A-Z]/.test(key) ? key.toLowerCase() : key}`;
}

/** What the scanner finds in typed keys. */
export type ScannerEvent =
  /** Bytes for the attached process; a view into the chunk fed, not a copy. */
  | { readonly kind: 'input'; readonly data: Uint8Array }
  /** The key typed after the prefix (`c`, `d`, anything else: the caller decides). */
  | { readonly kind: 'command'; readonly key: string };

const ESC = 0x1b;

/**
 * Splits the keys typed into a terminal into input for the attached process
 * and `prefix KEY` commands. Prefix twice is one literal prefix byte. A key is
 * one byte, one UTF-8 character (which may arrive split over chunks), or an
 * escape sequence such as an arrow key's (whole, as terminals write it in one
 * chunk), so no stray part of it reaches the process.
 */
export class PrefixScanner {
  /** After a prefix: the key bytes seen so far ([] until the key starts); undefined otherwise. */
  private pendingKey: number[] | undefined;

  constructor(private readonly prefix: number) {}

  feed(chunk: Uint8Array): ScannerEvent[] {
    const events: ScannerEvent[] = [];
    let runStart = 0;
    const flush = (end: number): void => {
      if (end > runStart) events.push({ kind: 'input', data: chunk.subarray(runStart, end) });
    };
    let i = 0;
    while (i < chunk.length) {
      const byte = chunk[i] as number;
      if (this.pendingKey === undefined) {
        if (byte === this.prefix) {
          flush(i);
          this.pendingKey = [];
          runStart = i + 1;
        }
        i++;
        continue;
      }
      if (this.pendingKey.length === 0 && byte === this.prefix) {
        // Prefix twice: the second one is input, and starts the next run.
        this.pendingKey = undefined;
        runStart = i;
        i++;
        continue;
      }
      if (this.pendingKey.length > 0 && !isContinuation(byte)) {
        // A broken UTF-8 character: the key is what came of it, and this byte is read afresh.
        this.emitKey(events);
        continue;
      }
      const end = this.pendingKey.length === 0 && byte === ESC ? escapeSequenceEnd(chunk, i) : i + 1;
      this.pendingKey.push(...chunk.subarray(i, end));
      i = end;
      runStart = end;
      if (this.pendingKey.length >= utf8Length(this.pendingKey[0] as number)) this.emitKey(events);
    }
    flush(chunk.length);
    return events;
  }

  private emitKey(events: ScannerEvent[]): void {
    events.push({ kind: 'command', key: Buffer.from(this.pendingKey ?? []).toString('utf8') });
    this.pendingKey = undefined;
  }
}

/** Where the escape sequence starting at `start` ends: CSI (`ESC [ … final`), SS3 (`ESC O x`), or a lone ESC. */
function escapeSequenceEnd(chunk: Uint8Array, start: number): number {
  const introducer = chunk[start + 1];
  if (introducer === 0x4f) return Math.min(start + 3, chunk.length);
  if (introducer !== 0x5b) return start + 1;
  let i = start + 2;
  // Parameter and intermediate bytes, then one final byte in 0x40–0x7e.
  while (i < chunk.length && (chunk[i] as number) >= 0x20 && (chunk[i] as number) < 0x40) i++;
  return Math.min(i + 1, chunk.length);
}

/** How many bytes the UTF-8 character starting with `lead` takes (1 for ASCII, control and stray bytes). */
function utf8Length(lead: number): number {
  if (lead >= 0xf0 && lead < 0xf8) return 4;
  if (lead >= 0xe0 && lead < 0xf0) return 3;
  if (lead >= 0xc0 && lead < 0xe0) return 2;
  return 1;
}

function isContinuation(byte: number): boolean {
  return byte >= 0x80 && byte < 0xc0;
}
