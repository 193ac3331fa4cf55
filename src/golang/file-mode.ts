/**
 * Go's os.FileMode as Unix mode bits (st_mode): Docker's path stat
 * (X-Docker-Container-Path-Stat) and BuildKit's fsutil Stat carry Go's
 * FileMode, whose type bits sit at the top of the word, not where Unix keeps them.
 */

const S_IFMT = {
  socket: 0o140000,
  symlink: 0o120000,
  regular: 0o100000,
  block: 0o060000,
  dir: 0o040000,
  char: 0o020000,
  fifo: 0o010000,
} as const;

/** Go's ModeDir … ModeSticky (io/fs). */
export const GO_MODE = {
  dir: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
} as const;

/** Go's type bits to Unix's, the first match winning: a character device has both ModeDevice and ModeCharDevice. */
const TYPES: readonly (readonly [goBit: number, unix: number])[] = [
  [GO_MODE.dir, S_IFMT.dir],
  [GO_MODE.symlink, S_IFMT.symlink],
  [GO_MODE.charDevice, S_IFMT.char],
  [GO_MODE.device, S_IFMT.block],
  [GO_MODE.namedPipe, S_IFMT.fifo],
  [GO_MODE.socket, S_IFMT.socket],
];

/** The Unix mode (type and permission bits) of a Go FileMode. */
export function unixModeOfGo(goMode: number): number {
  const has = (bit: number): boolean => Math.floor(goMode / bit) % 2 === 1;
  const type = TYPES.find(([bit]) => has(bit))?.[1] ?? S_IFMT.regular;
  const special = (has(GO_MODE.setuid) ? 0o4000 : 0) | (has(GO_MODE.setgid) ? 0o2000 : 0) | (has(GO_MODE.sticky) ? 0o1000 : 0);
  return type | special | (goMode % 0o1000);
}
