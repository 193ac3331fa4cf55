// npm run fuzz: the CLI fuzzer at the scale of issue 14's promise. For each
// format (HCL, JSON, TOML, compose), COUNT mutated bake files (default
// 10,000; the same seeded sequence as test/unit/fuzz.test.ts), and COUNT
// generated HCL files that call every function, run through the
// shipped bundle in recycled workers, and the first BIN of them (default 250)
// also through bin/bake itself, one process each (test/support/cli-fuzz.ts
// says why both). Each must exit 0 or 2, answer within 5 s, peak under
// 200 MB RSS and name file:line:col for every error. Inputs that break that
// are written to build/fuzz-findings/FILE-LABEL/ (to become fixtures under
// test/fixtures/fuzz/); the exit code is 1 if there are any.
// Usage: node scripts/fuzz.mjs [--count N] [--bin N] [--parallel N] (after npm run build).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { FUZZ_STREAMS, fuzzCli } = await import(join(root, 'build/test/support/cli-fuzz.js'));

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    bin: { type: 'string', default: '250' },
    parallel: { type: 'string', default: String(availableParallelism()) },
  },
});
const count = Number(values.count);
const binCount = Math.min(count, Number(values.bin));
const parallel = Number(values.parallel);
const findingsDir = join(root, 'build', 'fuzz-findings');
rmSync(findingsDir, { recursive: true, force: true });

let findings = 0;
for (const stream of FUZZ_STREAMS) {
  for (const [route, n] of [
    ['bundle', count],
    ['bin/bake', binCount],
  ].filter(([, n]) => n > 0)) {
    const tally = { runs: 0, accepted: 0, rejected: 0, crashes: 0, hangs: 0, slowest: 0, peakRssKb: 0, problems: 0 };
    const started = Date.now();
    await fuzzCli(stream.inputs(n), {
      route,
      parallel,
      onOutcome: (o) => {
        tally.runs++;
        if (o.status === 0) tally.accepted++;
        else if (o.status === 2) tally.rejected++;
        else if (o.status === null) tally.hangs++;
        else tally.crashes++;
        tally.slowest = Math.max(tally.slowest, o.ms);
        tally.peakRssKb = Math.max(tally.peakRssKb, o.peakRssKb);
        if (!o.problems.length) return;
        tally.problems++;
        findings++;
        const dir = join(findingsDir, `${o.input.filename}-${o.input.label}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, o.input.filename), o.input.text);
        writeFileSync(join(dir, 'outcome.txt'), `${route}: ${o.problems.join('; ')}\nexit ${o.status}, ${o.ms.toFixed(0)} ms\n--- stderr ---\n${o.stderr}`);
        process.stdout.write(`  ${o.input.filename} ${o.input.label} (${route}): ${o.problems.join('; ')}\n`);
      },
    });
    const s = (Date.now() - started) / 1000;
    process.stdout.write(
      `${stream.name} via ${route}: ${tally.runs} files (${tally.accepted} printed, ${tally.rejected} rejected with exit 2), ` +
        `${tally.crashes} crashes, ${tally.hangs} hangs, ${tally.problems} breaking the promise; ` +
        `slowest ${(tally.slowest / 1000).toFixed(2)} s, peak RSS ${(tally.peakRssKb / 1024).toFixed(0)} MB; ${s.toFixed(0)} s\n`,
    );
  }
}
process.stdout.write(findings ? `${findings} inputs broke the promise: see ${findingsDir}\n` : 'every input kept the promise\n');
process.exit(findings ? 1 : 0);
