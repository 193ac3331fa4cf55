/**
 * The real CLI in a real PTY, read the way a user reads it: every byte bake
 * writes is played into a headless xterm, and tests wait for text to appear
 * on that screen (issue 5: "end-to-end tests drive the real CLI in a PTY").
 */
import xterm from '@xterm/headless';
import { spawn, type IPty } from 'node-pty';
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { bake } from './bake-cli.js';

export interface PtyOptions {
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly columns?: number;
  readonly rows?: number;
}

export class PtyTerminal {
  readonly exited: Promise<number>;
  private readonly pty: IPty;
  private readonly term: xterm.Terminal;
  /** Everything bake wrote, for failure messages. */
  private raw = '';

  constructor(args: readonly string[], options: PtyOptions) {
    const cols = options.columns ?? 100;
    const rows = options.rows ?? 30;
    this.term = new xterm.Terminal({ cols, rows, scrollback: 2000, allowProposedApi: true });
    this.pty = spawn(bake, [...args], { cols, rows, cwd: options.cwd, env: { TERM: 'xterm-256color', ...options.env } });
    this.pty.onData((d) => {
      this.raw += d;
      this.term.write(d);
    });
    // A terminal answers queries (cursor position, device attributes), as BusyBox's shell asks on every prompt.
    this.term.onData((reply) => this.pty.write(reply));
    this.exited = new Promise((resolve) => this.pty.onExit(({ exitCode }) => resolve(exitCode)));
  }

  get pid(): number {
    return this.pty.pid;
  }

  /** Keys as the user types them ("\r" is Enter, "\x01" Ctrl-a). */
  type(keys: string): void {
    this.pty.write(keys);
  }

  resize(columns: number, rows: number): void {
    this.pty.resize(columns, rows);
    this.term.resize(columns, rows);
  }

  kill(signal: NodeJS.Signals): void {
    this.pty.kill(signal);
  }

  /**
   * The screen's lines (scrollback included), right-trimmed, once xterm has
   * parsed all it got; a line the terminal wrapped is one line here, as it was written.
   */
  async lines(): Promise<string[]> {
    await new Promise<void>((resolve) => this.term.write('', resolve));
    return this.logicalLines(0, this.term.buffer.active.length);
  }

  /** The visible screen only (what a re-attach must redraw). */
  async visible(): Promise<string[]> {
    await new Promise<void>((resolve) => this.term.write('', resolve));
    const b = this.term.buffer.active;
    return this.logicalLines(b.viewportY, b.viewportY + this.term.rows);
  }

  private logicalLines(from: number, to: number): string[] {
    const b = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = from; i < to; i++) {
      const row = b.getLine(i);
      const text = row?.translateToString(false) ?? '';
      // A wrapped row continues the line above it.
      lines.push(row?.isWrapped && lines.length ? `${lines.pop() ?? ''}${text}` : text);
    }
    return lines.map((l) => l.trimEnd());
  }

  /** Waits until `pattern` matches the screen's text; fails with the screen when it does not in time. */
  async waitFor(pattern: RegExp | string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const matches = (text: string): boolean => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));
    for (;;) {
      const text = (await this.lines()).join('\n');
      if (matches(text)) return text;
      if (Date.now() > deadline) throw this.timedOut(String(pattern), timeoutMs, text);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits until the visible screen (not the scrollback) satisfies `check`: a redraw that shows one process and not another. */
  async waitForVisible(what: string, check: (visible: string) => boolean, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const visible = (await this.visible()).join('\n');
      if (check(visible)) return visible;
      if (Date.now() > deadline) throw this.timedOut(`the screen to show ${what}`, timeoutMs, visible);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits until the visible screen's last line is `line`, a prompt waiting for input: the same text above it, on the screen or scrolled off, does not count. */
  async waitForLastLine(line: string, timeoutMs = 20_000): Promise<string> {
    return this.waitForVisible(`its last line to be ${JSON.stringify(line)}`, (v) => lastLine(v) === line, timeoutMs);
  }

  /** Counts the matches of `pattern` on the screen. */
  async count(pattern: RegExp): Promise<number> {
    return ((await this.lines()).join('\n').match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`)) ?? []).length;
  }

  /** The exit code, once the CLI has exited; fails with the screen when it does not in time. */
  async exitCode(timeoutMs = 60_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => void this.lines().then((l) => reject(this.timedOut(`bake to exit`, timeoutMs, l.join('\n')))), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private timedOut(what: string, timeoutMs: number, text: string): Error {
    return new Error(
      `timed out after ${timeoutMs} ms waiting for ${what}; the screen:\n${text.trimEnd()}\n--- raw tail:\n${JSON.stringify(this.raw.slice(-2000))}\n--- ${this.processState()}`,
    );
  }

  /**
   * What the CLI's process is doing (running, sleeping, stopped, and in which kernel call) and its terminal's modes
   * (raw: -icanon -echo), for a screen that stopped changing.
   */
  private processState(): string {
    try {
      const stat = readFileSync(`/proc/${this.pty.pid}/stat`, 'utf8');
      const wchan = readFileSync(`/proc/${this.pty.pid}/wchan`, 'utf8');
      const tty = readlinkSync(`/proc/${this.pty.pid}/fd/0`);
      const modes = execFileSync('stty', ['-F', tty, '-a'], { encoding: 'utf8' })
        .match(/-?(?:icanon|echo|isig)\b/g)
        ?.join(' ');
      return `bake's process ${this.pty.pid}: state ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]}, waiting in ${wchan || '-'}; ${tty}: ${modes ?? '?'}`;
    } catch (e) {
      return `bake's process ${this.pty.pid}: ${(e as Error).message}`;
    }
  }

  dispose(): void {
    try {
      this.pty.kill('SIGKILL');
    } catch {
      // Already gone.
    }
    this.term.dispose();
  }
}

/** The last non-empty line of a screen's text: a prompt there is waiting for input. */
export function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

/** What a screen shows under its last monitor prompt: a process a monitor command started is drawn there, below what the command said. */
export function belowMonitor(text: string): string {
  const lines = text.split('\n');
  return lines.slice(lines.findLastIndex((l) => l.startsWith('(bake)')) + 1).join('\n');
}
