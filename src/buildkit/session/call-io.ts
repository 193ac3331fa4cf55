/** Writing to gRPC streams without outrunning HTTP/2 flow control. */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { status, type ServiceError } from '@grpc/grpc-js';

/** Writes one message; when the stream's buffer is full, waits for 'drain' (or the abort). */
export async function write(stream: Writable, message: unknown, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (!stream.write(message)) await once(stream, 'drain', { signal });
}

/**
 * Forwards a chunk from a stream to a sink without outrunning the sink: when
 * the sink's buffer is full, the source pauses until it drains (one listener
 * per pause, however many chunks were already on their way).
 */
export function forward(chunk: unknown, sink: Writable, source: { pause(): unknown; resume(): unknown; isPaused(): boolean }): void {
  if (sink.write(chunk) || source.isPaused()) return;
  source.pause();
  sink.once('drain', () => source.resume());
}

/** A status error for a server call: the message is what the daemon prints. */
export function statusError(code: status, details: string): Partial<ServiceError> {
  return { code, details, message: details };
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
