/**
 * BuildKit's StatusResponse stream and Solve errors → ProgressEvents
 * (protocol §2). Vertices arrive again on every state change and are merged
 * by digest; a failed Solve carries the failing Dockerfile lines in its gRPC
 * status details (an `errdefs.Source`), decoded here by hand because only
 * these few fields are needed.
 */
import type { ErrorEvent, FailureSource, ProgressEvent, SourceLine, VertexEvent } from '../core/progress.js';
import type { StatusResponse, Timestamp, Vertex } from './control.js';

/** Lines of context shown around the failing instruction. */
const CONTEXT_LINES = 2;

/** Translates one job's status stream; keeps the vertices seen so repeated states are not sent twice. */
export class StatusTranslator {
  private readonly vertices = new Map<string, string>();

  constructor(private readonly target: string) {}

  events(res: StatusResponse): ProgressEvent[] {
    const target = this.target;
    const out: ProgressEvent[] = [];
    // A step's logs and transfers come after it started and before it ended, even when one response holds all three.
    const ended: ProgressEvent[] = [];
    for (const v of res.vertexes ?? []) {
      const event = vertexEvent(target, v);
      const key = JSON.stringify(event);
      if (this.vertices.get(v.digest) === key) continue;
      this.vertices.set(v.digest, key);
      (event.completed !== undefined || event.cached || event.error ? ended : out).push(event);
    }
    for (const s of res.statuses ?? []) {
      const started = time(s.started);
      const completed = time(s.completed);
      out.push({ kind: 'status', target, vertex: s.vertex, id: s.ID, current: s.current ?? 0, ...(s.total ? { total: s.total } : {}), ...(started !== undefined ? { started } : {}), ...(completed !== undefined ? { completed } : {}) });
    }
    for (const l of res.logs ?? []) {
      out.push({ kind: 'log', target, vertex: l.vertex, stream: l.stream === 2 ? 'stderr' : 'stdout', time: time(l.timestamp) ?? 0, text: l.msg?.toString('utf8') ?? '' });
    }
    for (const w of res.warnings ?? []) {
      out.push({ kind: 'warning', target, vertex: w.vertex, message: w.short?.toString('utf8') ?? '', detail: (w.detail ?? []).map((d) => d.toString('utf8')), ...(w.url ? { url: w.url } : {}) });
    }
    return [...out, ...ended];
  }
}

function vertexEvent(target: string, v: Vertex): VertexEvent {
  const started = time(v.started);
  const completed = time(v.completed);
  return {
    kind: 'vertex',
    target,
    id: v.digest,
    name: v.name ?? v.digest,
    cached: v.cached ?? false,
    ...(started !== undefined ? { started } : {}),
    ...(completed !== undefined ? { completed } : {}),
    ...(v.error ? { error: v.error } : {}),
  };
}

