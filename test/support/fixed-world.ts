/**
 * The world the pure pipeline (src/bakefile/pipeline.ts) is handed, fixed
 * for unit tests: the CLI passes the real clock and home directory, tests
 * pass these so no result depends on when or where they run.
 */
import type { FunctionWorld } from '../../src/bakefile/expr/function.js';

export const FIXED_WORLD: FunctionWorld = { now: () => new Date('2026-01-02T03:04:05Z'), homedir: () => '/home/tester' };
