/**
 * A recycled child process of the CLI fuzzer (test/support/cli-fuzz.ts):
 * runs the shipped bundle's entry (dist/bake.mjs, which bin/bake imports)
 * once per input, as `bake -f FILE --print` in the input's directory, and
 * answers with its exit code, output, time and peak RSS. Each run imports
 * the entry anew (a query string makes it a new module), so its top level,
 * `process.exitCode = await main(argv)`, runs again, while the chunks it
 * imports load once: one process start per worker instead of per input.
 * Peak RSS is per input: the kernel's high-water mark is reset before each
 * run (/proc/self/clear_refs, "5") and read after (VmHWM); it includes the
 * worker's own heap, so it errs high.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './fixtures.js';

export interface FuzzRequest {
  readonly dir: string;
  readonly file: string;
}

export interface FuzzAnswer {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly peakRssKb: number;
}

const entry = pathToFileURL(join(repoRoot(), 'dist', 'bake.mjs')).href;
const bin = join(repoRoot(), 'bin', 'bake');
let runs = 0;

function peakRssKb(): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m?.[1] ?? 0);
}

/** What the current run printed: bake writes all it prints through process.stdout and process.stderr, which write here instead. */
const printed = { stdout: '', stderr: '' };
process.stdout.write = (chunk: string | Uint8Array) => ((printed.stdout += String(chunk)), true);
process.stderr.write = (chunk: string | Uint8Array) => ((printed.stderr += String(chunk)), true);

async function runEntry(request: FuzzRequest): Promise<FuzzAnswer> {
  printed.stdout = '';
  printed.stderr = '';
  process.chdir(request.dir);
  process.argv = [process.execPath, bin, '-f', request.file, '--print'];
  process.exitCode = undefined;
  writeFileSync('/proc/self/clear_refs', '5');
  const started = performance.now();
  await import(`${entry}?run=${++runs}`);
  const ms = performance.now() - started;
  const status = process.exitCode ?? 0;
  process.exitCode = undefined;
  return { status, ...printed, ms, peakRssKb: peakRssKb() };
}

process.on('message', (request: FuzzRequest) => void runEntry(request).then((answer) => process.send?.(answer)));
process.on('disconnect', () => process.exit(0));
