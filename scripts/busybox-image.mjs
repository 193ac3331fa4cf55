// Imports Debian's static BusyBox as bake-test/busybox:latest (and
// busybox:latest) into the engine bake uses, for offline machines and tests.
// Needs the compiled sources (npm run build, or scripts/setup.mjs).
import { importBusyboxImage } from '../build/src/docker/busybox-image.js';
import { DockerEngine } from '../build/src/docker/engine-api.js';

export async function busyboxImage(env = process.env) {
  const engine = DockerEngine.fromEnv(env);
  try {
    return await importBusyboxImage(engine, AbortSignal.timeout(120_000));
  } finally {
    engine.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { image, id, imported } = await busyboxImage();
  process.stderr.write(`${image} ${imported ? 'imported' : 'already there'} (${id.slice(0, 19)})\n`);
}
