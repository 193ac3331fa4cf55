/**
 * The CLI fuzzer (issue 14): mutated bake files through the shipped CLI's
 * code, each run judged by the promise: exit 0 or 2 only, an answer within
 * 5 s, peak RSS under 200 MB, and every error naming file:line:col.
 *
 * Two ways in. `bin/bake` spawns the shipped command itself, one process per
 * input, its peak RSS measured by GNU time (%M: the kernel's maxrss of the
 * process it waits for, exact and unaffected by sampling). `bundle` drives
 * the same bundle (dist/bake.mjs, all bin/bake imports) in recycled worker
 * processes (fuzz-worker.ts), one process start per RECYCLE_AFTER inputs:
 * bin/bake costs ~0.3 s of node startup per input, which makes 10,000 files
 * per format hours on two CPUs, the bundle milliseconds.
 */
import { spawn, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bake } from './bake-cli.js';
import { FUZZ_FORMATS, mutatedBakeFiles } from './bakefile-mutations.js';
import { generatedBakeFiles } from './bakefile-generator.js';
import type { FuzzAnswer, FuzzRequest } from './fuzz-worker.js';

export const LIMITS = { ms: 5000, peakRssKb: 200 * 1024 };
/** Inputs a worker runs before a fresh one replaces it, so module records and heap left by earlier runs stay small. */
const RECYCLE_AFTER = 200;

export type FuzzRoute = 'bundle' | 'bin/bake';

export interface FuzzInput {
  /** The bake file's name, which decides its format. */
  readonly filename: string;
  /** Where it came from: its index in the seeded sequence, or a fixture's name. */
  readonly label: string;
  readonly text: string;
}

/** A sequence of inputs a CLI fuzz run draws from: `inputs(n)` is its first n, the same every run. */
export interface FuzzStream {
  readonly name: string;
  readonly inputs: (count: number) => FuzzInput[];
}

/** Each format's mutated seed files, and generated HCL that calls every function (bakefile-generator.ts). */
export const FUZZ_STREAMS: readonly FuzzStream[] = [
  ...FUZZ_FORMATS.map((filename) => ({
    name: `mutated ${filename}`,
    inputs: (count: number) => Array.from(mutatedBakeFiles(filename, count), (text, i) => ({ filename, label: `mutated-${i}`, text })),
  })),
  {
    name: 'generated docker-bake.hcl',
    inputs: (count: number) => Array.from(generatedBakeFiles(count), (text, i) => ({ filename: 'docker-bake.hcl', label: `generated-${i}`, text })),
  },
];

export interface FuzzOutcome {
  readonly input: FuzzInput;
  readonly route: FuzzRoute;
  /** null: killed after LIMITS.ms without an answer. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly peakRssKb: number;
  /** What broke the promise; empty when the run kept it. */
  readonly problems: readonly string[];
}

/** The errors (`error: …` and the lines up to the next message) with no `  --> FILE:LINE:COL` among their lines. */
function unpositionedErrors(stderr: string, filename: string): string[] {
  const at = new RegExp(`^  --> ${filename.replace(/[.]/g, '\\.')}:\\d+:\\d+$`, 'm');
  const messages = stderr.split(/^(?=error: |warning: )/m).filter((m) => m.startsWith('error: '));
  return messages.filter((m) => !at.test(m) && !NO_PLACE.test(m)).map((m) => m.split('\n')[0] as string);
}

/** An error with no place in the file: a file that defines no target at all is asked for `default`, which no line names. */
const NO_PLACE = /^error: failed to find target default$/m;

function problemsOf(o: Omit<FuzzOutcome, 'problems'>): string[] {
  const problems: string[] = [];
  if (o.status === null) problems.push(`no answer within ${LIMITS.ms / 1000} s`);
  else if (o.status !== 0 && o.status !== 2) problems.push(`exit ${o.status}`);
  if (o.status !== null && o.ms > LIMITS.ms) problems.push(`took ${(o.ms / 1000).toFixed(1)} s`);
  if (o.peakRssKb >= LIMITS.peakRssKb) problems.push(`peak RSS ${Math.round(o.peakRssKb / 1024)} MB`);
  if (/bug in bake/.test(o.stderr)) problems.push('"This is a bug in bake"');
  if (o.status === 2) for (const line of unpositionedErrors(o.stderr, o.input.filename)) problems.push(`no file:line:col for ${line}`);
  if (o.status === 0) {
    try {
      JSON.parse(o.stdout);
    } catch {
      problems.push('exit 0 without a printed definition');
    }
  }
  return problems;
}

