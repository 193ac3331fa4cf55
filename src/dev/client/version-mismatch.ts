/** A server of another version or protocol than this client's: the user is told, with how to get one of this version. */
import { DEV_PROTOCOL_VERSION } from '../labels.js';
import type { HelloReply } from '../protocol/generated/messages.js';

export function warnOnVersionMismatch(hello: HelloReply, version: string, warn: (line: string) => void): void {
  if (hello.server_version === version && hello.protocol === DEV_PROTOCOL_VERSION) return;
  warn(
    `warning: the bake server runs version ${hello.server_version} (protocol ${hello.protocol}); this client is ${version} (protocol ${DEV_PROTOCOL_VERSION}). Run bake server stop, then retry, to start a server of this version.`,
  );
}
