/** Our Packet encoder against proto-loader's decoder of fsutil's message: every field, edge values, and what Go reads as "no stat". */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePacket } from '../../src/buildkit/session/packet-wire.js';
import { PACKET_DATA, PACKET_ERR, PACKET_FIN, PACKET_REQ, PACKET_STAT, type Packet, type Stat } from '../../src/buildkit/session/packet.js';
import { sessionProtos } from '../../src/buildkit/session/protos.js';

const method = sessionProtos().fileSync['DiffCopy'];
const decode = method?.requestDeserialize as (b: Buffer) => Packet;
const protoLoaderEncode = method?.responseSerialize as (p: Packet) => Buffer;

const stat = (over: Partial<Stat> = {}): Stat => ({
  path: 'src/a/f0001.bin',
  mode: 0o100644,
  uid: 0,
  gid: 0,
  size: '25000',
  modTime: '1795380010628123456',
  linkname: '',
  devmajor: '0',
  devminor: '0',
  ...over,
});

const PACKETS: ReadonlyArray<[string, Packet]> = [
  ['a regular file', { type: PACKET_STAT, stat: stat() }],
  ['a directory (Go mode bits above 2^31)', { type: PACKET_STAT, stat: stat({ path: 'src', mode: 0x800001ed, size: '0' }) }],
  [
    'a symlink, owners, a device',
    {
      type: PACKET_STAT,
      stat: stat({ path: 'dev/tty', mode: 0x4200190, uid: 1000, gid: 4294967295, linkname: '../target', devmajor: '136', devminor: '4294967295' }),
    },
  ],
  ['sizes and times beyond 2^53 and before 1970', { type: PACKET_STAT, stat: stat({ size: '9007199254740993', modTime: '-1000000001' }) }],
  [
    'the largest int64 and a UTF-8 path',
    { type: PACKET_STAT, stat: stat({ path: 'données/✓ file', modTime: '9223372036854775807', size: '-9223372036854775808' }) },
  ],
  ['xattrs', { type: PACKET_STAT, stat: stat({ xattrs: { 'user.a': Buffer.from('1'), 'security.capability': Buffer.alloc(200, 7) } }) }],
  ['a path long enough for a two-byte length', { type: PACKET_STAT, stat: stat({ path: `${'d/'.repeat(300)}f` }) }],
  ['the end of the STATs', { type: PACKET_STAT, stat: null }],
  ['a REQ', { type: PACKET_REQ, ID: 2163 }],
  ['a DATA chunk', { type: PACKET_DATA, ID: 70000, data: Buffer.alloc(32 * 1024, 5) }],
  ['the empty DATA that ends a file', { type: PACKET_DATA, ID: 1, data: Buffer.alloc(0) }],
  ['a FIN', { type: PACKET_FIN }],
  ['an ERR', { type: PACKET_ERR, data: Buffer.from('it broke') }],
];

for (const [what, packet] of PACKETS) {
  test(`${what}: decodes as proto-loader's own encoding of it does`, () => {
    assert.deepEqual(decode(encodePacket(packet)), decode(protoLoaderEncode(packet)));
  });
}

test('the end of the STATs is an empty message, as Go encodes it (Go reads no stat as the end)', () => {
  assert.equal(encodePacket({ type: PACKET_STAT, stat: null }).length, 0);
});
