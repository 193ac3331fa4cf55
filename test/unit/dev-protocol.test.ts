/**
 * What the dev protocol carries, through the generated codec as on the wire:
 * a bake file's service (src/dev/protocol/service-message.ts), a user
 * error's sentence, fix and kind (error-detail.ts), and the terminal's
 * length-framed messages (frames.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metadata } from '@grpc/grpc-js';
import type { Service } from '../../src/bakefile/model.js';
import type { ErrorKind } from '../../src/core/errors.js';
import { errorDetail, errorTrailerEntry, receivedError } from '../../src/dev/protocol/error-detail.js';
import { DevClient } from '../../src/dev/client/connection.js';
import { isServerGone, type ServerError } from '../../src/dev/client/server-error.js';
import { DEV_PROTOCOL_VERSION } from '../../src/dev/labels.js';
import { FrameError, FrameReader, frame, MAX_FRAME_BYTES } from '../../src/dev/protocol/frames.js';
import { AttachIn, ServicePlan, type ErrorDetail, type HelloReply } from '../../src/dev/protocol/generated/messages.js';
import { type DevClient as DevStub } from '../../src/dev/protocol/generated/dev.js';
import { serviceMessage, serviceOf } from '../../src/dev/protocol/service-message.js';

/** `service` as the server reads it: encoded into an Up's plan and decoded. */
function throughTheWire(service: Service): Service {
  const plan = ServicePlan.decode(ServicePlan.encode({ service: serviceMessage(service), image: 'busybox' }).finish());
  assert.ok(plan.service, 'the plan carries its service');
  return serviceOf(plan.service);
}

/** A failed call's trailer as the server makes it. */
function trailer(detail: ErrorDetail): Metadata {
  const metadata = new Metadata();
  metadata.set(...errorTrailerEntry(detail));
  return metadata;
}

test('a service crosses the wire field for field, absent fields staying absent, in the model’s order', () => {
  const full: Service = {
    name: 'api',
    command: ['serve', '--port', '80'],
    entrypoint: [],
    environment: { MODE: 'dev', TOKEN: null, EMPTY: '' },
    ports: ['8080:80'],
    volumes: ['.:/src', 'data:/data'],
    depends_on: ['db'],
    workdir: '',
    user: '1000:1000',
    interactive: true,
    shell: ['/bin/bash', '-l'],
    runs_on: 'container',
    healthcheck: { test: ['CMD', 'true'], interval: '1s', timeout: '2s', retries: 3, start_period: '0s' },
  };
  const received = throughTheWire(full);
  assert.deepEqual(received, full);
  // The server's container label and config digest are JSON of this object: its key order is part of what crosses.
  assert.equal(JSON.stringify(received), JSON.stringify(full));

  const bare: Service = { name: 'db' };
  assert.deepEqual(throughTheWire(bare), bare, 'no field appears that the bake file did not set');
  assert.deepEqual(throughTheWire({ name: 'h', runs_on: 'host', command: ['make', 'watch'], healthcheck: {} }), {
    name: 'h',
    runs_on: 'host',
    command: ['make', 'watch'],
    healthcheck: {},
  });
});

test('what the server does not run a service by stays with the client', () => {
  const service: Service = { name: 'app', description: 'the app', inherits: ['base'], image: 'app:dev', target: 'app', command: ['run'] };
  assert.deepEqual(throughTheWire(service), { name: 'app', command: ['run'] });
});

test('a user error crosses in its trailer with its sentence, fix and kind; a failure without one has none', () => {
  const kinds: ErrorKind[] = ['usage', 'bake-file', 'engine', 'build', 'run', 'interrupted'];
  for (const kind of kinds) {
    const sent = { kind, message: `a ${kind} failure: with "quotes"\nand a second line`, fix: 'Do this.' };
    assert.deepEqual(receivedError(trailer(errorDetail(sent))), { message: sent.message, fix: 'Do this.', kind });
  }
  assert.deepEqual(receivedError(trailer(errorDetail({ kind: 'run', message: 'no fix' }))), { message: 'no fix', fix: undefined, kind: 'run' });
  assert.equal(receivedError(new Metadata()), undefined);
  assert.equal(receivedError(undefined), undefined);
});

test('terminal frames come out whole however the stream splits them, and an oversized length is refused', () => {
  const messages: AttachIn[] = [
    { msg: { $case: 'input', value: Buffer.from('a') } },
    { msg: { $case: 'resize', value: { columns: 120, rows: 40 } } },
    { msg: { $case: 'input', value: Buffer.alloc(70_000, 'x') } },
    { msg: { $case: 'input', value: Buffer.alloc(0) } },
  ];
  const stream = Buffer.concat(messages.map((m) => frame(AttachIn.encode(m).finish())));
  for (const size of [1, 3, 4, 5, 4096, stream.length]) {
    const reader = new FrameReader();
    const got: AttachIn[] = [];
    for (let at = 0; at < stream.length; at += size) got.push(...reader.push(stream.subarray(at, at + size)).map((f) => AttachIn.decode(f)));
    assert.deepEqual(got, messages, `chunks of ${size} bytes`);
  }
  const header = Buffer.alloc(4);
  header.writeUInt32BE(MAX_FRAME_BYTES + 1);
  assert.throws(() => new FrameReader().push(header), FrameError);
});

test("a server of another protocol: a terminal's attach is refused at once with the fix, not retried through the same server", async () => {
  const hello: HelloReply = { server_version: '0.0.1', protocol: '2', pid: 1, started_at_ms: 0, sessions: 1, rss_bytes: 0, socket: '', log_file: '' };
  const client = new DevClient(undefined as unknown as DevStub, hello, '/nonexistent/attach.sock');
  const error = await new Promise<ServerError>((resolve) => client.attach().on('error', resolve));
  assert.equal(isServerGone(error), false, 'not "the server went away", which would reconnect to the same server');
  assert.match(error.message, new RegExp(`^the bake server speaks protocol 2 and this client protocol ${DEV_PROTOCOL_VERSION}, `));
  assert.equal(error.fix, 'Run bake server stop, then retry, to start a server of this version.');
});
