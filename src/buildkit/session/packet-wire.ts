/**
 * fsutil's Packet in protobuf's wire form, written directly. proto-loader's
 * serializer first converts the message (every int64 string becomes a Long)
 * and then encodes it: ~8-20 µs a STAT here, and DiffCopy sends one STAT per
 * file while the daemon waits for them. Fields at their zero value are left
 * out, as proto3 encoders do (test/unit/session-packet-wire.test.ts decodes
 * the output with proto-loader and compares).
 */
import type { Packet, Stat } from './packet.js';

const VARINT = 0;
const BYTES = 2;

/** A growable byte buffer with the few protobuf writes a Packet needs. */
class Writer {
  buf: Buffer;
  at = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  /** A non-negative integer below 2^53. */
  varint(n: number): void {
    this.room(10);
    while (n > 0x7f) {
      this.buf[this.at++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.at++] = n;
  }

  /** An int64 given as a decimal string; negative values as their two's complement, as protobuf does. */
  int64(field: number, value: string): void {
    if (value === '0' || value === '') return;
    const n = Number(value);
    this.tag(field, VARINT);
    if (Number.isSafeInteger(n) && n >= 0) return this.varint(n);
    let v = BigInt.asUintN(64, BigInt(value));
    this.room(10);
    while (v > 0x7fn) {
      this.buf[this.at++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.at++] = Number(v);
  }

  uint32(field: number, value: number): void {
    if (!value) return;
    this.tag(field, VARINT);
    this.varint(value >>> 0);
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, BYTES);
    this.varint(value.length);
    this.room(value.length);
    this.buf.set(value, this.at);
    this.at += value.length;
  }

  string(field: number, value: string): void {
    if (!value) return;
    const length = Buffer.byteLength(value);
    this.tag(field, BYTES);
    this.varint(length);
    this.room(length);
    this.at += this.buf.write(value, this.at);
  }

  /** A nested message: written after a length slot, whose size is known only afterwards. */
  message(field: number, write: () => void): void {
    this.tag(field, BYTES);
    // Five bytes hold any length below 2^35; the slot is trimmed to the varint's real size after.
    this.room(5);
    const slot = this.at;
    this.at += 5;
    write();
    const length = this.at - slot - 5;
    const size = varintSize(length);
    this.buf.copyWithin(slot + size, slot + 5, this.at);
    this.at -= 5 - size;
    const end = this.at;
    this.at = slot;
    this.varint(length);
    this.at = end;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

function varintSize(n: number): number {
  let size = 1;
  while (n > 0x7f) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

function writeStat(w: Writer, s: Stat): void {
  w.string(1, s.path);
  w.uint32(2, s.mode);
  w.uint32(3, s.uid);
  w.uint32(4, s.gid);
  w.int64(5, s.size);
  w.int64(6, s.modTime);
  w.string(7, s.linkname);
  w.int64(8, s.devmajor);
  w.int64(9, s.devminor);
  for (const [key, value] of Object.entries(s.xattrs ?? {})) {
    w.message(10, () => {
      w.string(1, key);
      w.bytes(2, value);
    });
  }
}

/** The bytes of one Packet, as protobuf encodes fsutil's message. */
export function encodePacket(p: Packet): Buffer {
  const w = new Writer(64 + (p.data?.length ?? 0) + (p.stat ? p.stat.path.length * 3 + p.stat.linkname.length * 3 : 0));
  w.uint32(1, p.type);
  const stat = p.stat;
  if (stat) w.message(2, () => writeStat(w, stat));
  w.uint32(3, p.ID ?? 0);
  if (p.data?.length) w.bytes(4, p.data);
  return w.finish();
}
