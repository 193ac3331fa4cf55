/** The monitor's line loop: lines run one at a time in order, keys typed meanwhile wait for what comes next, Ctrl-C stops the running command. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { closeMonitorPrompt, openMonitorPrompt, typeIntoPrompt } from '../../src/dev/client/monitor-prompt.js';
import type { Next } from '../../src/dev/client/monitor-commands.js';

/** A prompt whose commands wait until the test ends them; `runs` are the lines started, in order. */
function prompt() {
  const runs: { line: string; signal: AbortSignal; end: (next?: Next) => void }[] = [];
  const output = Object.assign(new PassThrough(), { columns: 80, rows: 24 }) as unknown as NodeJS.WriteStream;
  output.resume();
  const opened = openMonitorPrompt(
    output,
    (line, signal) => new Promise<Next | undefined>((resolve) => runs.push({ line, signal, end: resolve })),
    () => true,
  );
  return { opened, runs };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('a pasted block runs a line at a time: the second starts once the first is done', async () => {
  const { opened, runs } = prompt();
  typeIntoPrompt(opened, Buffer.from('ps\rsessions\r'));
  await tick();
  assert.deepEqual(
    runs.map((r) => r.line),
    ['ps'],
  );
  runs[0]?.end();
  await tick();
  assert.deepEqual(
    runs.map((r) => r.line),
    ['ps', 'sessions'],
  );
  closeMonitorPrompt(opened);
});

test('keys typed while a command runs go to where it leads, and Ctrl-C stops it', async () => {
  const { opened, runs } = prompt();
  typeIntoPrompt(opened, Buffer.from('exec sh\r'));
  await tick();
  typeIntoPrompt(opened, Buffer.from('ls\r'));
  assert.equal(runs.length, 1, 'typed keys wait, they are no command yet');
  let typed: readonly Buffer[] = [];
  runs[0]?.end((keys) => void (typed = keys));
  await tick();
  assert.deepEqual(typed.map(String), ['ls\r']);

  const again = prompt();
  typeIntoPrompt(again.opened, Buffer.from('logs api -f\r'));
  await tick();
  typeIntoPrompt(again.opened, Buffer.from('\x03'));
  assert.equal(again.runs[0]?.signal.aborted, true);
  closeMonitorPrompt(again.opened);
  closeMonitorPrompt(opened);
});
