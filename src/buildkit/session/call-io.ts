/** Writing to gRPC streams without outrunning HTTP/2 flow control. */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { status, type ServiceError } from '@grpc/grpc-js';

/** Writes one message; when the stream's buffer is full, waits for 'drain' (or the abort). */
export async function write(stream: Writable, message: unknown, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (!stream.write(message)) await once(stream, 'drain', { signal });
}

/** A status error for a server call: the message is what the daemon prints. */
export function statusError(code: status, details: string): Partial<ServiceError> {
  return { code, details, message: details };
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
