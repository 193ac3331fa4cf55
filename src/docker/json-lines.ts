/** Streams of JSON values, one per line (events, image import progress). */
import type { Readable } from 'node:stream';

/**
 * Iterates the stream itself (not through readline, which does not pass on
 * the stream's errors), so an aborted request ends the loop with its error.
 */
export async function* jsonLines<T>(stream: Readable): AsyncGenerator<T> {
  let pending = '';
  for await (const chunk of stream) {
    const lines = (pending + (chunk as Buffer).toString('utf8')).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') yield JSON.parse(line) as T;
  }
  if (pending.trim() !== '') yield JSON.parse(pending) as T;
}
