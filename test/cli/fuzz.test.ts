/**
 * The CLI fuzzer's seeded subset (issue 14): mutated bake files of every
 * format through the shipped CLI's code, each of which must exit 0 or 2,
 * answer within 5 s, peak under 200 MB RSS and name file:line:col for every
 * error (test/support/cli-fuzz.ts). Of each sequence (mutated files of each
 * format, generated HCL) that `npm run fuzz` runs 10,000 of, the first COUNT
 * run through the bundle bin/bake imports, in recycled workers, and the
 * first BIN_COUNT of those through bin/bake itself.
 * BAKE_CLI_FUZZ_COUNT sets COUNT. The inputs that once broke the promise
 * are fixtures (test/fixtures/fuzz/NAME/ holds one bake file) run through
 * bin/bake.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fixturesDir } from '../support/fixtures.js';
import { FUZZ_STREAMS, fuzzCli, type FuzzInput, type FuzzOutcome, type FuzzRoute } from '../support/cli-fuzz.js';

const COUNT = Number(process.env['BAKE_CLI_FUZZ_COUNT'] ?? 300);
const BIN_COUNT = Math.min(COUNT, 20);

/** Runs the inputs through a route; resolves with what broke the promise (input and problems) and the peak RSS seen. */
async function fuzz(inputs: readonly FuzzInput[], route: FuzzRoute): Promise<{ broken: string[]; peakRssKb: number; slowestMs: number }> {
  const broken: string[] = [];
  let peakRssKb = 0;
  let slowestMs = 0;
  const onOutcome = (o: FuzzOutcome): void => {
    peakRssKb = Math.max(peakRssKb, o.peakRssKb);
    slowestMs = Math.max(slowestMs, o.ms);
    if (o.problems.length)
      broken.push(`${route} ${o.input.filename} ${o.input.label}: ${o.problems.join('; ')}\n--- input ---\n${o.input.text}\n--- stderr ---\n${o.stderr}`);
  };
  await fuzzCli(inputs, { route, parallel: 2, onOutcome });
  return { broken, peakRssKb, slowestMs };
}

for (const stream of FUZZ_STREAMS) {
  test(`${COUNT} ${stream.name} files through the bundle, ${BIN_COUNT} through bin/bake: exit 0 or 2, within 5 s, under 200 MB, errors at file:line:col`, async (t) => {
    const inputs = stream.inputs(COUNT);
    for (const [route, chosen] of [
      ['bundle', inputs],
      ['bin/bake', inputs.slice(0, BIN_COUNT)],
    ] as const) {
      const r = await fuzz(chosen, route);
      t.diagnostic(
        `${stream.name} via ${route}: ${chosen.length} files, slowest ${(r.slowestMs / 1000).toFixed(2)} s, peak RSS ${(r.peakRssKb / 1024).toFixed(0)} MB`,
      );
      assert.deepEqual(r.broken, []);
    }
  });
}

test('the inputs that once broke the promise (test/fixtures/fuzz/) keep it through bin/bake', async () => {
  const inputs = readdirSync(fixturesDir('fuzz')).flatMap((name) =>
    readdirSync(fixturesDir('fuzz', name)).map((filename) => ({ filename, label: name, text: readFileSync(fixturesDir('fuzz', name, filename), 'utf8') })),
  );
  assert.ok(inputs.length > 0);
  assert.deepEqual((await fuzz(inputs, 'bin/bake')).broken, []);
});
