/**
 * bin/bake against docker buildx on every golden case (issue 16): both print
 * each run (a bake file buildx reads: HCL, JSON or compose; not TOML, which
 * is ours, nor `bake dev --print`), and their outputs must be identical, or
 * both fail with the same message (buildx's sentence, position aside).
 *
 * The buildx is Debian trixie's docker-buildx 0.13.1, from
 * scripts/trixie-engine.sh (BAKE_BUILDX names another). bake follows current
 * buildx, so where 0.13.1 is older the two differ by design: each such run
 * is listed, with its reason, in test/fixtures/buildx-differences.json,
 * and is skipped with that reason once it is seen to still differ (a
 * listed run that agrees fails, so the list cannot go stale).
 *
 * buildx 0.13.1 lists a compose file's services in its default group in Go's
 * map order, which changes from run to run: a compose case with several
 * services names them, sorted, in case.json (as compose-include does).
 * It also expands a matrix in the map order of its keys (current buildx
 * sorts them), so a group of matrix targets comes in one of several
 * orders: an entry with `groupOrder` compares those runs with every group's
 * targets sorted, and only the order may differ.
 *
 * `--print` needs no builder: with an empty DOCKER_CONFIG and no DOCKER_HOST
 * buildx reads the files and prints without contacting an engine. Under
 * CI=true a missing buildx fails the test; elsewhere it skips it, saying why.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runBake } from '../support/bake-cli.js';
import { bakefileCases, caseArguments, type BakefileCase } from '../support/bakefile-cases.js';
import { fixturesDir, repoRoot } from '../support/fixtures.js';
import { tempDir } from '../support/temp-dir.js';

interface KnownDifference {
  readonly case: string;
  /** The runs it applies to, by their first bake file; all runs of the case when absent. */
  readonly files?: readonly string[];
  readonly reason: string;
  /** Only the order of group targets may differ, and 0.13.1 varies it from run to run. */
  readonly groupOrder?: boolean;
}

const differencesFile = join(fixturesDir(), 'buildx-differences.json');
const known = (JSON.parse(readFileSync(differencesFile, 'utf8')) as { differences: KnownDifference[] }).differences;

/** Formats buildx reads; TOML is bake's own. */
const BUILDX_FORMATS = /\.(hcl|json|ya?ml)$/;

/** The buildx to compare with, or why there is none. */
function findBuildx(): { path: string } | { missing: string } {
  const named = process.env['BAKE_BUILDX'];
  if (named) return existsSync(named) ? { path: named } : { missing: `BAKE_BUILDX=${named} does not exist` };
  const r = spawnSync('bash', [join(repoRoot(), 'scripts', 'trixie-engine.sh')], { encoding: 'utf8', timeout: 15 * 60_000 });
  if (r.status !== 0) return { missing: `scripts/trixie-engine.sh failed (${r.status ?? r.signal}): ${r.stderr.trim().split('\n').pop() ?? ''}` };
  const path = join(r.stdout.trim(), 'usr', 'libexec', 'docker', 'cli-plugins', 'docker-buildx');
  return existsSync(path) ? { path } : { missing: `${path} is not in trixie's docker-buildx package` };
}

interface Outcome {
  readonly ok: boolean;
  readonly stdout: string;
  /** The error as a sentence: buildx's ERROR line without its HCL position, bake's first error line. */
  readonly error: string;
}

function runBuildx(buildx: string, args: readonly string[], cwd: string, env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(buildx, ['bake', '--progress=quiet', ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => {
      const line = stderr.split('\n').find((l) => l.startsWith('ERROR: ')) ?? stderr.trim();
      resolve({ ok: status === 0, stdout, error: buildxSentence(line.replace(/^ERROR: /, '')) });
    });
  });
}

/** An HCL diagnostic reads `FILE:L,C-C: Summary; Detail, and N other diagnostic(s)`; bake writes `Summary: Detail` and the position below. */
function buildxSentence(message: string): string {
  const hcl = /^\S+:\d+,\d+-\d+: (.*?)(?:, and \d+ other diagnostic\(s\))?$/s.exec(message);
  return hcl ? (hcl[1] as string).replace('; ', ': ') : message;
}

