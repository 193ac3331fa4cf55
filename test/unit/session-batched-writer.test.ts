/**
 * The batched writer against a real grpc-js server and client over a unix
 * socket: it finds the call's HTTP/2 stream under the grpc-js this project
 * pins (so a release that moves it fails here, not silently slower), and
 * every message (encoded by packet-wire.ts) arrives whole and in order, also
 * around a grpc-js write.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  credentials,
  makeClientConstructor,
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ClientDuplexStream,
  type ServerDuplexStream,
} from '@grpc/grpc-js';
import { batchedWriter, http2StreamOf } from '../../src/buildkit/session/batched-writer.js';
import { encodePacket } from '../../src/buildkit/session/packet-wire.js';
import { PACKET_DATA, PACKET_ERR, PACKET_FIN, PACKET_STAT, type Packet } from '../../src/buildkit/session/packet.js';
import { sessionProtos } from '../../src/buildkit/session/protos.js';
import { tempDir } from '../support/temp-dir.js';

const work = tempDir('bake-batched-writer-');
const servers: Server[] = [];
after(() => {
  for (const s of servers) s.forceShutdown();
});

/** Serves DiffCopy with `handler`; resolves with what a client received and the call's status. */
async function roundTrip(
  handler: (call: ServerDuplexStream<unknown, unknown>) => Promise<void>,
): Promise<{ packets: Packet[]; code: number; details: string }> {
  const def = sessionProtos().fileSync;
  const server = new Server();
  servers.push(server);
  // A rejection stays unhandled, which fails the test run.
  server.addService(def, { DiffCopy: (call: ServerDuplexStream<unknown, unknown>) => void handler(call) });
  const socket = join(work, `s${servers.length}.sock`);
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix://${socket}`, ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
  const Client = makeClientConstructor(def, 'FileSync');
  const client = new Client(`unix://${socket}`, credentials.createInsecure()) as unknown as Record<
    string,
    (md: Metadata) => ClientDuplexStream<Packet, Packet>
  >;
  const call = (client['DiffCopy'] as (md: Metadata) => ClientDuplexStream<Packet, Packet>).call(client, new Metadata());
  const packets: Packet[] = [];
  call.on('data', (p: Packet) => packets.push(p));
  call.end();
  const st = await new Promise<{ code: number; details: string }>((resolve) => {
    call.on('status', resolve);
    call.on('error', () => undefined);
  });
  (client as unknown as { close(): void }).close();
  return { packets, ...st };
}

const stat = (i: number): Packet => ({
  type: PACKET_STAT,
  stat: { path: `d/f${i}`, mode: 0o644, uid: 0, gid: 0, size: String(i), modTime: '1795380010628123456', linkname: '', devmajor: '0', devminor: '0' },
});

test('the HTTP/2 stream of a grpc-js server call is found, and 5,000 STATs and 2 MiB of DATA arrive whole and in order', async () => {
  const data = Buffer.alloc(32 * 1024, 9);
  let batched: boolean | undefined;
  const { packets, code, details } = await roundTrip(async (call) => {
    assert.ok(http2StreamOf(call), 'grpc-js keeps the HTTP/2 stream where http2StreamOf looks');
    const writer = batchedWriter(call as ServerDuplexStream<unknown, Packet>, encodePacket, new AbortController().signal);
    batched = writer.batched;
    for (let i = 0; i < 5000; i++) await writer.write(stat(i));
    for (let i = 0; i < 64; i++) await writer.write({ type: PACKET_DATA, ID: i, data });
    await writer.write({ type: PACKET_FIN });
    writer.flush();
    call.end();
  });
  assert.equal(code, status.OK, details);
  assert.equal(batched, true);
  assert.equal(packets.length, 5000 + 64 + 1);
  packets.slice(0, 5000).forEach((p, i) => assert.equal(p.stat?.path, `d/f${i}`));
  packets.slice(5000, 5064).forEach((p, i) => {
    assert.equal(p.ID, i);
    assert.deepEqual(p.data, data);
  });
  assert.equal(packets.at(-1)?.type, PACKET_FIN);
});

test('a message written through grpc-js after a flush comes after the batch, and an error status still reaches the client', async () => {
  const { packets, code, details } = await roundTrip(async (call) => {
    const writer = batchedWriter(call as ServerDuplexStream<unknown, Packet>, encodePacket, new AbortController().signal);
    for (let i = 0; i < 10; i++) await writer.write(stat(i));
    writer.flush();
    call.write({ type: PACKET_ERR, data: Buffer.from('gave up') });
    call.emit('error', { code: status.UNKNOWN, details: 'gave up', message: 'gave up' });
  });
  assert.equal(code, status.UNKNOWN);
  assert.equal(details, 'gave up');
  assert.deepEqual(
    packets.map((p) => p.type),
    [...Array<number>(10).fill(PACKET_STAT), PACKET_ERR],
  );
});

test('an object that is not a grpc-js call has no HTTP/2 stream: the writer falls back to per-message writes', () => {
  assert.equal(http2StreamOf({}), undefined);
  assert.equal(http2StreamOf({ call: { nextCall: { stream: { write() {} } } } }), undefined);
});