/** One directory per input, the file in it under its format's name. */
class Scratch {
  private readonly root = mkdtempSync(join(tmpdir(), 'bake-fuzz-'));
  private n = 0;
  write(input: FuzzInput): string {
    const dir = join(this.root, String(this.n++));
    mkdirSync(dir);
    writeFileSync(join(dir, input.filename), input.text);
    return dir;
  }
  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

const ENV = (): Record<string, string> => ({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root' });

/** bin/bake -f FILE --print under GNU time, its process group killed after LIMITS.ms. */
function runBin(input: FuzzInput, dir: string): Promise<Omit<FuzzOutcome, 'problems'>> {
  return new Promise((resolve, reject) => {
    const rssFile = join(dir, '.maxrss');
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, bake, '-f', input.filename, '--print'], { cwd: dir, env: ENV(), detached: true });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      killed = true;
      process.kill(-(child.pid as number), 'SIGKILL');
    }, LIMITS.ms + 500);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      let peakRssKb = 0;
      try {
        peakRssKb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
      } catch {
        // killed before GNU time wrote it
      }
      resolve({ input, route: 'bin/bake', status: killed ? null : status, stdout, stderr, ms, peakRssKb });
    });
  });
}

const WORKER = fileURLToPath(new URL('./fuzz-worker.js', import.meta.url));

/** One recycled worker process: runs one input at a time, replaced after RECYCLE_AFTER inputs or when it dies or hangs. */
class Worker {
  private child: ChildProcess | undefined;
  private ran = 0;
  private stderr = '';

  run(input: FuzzInput, dir: string): Promise<Omit<FuzzOutcome, 'problems'>> {
    if (!this.child || this.ran >= RECYCLE_AFTER) this.replace();
    this.ran++;
    const child = this.child as ChildProcess;
    const started = performance.now();
    return new Promise((resolve) => {
      const done = (o: Omit<FuzzOutcome, 'input' | 'route' | 'problems'>): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve({ input, route: 'bundle', ...o });
      };
      const onMessage = (a: FuzzAnswer): void => done(a);
      // The worker died of the input (an uncaught error, a signal): what node printed is on its stderr.
      const onExit = (code: number | null, signal: string | null): void => {
        this.child = undefined;
        done({
          status: code ?? 128,
          stdout: '',
          stderr: `${this.stderr}${signal ? `\n(killed by ${signal})` : ''}`,
          ms: performance.now() - started,
          peakRssKb: 0,
        });
      };
      const timer = setTimeout(() => {
        child.off('exit', onExit);
        this.stop();
        done({ status: null, stdout: '', stderr: this.stderr, ms: performance.now() - started, peakRssKb: 0 });
      }, LIMITS.ms);
      this.stderr = '';
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ dir, file: input.filename } satisfies FuzzRequest);
    });
  }

  private replace(): void {
    this.stop();
    const child = fork(WORKER, [], { env: ENV(), stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-8192)));
    this.child = child;
    this.ran = 0;
  }

  stop(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }
}

export interface FuzzOptions {
  readonly route: FuzzRoute;
  /** Inputs run at once: processes for bin/bake, workers for the bundle. */
  readonly parallel: number;
  readonly onOutcome: (o: FuzzOutcome) => void;
}

/** Runs every input through the route, `parallel` at a time, and reports each outcome as it ends. */
export async function fuzzCli(inputs: Iterable<FuzzInput>, options: FuzzOptions): Promise<void> {
  const scratch = new Scratch();
  const iterator = inputs[Symbol.iterator]();
  const lane = async (): Promise<void> => {
    const worker = options.route === 'bundle' ? new Worker() : undefined;
    try {
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        const dir = scratch.write(next.value);
        const o = worker ? await worker.run(next.value, dir) : await runBin(next.value, dir);
        rmSync(dir, { recursive: true, force: true });
        options.onOutcome({ ...o, problems: problemsOf(o) });
      }
    } finally {
      worker?.stop();
    }
  };
  try {
    await Promise.all(Array.from({ length: options.parallel }, lane));
  } finally {
    scratch.remove();
  }
}
