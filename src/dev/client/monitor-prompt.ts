/**
 * The monitor's line loop: the `(bake) ` prompt (readline on the keys the
 * terminal feeds it), one line run at a time, and the keys typed while a
 * command runs kept for whatever comes next.
 */
import { PassThrough } from 'node:stream';
import { createInterface, type Interface } from 'node:readline';
import { withoutTerminalReplies } from './terminal-replies.js';
import type { Next } from './monitor-commands.js';

/** An open prompt. While a command runs, keys wait in `typed`: for the process it attaches to, else for the next prompt. */
export interface MonitorPrompt {
  readonly kind: 'monitor';
  readonly rl: Interface;
  readonly feed: PassThrough;
  running: AbortController | undefined;
  readonly typed: Buffer[];
}

/**
 * Opens the prompt on `output`. `run` runs a line and resolves with where
 * the terminal goes next, if it leaves the monitor; `isOpen` says whether
 * the terminal still shows this prompt (a command's end after it left does nothing).
 */
export function openMonitorPrompt(
  output: NodeJS.WriteStream,
  run: (line: string, signal: AbortSignal) => Promise<Next | undefined>,
  isOpen: (prompt: MonitorPrompt) => boolean,
): MonitorPrompt {
  const feed = new PassThrough();
  const rl = createInterface({ input: feed, output, terminal: true, prompt: '(bake) ', historySize: 100 });
  const prompt: MonitorPrompt = { kind: 'monitor', rl, feed, running: undefined, typed: [] };
  // Lines run one at a time, in order: a pasted block's second line waits for the first.
  const lines: string[] = [];
  const runNext = (): void => {
    const line = lines.shift();
    if (line === undefined || !isOpen(prompt)) return;
    rl.pause();
    const running = new AbortController();
    prompt.running = running;
    void run(line, running.signal).then((next) => {
      if (!isOpen(prompt)) return;
      prompt.running = undefined;
      const typed = prompt.typed.splice(0);
      if (next) return next(typed);
      if (lines.length) return runNext();
      rl.resume();
      rl.prompt();
      for (const keys of typed) feed.write(keys);
    });
  };
  rl.on('line', (line) => {
    lines.push(line);
    if (!prompt.running) runNext();
  });
  rl.on('SIGINT', () => {
    if (prompt.running) prompt.running.abort();
    else {
      rl.write(null, { ctrl: true, name: 'u' });
      output.write('^C\r\n');
      rl.prompt();
    }
  });
  rl.prompt();
  return prompt;
}

/** Keys typed in the monitor: Ctrl-C stops the running command, other keys wait for it, else they go to the prompt. */
export function typeIntoPrompt(prompt: MonitorPrompt, data: Uint8Array): void {
  const keys = withoutTerminalReplies(data);
  if (prompt.running && keys.includes(3)) prompt.running.abort();
  else if (prompt.running) prompt.typed.push(Buffer.from(keys));
  else prompt.feed.write(keys);
}

/** Closes the prompt, stopping the command it runs. */
export function closeMonitorPrompt(prompt: MonitorPrompt): void {
  prompt.running?.abort();
  prompt.rl.close();
}
