/**
 * Robustness: mutated bake files in every format (HCL, JSON, TOML, compose)
 * must never escape as anything but a BakeFileError, and every diagnostic
 * must point at a file position and say what to do (a fix). Deterministic (seeded); BAKE_FUZZ_COUNT sets
 * the number of inputs per format (default 10,000).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BakeFileError } from '../../src/core/diagnostics.js';
import { evaluateSources, printDefinition } from '../../src/bakefile/pipeline.js';
import { FIXED_WORLD } from '../support/fixed-world.js';
import { FUZZ_FORMATS, mutatedBakeFiles } from '../support/bakefile-mutations.js';

const COUNT = Number(process.env['BAKE_FUZZ_COUNT'] ?? 10_000);

for (const filename of FUZZ_FORMATS) {
  test(`fuzz: ${COUNT} mutated ${filename} inputs fail only with positioned diagnostics that carry a fix`, async (t) => {
    let failures = 0;
    for (const [i, input] of [...mutatedBakeFiles(filename, COUNT)].entries()) {
      try {
        const request = { env: (name: string) => (name === 'TAG' ? 'x' : undefined), warn: () => {} };
        const evaluated = await evaluateSources({ sources: [{ filename, text: input }], ...request, localPlatform: 'linux/amd64', world: FIXED_WORLD });
        printDefinition(evaluated, { ...request, names: [], sets: [] });
      } catch (e) {
        if (!(e instanceof BakeFileError)) assert.fail(`input ${i} threw ${(e as Error)?.stack ?? String(e)}\n--- input ---\n${input}`);
        failures++;
        for (const d of e.diagnostics) {
          // A requested name that no file defines has no place in any file.
          if (/^failed to find target default$/.test(d.summary)) continue;
          assert.ok(d.range, `input ${i}: diagnostic without a position: ${d.summary} ${d.detail ?? ''}\n--- input ---\n${input}`);
          assert.ok(d.fix, `input ${i}: diagnostic without a fix: ${d.summary} ${d.detail ?? ''}\n--- input ---\n${input}`);
          assert.equal(d.range.filename, filename);
        }
      }
    }
    t.diagnostic(`fuzz ${filename}: ${COUNT} inputs, ${failures} rejected with positioned diagnostics and fixes, ${COUNT - failures} accepted`);
  });
}