function bakeSentence(stderr: string): string {
  return (stderr.split('\n').find((l) => l.startsWith('error: ')) ?? stderr.trim()).replace(/^error: /, '');
}

/** How the two outcomes differ, or undefined when they agree. */
function difference(buildx: Outcome, bake: Outcome): string | undefined {
  if (buildx.ok !== bake.ok) return buildx.ok ? `buildx prints, bake fails: ${bake.error}` : `buildx fails (${buildx.error}), bake prints`;
  if (!buildx.ok) return buildx.error === bake.error ? undefined : `errors differ:\n  buildx: ${buildx.error}\n  bake:   ${bake.error}`;
  return buildx.stdout === bake.stdout ? undefined : `outputs differ:\n--- buildx\n${buildx.stdout}\n--- bake\n${bake.stdout}`;
}

/** The printed definition with every group's targets sorted, for runs whose group order 0.13.1 varies. */
function sortGroups(outcome: Outcome): Outcome {
  if (!outcome.ok) return outcome;
  const printed = JSON.parse(outcome.stdout) as { group?: Record<string, { targets?: string[] }> };
  for (const group of Object.values(printed.group ?? {})) group.targets?.sort();
  return { ...outcome, stdout: JSON.stringify(printed, null, 2) };
}

function knownDifference(c: BakefileCase, files: readonly string[]): KnownDifference | undefined {
  return known.find((k) => k.case === c.name && (!k.files || k.files.includes(files[0] as string)));
}

const runs = bakefileCases().flatMap((c) =>
  c.options.dev ? [] : c.runs.filter((files) => files.every((f) => BUILDX_FORMATS.test(f))).map((files) => ({ c, files })),
);
const found = findBuildx();
const home = tempDir('bake-differential-');

const tally = { identical: 0, known: 0 };

test('buildx is available to compare with (required under CI)', (t) => {
  if ('missing' in found) {
    if (process.env['CI'] === 'true') assert.fail(`no buildx to compare with: ${found.missing}`);
    t.skip(`no buildx to compare with: ${found.missing}`);
    return;
  }
  const version = spawnSync(found.path, ['version'], { encoding: 'utf8' });
  t.diagnostic(`comparing with ${version.stdout.trim()} (${found.path})`);
});

test('every known difference names a case and a reason', () => {
  const names = new Set(bakefileCases().map((c) => c.name));
  for (const k of known) {
    assert.ok(names.has(k.case), `${differencesFile}: no case ${k.case}`);
    assert.ok(k.reason.length > 20, `${k.case}: say why it differs`);
  }
});

describe('bake --print against buildx --print', { concurrency: 4, skip: 'missing' in found }, () => {
  for (const { c, files } of runs) {
    test(`${c.name} (${files.join(' + ')})`, async (t) => {
      const buildx = (found as { path: string }).path;
      const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, DOCKER_CONFIG: join(home, '.docker'), ...c.options.env };
      const args = caseArguments(c.options, files);
      const [theirs, ours] = await Promise.all([
        runBuildx(buildx, args, c.dir, env),
        runBake(args, { cwd: c.dir, env }).then((r): Outcome => ({ ok: r.status === 0, stdout: r.stdout, error: bakeSentence(r.stderr) })),
      ]);
      const k = knownDifference(c, files);
      if (k?.groupOrder) {
        const diff = difference(sortGroups(theirs), sortGroups(ours));
        assert.equal(diff, undefined, `${diff ?? ''}\n(listed as differing only in group order: ${k.reason})`);
        tally.identical++;
        return;
      }
      const diff = difference(theirs, ours);
      if (k) {
        assert.notEqual(diff, undefined, `listed in buildx-differences.json, but bake and buildx now agree: remove the entry (${k.reason})`);
        tally.known++;
        t.skip(`known difference: ${k.reason}`);
        return;
      }
      assert.equal(diff, undefined, diff);
      tally.identical++;
    });
  }
});

after(() => {
  if (!('missing' in found))
    console.log(`buildx differential: ${runs.length} runs, ${tally.identical} identical, ${tally.known} known version differences (skipped with their reason)`);
});
