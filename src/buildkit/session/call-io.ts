/** Writing to gRPC streams without outrunning HTTP/2 flow control. */
import type { Writable } from 'node:stream';
import { status, type ServiceError } from '@grpc/grpc-js';

/**
 * Forwards a chunk from a stream to a sink without outrunning the sink: when
 * the sink's buffer is full, the source pauses until it drains (one listener
 * per pause, however many chunks were already on their way). A sink that is
 * ended before it drains never emits 'drain' (Node skips it while ending), so
 * finishing or closing resumes the source too: otherwise the source, and the
 * packets after it, would wait forever.
 */
export function forward(chunk: unknown, sink: Writable, source: { pause(): unknown; resume(): unknown; isPaused(): boolean }): void {
  if (sink.write(chunk) || source.isPaused()) return;
  source.pause();
  const resume = (): void => {
    for (const event of ['drain', 'finish', 'close']) sink.off(event, resume);
    source.resume();
  };
  for (const event of ['drain', 'finish', 'close']) sink.once(event, resume);
}

/** A status error for a server call: the message is what the daemon prints. */
export function statusError(code: status, details: string): Partial<ServiceError> {
  return { code, details, message: details };
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
