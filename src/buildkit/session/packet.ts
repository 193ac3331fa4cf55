/** fsutil's Packet and Stat as proto-loader hands them over (longs as strings). */

export const PACKET_STAT = 0;
export const PACKET_REQ = 1;
export const PACKET_DATA = 2;
export const PACKET_FIN = 3;
export const PACKET_ERR = 4;

export interface Stat {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  size: string;
  modTime: string;
  linkname: string;
  devmajor: string;
  devminor: string;
  xattrs?: Record<string, Buffer>;
}

export interface Packet {
  type: number;
  stat?: Stat | null;
  ID?: number;
  data?: Buffer;
}

/** Go uses 32 KiB copy buffers; so do we. */
export const CHUNK_SIZE = 32 * 1024;
