/** The Engine API client over a unix socket, against a local HTTP server. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseEngineAddress } from '../../src/docker/endpoint.js';
import { EngineHttp } from '../../src/docker/http.js';
import { tempDir } from '../support/temp-dir.js';

test('a call over a unix socket never asks net.isIP: its first calls compile regexes that cost every run ~10 ms', async (t) => {
  const socketPath = join(tempDir('bake-http-'), 'engine.sock');
  const server = createServer((req, res) => res.end(JSON.stringify({ path: req.url, host: req.headers.host })));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  t.after(() => server.close());
  const isIP = net.isIP;
  let asked = 0;
  net.isIP = (input: string) => {
    asked++;
    return isIP(input);
  };
  t.after(() => (net.isIP = isIP));
  const http = new EngineHttp(parseEngineAddress(`unix://${socketPath}`));
  try {
    // Pooled (keep-alive) and fresh connections take different paths through node's agent.
    assert.deepEqual(await http.json({ method: 'GET', path: '/info' }, AbortSignal.timeout(5000)), { path: '/info', host: 'docker' });
    assert.deepEqual(await http.json({ method: 'GET', path: '/version' }, AbortSignal.timeout(5000)), { path: '/version', host: 'docker' });
  } finally {
    http.close();
  }
  assert.equal(asked, 0, 'net.isIP was called');
});
