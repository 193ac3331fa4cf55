/**
 * The offline base image for integration tests, made by the project's own
 * importer (src/docker/busybox-image.ts), plus a raw Engine API request for
 * tests that check the engine's answer directly.
 */
import { request } from 'node:http';
import { BUSYBOX_IMAGE, importBusyboxImage } from '../../src/docker/busybox-image.js';
import { DockerEngine } from '../../src/docker/engine-api.js';

export { BUSYBOX_IMAGE };

export async function ensureBusyboxImage(socketPath: string): Promise<string> {
  const engine = new DockerEngine({ kind: 'unix', socketPath, address: `unix://${socketPath}` });
  try {
    return (await importBusyboxImage(engine, AbortSignal.timeout(60_000))).image;
  } finally {
    engine.close();
  }
}

export function engineRequest(
  socketPath: string,
  method: string,
  path: string,
  body?: Buffer,
  contentType?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { Host: 'docker', ...(contentType ? { 'Content-Type': contentType } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', (e) =>
      reject(new Error(`No Docker engine answers on ${socketPath}: ${e.message}. Start one with \`bin/bake engine start\`, or point DOCKER_HOST at one.`)),
    );
    req.end(body);
  });
}
