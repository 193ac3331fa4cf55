/**
 * Where the bake package is: found by walking up to package.json (beside
 * proto/), so the same code works from build/ and from the dist/ bundle.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding package.json above `from`. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'proto'))) return dir;
    if (dirname(dir) === dir) throw new Error(`Cannot find the bake package root (with package.json and proto/) above ${from}.`);
  }
}
