/**
 * Go `os.FileMode` bits, which fsutil's Stat.mode carries instead of POSIX
 * st_mode (raw st_mode makes directories look like files to the daemon).
 */
import { constants } from 'node:fs';
import { GO_MODE } from '../../golang/file-mode.js';

const MODE_DIR = GO_MODE.dir;
const MODE_SYMLINK = GO_MODE.symlink;
const MODE_DEVICE = GO_MODE.device;
const MODE_NAMED_PIPE = GO_MODE.namedPipe;
const MODE_SOCKET = GO_MODE.socket;
const MODE_SETUID = GO_MODE.setuid;
const MODE_SETGID = GO_MODE.setgid;
const MODE_CHAR_DEVICE = GO_MODE.charDevice;
const MODE_STICKY = GO_MODE.sticky;
// POSIX st_mode special bits (node's fs.constants lacks them).
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;
const TYPE_BITS = MODE_DIR | MODE_SYMLINK | MODE_DEVICE | MODE_NAMED_PIPE | MODE_SOCKET | MODE_CHAR_DEVICE;

/** POSIX st_mode → Go FileMode, as Go's os.Lstat fills it. Sockets lose their type bit, as fsutil sends them. */
export function goFileMode(stMode: number): number {
  let mode = stMode & 0o777;
  switch (stMode & constants.S_IFMT) {
    case constants.S_IFDIR:
      mode |= MODE_DIR;
      break;
    case constants.S_IFLNK:
      mode |= MODE_SYMLINK;
      break;
    case constants.S_IFIFO:
      mode |= MODE_NAMED_PIPE;
      break;
    case constants.S_IFBLK:
      mode |= MODE_DEVICE;
      break;
    case constants.S_IFCHR:
      mode |= MODE_DEVICE | MODE_CHAR_DEVICE;
      break;
  }
  if (stMode & S_ISUID) mode |= MODE_SETUID;
  if (stMode & S_ISGID) mode |= MODE_SETGID;
  if (stMode & S_ISVTX) mode |= MODE_STICKY;
  return mode >>> 0;
}

/** Go FileMode → POSIX permission bits (with setuid/setgid/sticky) for chmod. */
export function posixPermissions(goMode: number): number {
  let mode = goMode & 0o777;
  if (goMode & MODE_SETUID) mode |= S_ISUID;
  if (goMode & MODE_SETGID) mode |= S_ISGID;
  if (goMode & MODE_STICKY) mode |= S_ISVTX;
  return mode;
}

export type EntryKind = 'dir' | 'symlink' | 'file' | 'other';

export function kindOf(goMode: number): EntryKind {
  if (goMode & MODE_DIR) return 'dir';
  if (goMode & MODE_SYMLINK) return 'symlink';
  if ((goMode & TYPE_BITS) === 0) return 'file';
  return 'other';
}
