/**
 * What a build session serves, as the caller describes it: its own module so
 * that the attachables (file-sync, file-send, secrets) import these types
 * without importing the session barrel that imports them (issue 12: that made
 * an import cycle).
 */
import type { ContextWalks } from './context-walks.js';

export interface LocalDirSpec {
  readonly path: string;
  /** The run's walks: the first transfer sends what build avoidance walked, if it walked this dir with the same filters. */
  readonly walks?: ContextWalks;
}
export interface SecretSpec {
  readonly src?: string;
  readonly env?: string;
}
export type FileSendSpec = { readonly kind: 'local'; readonly dest: string } | { readonly kind: 'tar'; readonly dest: string };
export interface SessionSpec {
  readonly name: string;
  readonly sharedKey: string;
  readonly dirs: ReadonlyMap<string, LocalDirSpec>;
  readonly secrets?: ReadonlyMap<string, SecretSpec>;
  readonly ssh?: ReadonlyMap<string, readonly string[]>;
  readonly dockerConfigDir?: string;
  readonly fileSend?: FileSendSpec;
  readonly env?: (name: string) => string | undefined;
}
/** Per dir-name, over every DiffCopy of the session. */
export interface DirStats {
  /** Entries sent as STATs (files, directories, links). */
  files: number;
  /** File data bytes sent. */
  bytes: number;
  /** REQs answered (files whose data the daemon needed). */
  requests: number;
  /** Why a transfer of this dir failed on bake's side, when it did: a sentence naming the file. */
  failure?: string;
}
