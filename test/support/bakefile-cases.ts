/**
 * The golden cases under test/fixtures/bakefiles, read once for the tests
 * that run them: bin/bake against their expectations
 * (test/cli/bakefile-fixtures.test.ts) and bin/bake against buildx
 * (test/cli/buildx-differential.test.ts). See the first for what a case holds.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from './fixtures.js';

/** Bake file names a case may hold, one run each (unless `together`). */
export const FORMATS = ['docker-bake.hcl', 'docker-bake.json', 'bake.toml', 'compose.yaml'] as const;

/** What case.json says: the command line and what the run must show besides its output. */
export interface CaseOptions {
  readonly names?: readonly string[];
  readonly sets?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly dev?: boolean;
  readonly together?: readonly string[];
  readonly errorPositions?: Readonly<Record<string, { line: number; column: number }>>;
  /** The same for every format, or per bake file when the formats can say different things (HCL has nested blocks). */
  readonly warnings?: readonly string[] | Readonly<Record<string, readonly string[]>>;
  readonly schemaValid?: boolean;
}

export interface BakefileCase {
  readonly name: string;
  readonly dir: string;
  readonly options: CaseOptions;
  /** The bake files of each run, in -f order. */
  readonly runs: ReadonlyArray<readonly string[]>;
}

export function bakefileCases(): BakefileCase[] {
  const root = fixturesDir('bakefiles');
  return readdirSync(root)
    .sort()
    .map((name) => {
      const dir = join(root, name);
      const options = (existsSync(join(dir, 'case.json')) ? JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) : {}) as CaseOptions;
      const runs = options.together ? [[...options.together]] : FORMATS.filter((f) => existsSync(join(dir, f))).map((f) => [f]);
      return { name, dir, options, runs };
    });
}

/** The command-line arguments of one run: -f for each file, then what case.json asks for. */
export function caseArguments(options: CaseOptions, files: readonly string[]): string[] {
  return [
    ...files.flatMap((f) => ['-f', f]),
    ...(options.dev ? ['dev'] : []),
    '--print',
    ...(options.names ?? []),
    ...(options.sets ?? []).flatMap((s) => ['--set', s]),
  ];
}
