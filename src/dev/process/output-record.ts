/**
 * The OutputRecord of a process: its last bytes (for `logs`) and a headless
 * terminal emulator fed the same bytes, so a client that attaches later gets
 * the screen as it is now rather than a replay of everything.
 */
import type { Terminal } from '@xterm/headless';
import type { TerminalSize } from '../../docker/types.js';
import type { OutputRecord } from './process.js';

export interface OutputRecordOptions {
  /** How many of the last bytes history() keeps. */
  readonly historyBytes?: number;
}

const MiB = 1024 * 1024;
/** Lines the emulator keeps above the screen (the screen itself is what screen() redraws). */
const SCROLLBACK = 1000;

/**
 * Puts a terminal that showed anything into a known state before the screen
 * is drawn: the normal buffer, default modes (each mode the serializer may
 * turn on is turned off, as a terminal of any make understands it), a
 * visible cursor, no scroll region, default colours, an empty screen. The
 * user's scrollback is left alone.
 */
const RESET =
  '\x1b[?1049l' + // leave the alternate screen
  '\x1b[!p' + // soft reset (DECSTR): attributes, scroll region, origin, charsets
  '\x1b[?1l\x1b>' + // cursor keys and keypad back to normal
  '\x1b[?2004l\x1b[4l\x1b[?6l\x1b[?45l\x1b[?1004l\x1b[?7h' + // bracketed paste, insert, origin, reverse wrap, focus; autowrap on
  '\x1b[?9l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l' + // mouse reporting off
  '\x1b[?25h\x1b[r\x1b[0m'; // cursor visible, whole-screen scroll region, default attributes
const CLEAR = '\x1b[H\x1b[2J';

const importEmulator = () => Promise.all([import('@xterm/headless'), import('@xterm/addon-serialize')]);
let emulator: ReturnType<typeof importEmulator> | undefined;

/**
 * Loads the emulator (once): on first use, so commands that never run a
 * process do not pay for it, or ahead of a process whose start is timed
 * (a debug shell, while its build runs).
 */
export function loadEmulator(): ReturnType<typeof importEmulator> {
  return (emulator ??= importEmulator());
}

/** Makes the record of one process. */
export async function createOutputRecord(size: TerminalSize, options: OutputRecordOptions = {}): Promise<OutputRecord> {
  const [{ default: headless }, { default: serialize }] = await loadEmulator();
  const terminal = new headless.Terminal({ ...dimensions(size), scrollback: SCROLLBACK, allowProposedApi: true });
  const serializer = new serialize.SerializeAddon();
  terminal.loadAddon(serializer);
  return new TerminalOutputRecord(terminal, () => serializer.serialize({ scrollback: 0 }), options.historyBytes ?? MiB);
}

class TerminalOutputRecord implements OutputRecord {
  private readonly listeners = new Set<(chunk: Buffer) => void>();
  private readonly ring: ByteRing;
  private disposed = false;

  constructor(
    private readonly terminal: Terminal,
    private readonly serializeScreen: () => string,
    historyBytes: number,
  ) {
    this.ring = new ByteRing(historyBytes);
  }

  append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const bytes = Buffer.from(chunk); // a copy: the caller may reuse its buffer
    // The terminals first: an echo is on its way before the record keeps it.
    for (const listener of this.listeners) {
      try {
        listener(bytes);
      } catch {
        // One watcher's failure must not stop the process's output reaching the others.
      }
    }
    this.ring.push(bytes);
    if (!this.disposed) this.terminal.write(bytes);
  }

  subscribe(listener: (chunk: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  history(): Buffer {
    return this.ring.contents();
  }

  screen(options: { readonly clear?: boolean } = {}): Promise<string> {
    // Drawn under the cursor, the terminal is the client's own (bake's output in it): only attributes need a reset,
    // and RESET would move the cursor home (a scroll region reset does).
    const reset = options.clear === false ? '\x1b[0m' : RESET + CLEAR;
    if (this.disposed) return Promise.resolve(reset);
    // The write callback runs once the emulator has parsed everything written before it, and before it parses what
    // came after (it goes on within the same turn): the screen is read there, not when the promise resolves.
    return new Promise<string>((resolve) => this.terminal.write('', () => resolve(this.disposed ? reset : reset + this.serializeScreen())));
  }

  resize(size: TerminalSize): void {
    const { cols, rows } = dimensions(size);
    if (!this.disposed && (cols !== this.terminal.cols || rows !== this.terminal.rows)) this.terminal.resize(cols, rows);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.terminal.dispose();
  }
}

/** The emulator's size; it has at least one row and column (a client without a terminal reports 0×0). */
function dimensions(size: TerminalSize): { cols: number; rows: number } {
  return { cols: Math.max(1, size.columns), rows: Math.max(1, size.rows) };
}

/** The last `capacity` bytes written, kept as the chunks they came in. */
class ByteRing {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly capacity: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk.length > this.capacity ? chunk.subarray(chunk.length - this.capacity) : chunk);
    this.size += Math.min(chunk.length, this.capacity);
    let drop = 0;
    while (this.size - (this.chunks[drop]?.length ?? 0) >= this.capacity) this.size -= this.chunks[drop++]?.length ?? 0;
    if (drop > 0) this.chunks = this.chunks.slice(drop);
    const first = this.chunks[0];
    if (this.size > this.capacity && first) {
      this.chunks[0] = first.subarray(this.size - this.capacity);
      this.size = this.capacity;
    }
  }

  contents(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return Buffer.from(this.chunks[0] ?? Buffer.alloc(0));
  }
}
