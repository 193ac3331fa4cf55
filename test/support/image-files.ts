/** Reading a built image's files back from the engine, for tests that check what a build produced. */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The file at `path` in the image's top-most layer holding it, read from `GET /images/{name}/get` streamed to disk (images can be large). */
export async function fileInImage(socketPath: string, image: string, path: string): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'bake-save-'));
  try {
    await new Promise<void>((resolve, reject) => {
      const req = request({ socketPath, path: `/images/${image}/get`, headers: { Host: 'docker' } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`GET /images/${image}/get answered ${res.statusCode}`));
        res
          .pipe(createWriteStream(join(dir, 'image.tar')))
          .on('finish', resolve)
          .on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    execFileSync('tar', ['-xf', 'image.tar'], { cwd: dir });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
    let found: string | undefined;
    for (const layer of manifest[0]?.Layers ?? []) {
      try {
        found = execFileSync('tar', ['-xOf', join(dir, layer), path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        // Not in this layer.
      }
    }
    return found;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
