/** `--progress rawjson`: one JSON object per line, each naming its target. */
import type { TargetLines, Write } from '../../orchestrate/progress/lines.js';

export function rawjsonLines(target: string, write: Write): TargetLines {
  const json = (o: object): void => write(`${JSON.stringify(o)}\n`);
  return { sink: json, failed: json, sent: (sent) => json({ kind: 'sent', target, ...sent }) };
}