function time(t: Timestamp | undefined): number | undefined {
  return t === undefined ? undefined : (t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

/** The shape of a grpc-js ServiceError this module reads. */
export interface SolveError {
  readonly details?: string;
  readonly message?: string;
  readonly metadata?: { get(key: string): unknown[] };
}

/** The failing step as the status stream showed it, and the Dockerfile it came from. */
export interface FailureContext {
  readonly vertex?: { readonly id: string; readonly name: string };
  readonly dockerfile?: { readonly filename: string; readonly text: string };
}

/**
 * A failed Solve → the ErrorEvent: BuildKit's message, the failing step and
 * its Dockerfile lines. BuildKit v0.9+ sends the lines (errdefs.Source); v0.8
 * (Docker 20.10) does not, so the failing vertex's name is matched against
 * the Dockerfile instead.
 */
export function failureEvent(target: string, err: SolveError, context: FailureContext = {}): ErrorEvent {
  const message = err.details || err.message || String(err);
  const raw = err.metadata?.get('grpc-status-details-bin')[0];
  const found = raw instanceof Uint8Array ? decodeDetails(raw) : {};
  const vertex = found.vertex ?? context.vertex?.id;
  const source = found.source ?? (context.dockerfile ? sourceFromContext(message, context.dockerfile, context.vertex?.name) : undefined);
  return { kind: 'error', target, message, ...(vertex ? { vertex } : {}), ...(source ? { source } : {}) };
}

/** v0.8 fallbacks: a parse error names its line; a failing step is found by its vertex name. */
function sourceFromContext(message: string, dockerfile: { readonly filename: string; readonly text: string }, vertexName: string | undefined): FailureSource | undefined {
  const parseError = /dockerfile parse error line (\d+):/.exec(message);
  if (parseError) {
    const line = Number(parseError[1]);
    return around(dockerfile.filename, dockerfile.text.split('\n'), line, line);
  }
  return vertexName === undefined ? undefined : sourceOfStep(dockerfile.filename, dockerfile.text, vertexName);
}

/**
 * The lines of the instruction a vertex name like `[stage 2/3] RUN make` stands
 * for: the first instruction (continuation lines joined) whose text, spaces
 * collapsed, equals the name's. Undefined when none does (e.g. ARGs expanded).
 */
export function sourceOfStep(filename: string, text: string, vertexName: string): FailureSource | undefined {
  const step = collapse(vertexName.replace(/^\[[^\]]*\]\s*/, ''));
  if (!step) return undefined;
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  for (let start = 0; start < lines.length; start++) {
    let end = start;
    let joined = lines[start] ?? '';
    while (joined.endsWith('\\') && end + 1 < lines.length) joined = `${joined.slice(0, -1)} ${lines[++end]}`;
    if (collapse(joined) === step) return around(filename, lines, start + 1, end + 1);
    start = end;
  }
  return undefined;
}

function collapse(s: string): string {
  return s.trim().replace(/\s+/g, ' ');
}

/** Lines first..last (1-based) marked failing, with CONTEXT_LINES around them. */
function around(filename: string, lines: readonly string[], first: number, last: number): FailureSource {
  const shown: SourceLine[] = [];
  const from = Math.max(1, first - CONTEXT_LINES);
  const to = Math.min(lines.length, last + CONTEXT_LINES);
  for (let l = from; l <= to; l++) shown.push({ line: l, text: (lines[l - 1] ?? '').replace(/\r$/, ''), failing: l >= first && l <= last });
  // A trailing newline leaves an empty last line that is not part of the file.
  while (shown.length && shown[shown.length - 1]?.text === '' && !shown[shown.length - 1]?.failing) shown.pop();
  return { filename, lines: shown };
}

/** google.rpc.Status{details=3: Any{type_url=1, value=2}} holding errdefs.Source and errdefs.Vertex. */
export function decodeDetails(bytes: Uint8Array): { vertex?: string; source?: FailureSource } {
  const out: { vertex?: string; source?: FailureSource } = {};
  for (const [n, any] of fields(bytes)) {
    if (n !== 3 || typeof any === 'number') continue;
    const parts = new Map(fields(any));
    const url = Buffer.from(parts.get(1) as Uint8Array).toString();
    const value = parts.get(2);
    if (!(value instanceof Uint8Array)) continue;
    if (url.endsWith('errdefs.Vertex')) out.vertex = text(field(value, 1));
    else if (url.endsWith('errdefs.Source') && !out.source) {
      const source = sourceLines(value);
      if (source) out.source = source;
    }
  }
  return out;
}

/** errdefs.Source{info=1: SourceInfo{filename=1, data=2}, ranges=2: Range{start=1, end=2: Position{line=1}}} → lines around the ranges. */
function sourceLines(bytes: Uint8Array): FailureSource | undefined {
  const info = field(bytes, 1);
  if (!(info instanceof Uint8Array)) return undefined;
  const filename = text(field(info, 1));
  const lines = text(field(info, 2)).split('\n');
  const failing = new Set<number>();
  for (const [n, range] of fields(bytes)) {
    if (n !== 2 || typeof range === 'number') continue;
    const line = (pos: unknown): number => (pos instanceof Uint8Array ? Number(field(pos, 1) ?? 0) : 0);
    const start = line(field(range, 1));
    const end = Math.max(start, line(field(range, 2)));
    for (let l = start; l <= end; l++) if (l > 0) failing.add(l);
  }
  if (!failing.size) return { filename, lines: [] };
  return around(filename, lines, Math.min(...failing), Math.max(...failing));
}

function text(v: unknown): string {
  return v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : '';
}

function field(bytes: Uint8Array, n: number): Uint8Array | number | undefined {
  for (const [k, v] of fields(bytes)) if (k === n) return v;
  return undefined;
}

/** The protobuf fields of a message: varints as numbers, length-delimited as bytes (other wire types skipped). */
function fields(bytes: Uint8Array): [number, Uint8Array | number][] {
  const out: [number, Uint8Array | number][] = [];
  let at = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = bytes[at++];
      if (b === undefined) throw new Error('truncated protobuf');
      v += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) return v;
    }
  };
  try {
    while (at < bytes.length) {
      const tag = varint();
      const wire = tag % 8;
      const n = Math.floor(tag / 8);
      if (wire === 0) out.push([n, varint()]);
      else if (wire === 2) {
        const len = varint();
        out.push([n, bytes.subarray(at, at + len)]);
        at += len;
      } else if (wire === 1) at += 8;
      else if (wire === 5) at += 4;
      else break;
    }
  } catch {
    // Details that do not decode are left out: the message still says what failed.
  }
  return out;
}
