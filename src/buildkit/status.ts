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
      out.push({
        kind: 'status',
        target,
        vertex: s.vertex,
        id: s.ID,
        current: s.current ?? 0,
        ...(s.total ? { total: s.total } : {}),
        ...(started !== undefined ? { started } : {}),
        ...(completed !== undefined ? { completed } : {}),
      });
    }
    for (const l of res.logs ?? []) {
      out.push({
        kind: 'log',
        target,
        vertex: l.vertex,
        stream: l.stream === 2 ? 'stderr' : 'stdout',
        time: time(l.timestamp) ?? 0,
        text: l.msg?.toString('utf8') ?? '',
      });
    }
    for (const w of res.warnings ?? []) {
      out.push({
        kind: 'warning',
        target,
        vertex: w.vertex,
        message: w.short?.toString('utf8') ?? '',
        detail: (w.detail ?? []).map((d) => d.toString('utf8')),
        ...(w.url ? { url: w.url } : {}),
      });
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
  /** The user's Dockerfile; `served` is the copy the engine built when bake rewrote it (target: links on older engines). */
  readonly dockerfile?: { readonly filename: string; readonly text: string; readonly served?: string };
}

/**
 * A failed Solve → the ErrorEvent: BuildKit's message, the failing step and
 * its Dockerfile lines. BuildKit v0.9+ sends the lines (errdefs.Source); v0.8
 * (Docker 20.10) does not, so the failing vertex's name is matched against
 * the Dockerfile instead.
 */
export function failureEvent(target: string, err: SolveError, context: FailureContext = {}): ErrorEvent {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a grpc-js ServiceError, an Error: its toString is Error's
  const message = err.details || err.message || String(err);
  const raw = err.metadata?.get('grpc-status-details-bin')[0];
  const found = raw instanceof Uint8Array ? decodeDetails(raw) : {};
  const vertex = found.vertex ?? context.vertex?.id;
  const source = found.source
    ? asWritten(found.source, context.dockerfile)
    : context.dockerfile
      ? sourceFromContext(message, context.dockerfile, context.vertex?.name)
      : undefined;
  return { kind: 'error', target, message, ...(vertex ? { vertex } : {}), ...(source ? { source } : {}) };
}

/**
 * The engine's lines as the user wrote them: where bake served a rewritten
 * copy (line for line the same: secret ids, `target:` links), the engine
 * quotes that copy, whose ids the user never wrote.
 */
function asWritten(source: FailureSource, dockerfile: FailureContext['dockerfile']): FailureSource {
  if (dockerfile?.served === undefined) return source;
  const written = dockerfile.text.split('\n');
  return { ...source, lines: source.lines.map((l) => ({ ...l, text: (written[l.line - 1] ?? l.text).replace(/\r$/, '') })) };
}

/** v0.8 fallbacks: a parse error names its line; a failing step is found by its vertex name. */
function sourceFromContext(message: string, dockerfile: NonNullable<FailureContext['dockerfile']>, vertexName: string | undefined): FailureSource | undefined {
  const parseError = /dockerfile parse error line (\d+):/.exec(message);
  if (parseError) {
    const line = Number(parseError[1]);
    return around(dockerfile.filename, dockerfile.text.split('\n'), line, line);
  }
  return vertexName === undefined ? undefined : sourceOfStep(dockerfile.filename, dockerfile.text, vertexName, dockerfile.served);
}

/**
 * The lines of the instruction a vertex name like `[stage 2/3] RUN make` stands
 * for: the first instruction (continuation lines joined) whose text, spaces
 * collapsed, equals the name's; failing that, the first it equals once each
 * variable (`$X`, `${X}`, `${X:-d}`) may stand for any text, as BuildKit names
 * a step with its ARGs expanded. Matched in `served` (the rewritten copy the
 * engine built, line for line the same), shown from the user's `text`.
 */
export function sourceOfStep(filename: string, text: string, vertexName: string, served = text): FailureSource | undefined {
  const step = collapse(vertexName.replace(/^\[[^\]]*\]\s*/, ''));
  if (!step) return undefined;
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const instructions = joinedInstructions(served.split('\n').map((l) => l.replace(/\r$/, '')));
  const found = instructions.find((i) => i.text === step) ?? instructions.find((i) => /\$/.test(i.text) && withVariables(i.text).test(step));
  return found && around(filename, lines, found.first, found.last);
}

/** Each instruction's text (continuation lines joined, spaces collapsed) and its 1-based lines. */
function joinedInstructions(lines: readonly string[]): { text: string; first: number; last: number }[] {
  const out: { text: string; first: number; last: number }[] = [];
  for (let start = 0; start < lines.length; start++) {
    let end = start;
    let joined = lines[start] ?? '';
    while (joined.endsWith('\\') && end + 1 < lines.length) joined = `${joined.slice(0, -1)} ${lines[++end]}`;
    out.push({ text: collapse(joined), first: start + 1, last: end + 1 });
    start = end;
  }
  return out;
}

/** An instruction as a pattern in which each variable reference matches any text. */
function withVariables(instruction: string): RegExp {
  const parts = instruction.split(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/);
  return new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?')}$`, 's');
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

/** What a failed Solve's status details say (protobuf on BuildKit v0.9–v0.12, JSON `…+json` types from v0.13). */
export interface ErrorDetails {
  vertex?: string;
  source?: FailureSource;
  /** The exit code of the process that failed (gatewayapi.ExitMessage). */
  exitCode?: number;
  /** The failed step's state before and after it (errdefs.Solve, BuildKit v0.10+ as JSON): what a debug shell opens on. */
  failedStep?: FailedStep;
  /** The error named the op that failed (errdefs.Solve), whether or not it ran a process. */
  solved?: boolean;
}

/**
 * errdefs.Solve of a failed exec step: the results its mounts read
 * (`inputIDs`, by the op's input index) and what they held when it failed
 * (`mountIDs`, one per mount), and the process it ran.
 */
export interface FailedStep {
  readonly inputIDs: readonly string[];
  readonly mountIDs: readonly string[];
  readonly mounts: readonly { readonly dest: string; readonly input: number; readonly selector?: string; readonly readonly?: boolean }[];
  readonly meta: { readonly args: readonly string[]; readonly env: readonly string[]; readonly cwd: string; readonly user?: string };
}

/**
 * google.rpc.Status{details=3: Any{type_url=1, value=2}} holding
 * errdefs.Source, errdefs.Vertex and gatewayapi.ExitMessage, each either as
 * protobuf or, with a `+json` suffix on the type URL, as JSON (Docker 26:
 * `{"info":{"filename","data":base64},"ranges":[{"start":{"line"},"end":{"line"}}]}`,
 * `{"digest"}`, `{"Code"}`).
 */
export function decodeDetails(bytes: Uint8Array): ErrorDetails {
  const out: ErrorDetails = {};
  for (const [n, any] of fields(bytes)) {
    if (n !== 3 || typeof any === 'number') continue;
    const parts = new Map(fields(any));
    const url = text(parts.get(1));
    const value = parts.get(2);
    if (!(value instanceof Uint8Array)) continue;
    const json = url.endsWith('+json') ? parseJson(value) : undefined;
    const type = url.replace(/\+json$/, '');
    if (type.endsWith('errdefs.Solve')) out.solved = true;
    if (type.endsWith('errdefs.Solve') && json) {
      const step = failedStepFromJson(json);
      if (step) out.failedStep = step;
    } else if (type.endsWith('errdefs.Vertex')) out.vertex = json ? jsonString(json['digest']) : text(field(value, 1));
    else if (type.endsWith('gatewayapi.ExitMessage')) out.exitCode = json ? Number(json['Code'] ?? 0) : Number(field(value, 1) ?? 0);
    else if (type.endsWith('errdefs.Source') && !out.source) {
      const source = json ? sourceFromJson(json) : sourceFromProto(value);
      if (source) out.source = source;
    }
  }
  return out;
}

type JsonObject = Record<string, unknown>;
/** A string field of BuildKit's JSON (digests, file names, base64 bytes); '' when absent. */
const jsonString = (v: unknown): string => (typeof v === 'string' ? v : '');

function parseJson(bytes: Uint8Array): JsonObject | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

/** An exec step's errdefs.Solve (`{"inputIDs","mountIDs","op":{"exec":{"meta","mounts"}}}`); undefined for other ops (a failed COPY has no process to debug). */
function failedStepFromJson(json: JsonObject): FailedStep | undefined {
  const exec = (json['op'] as JsonObject | undefined)?.['exec'] as JsonObject | undefined;
  const meta = exec?.['meta'] as JsonObject | undefined;
  if (!exec || !meta) return undefined;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const mounts = (Array.isArray(exec['mounts']) ? (exec['mounts'] as JsonObject[]) : []).map((m) => ({
    dest: jsonString(m['dest']),
    // Go leaves a zero input out; -1 (no input) is a scratch mount.
    input: typeof m['input'] === 'number' ? m['input'] : 0,
    ...(typeof m['selector'] === 'string' ? { selector: m['selector'] } : {}),
    ...(m['readonly'] === true ? { readonly: true } : {}),
  }));
  const user = jsonString(meta['user']);
  return {
    inputIDs: strings(json['inputIDs']),
    mountIDs: strings(json['mountIDs']),
    mounts,
    meta: { args: strings(meta['args']), env: strings(meta['env']), cwd: jsonString(meta['cwd']) || '/', ...(user ? { user } : {}) },
  };
}

/** A Source's file and failing line ranges, whichever encoding they came in. */
interface SourceRanges {
  readonly filename: string;
  readonly data: string;
  readonly ranges: readonly (readonly [number, number])[];
}

/** errdefs.Source{info=1: SourceInfo{filename=1, data=2}, ranges=2: Range{start=1, end=2: Position{line=1}}}. */
function sourceFromProto(bytes: Uint8Array): FailureSource | undefined {
  const info = field(bytes, 1);
  if (!(info instanceof Uint8Array)) return undefined;
  const line = (pos: unknown): number => (pos instanceof Uint8Array ? Number(field(pos, 1) ?? 0) : 0);
  const ranges = fields(bytes)
    .filter((f): f is [number, Uint8Array] => f[0] === 2 && typeof f[1] !== 'number')
    .map(([, range]) => [line(field(range, 1)), line(field(range, 2))] as const);
  return sourceAround({ filename: text(field(info, 1)), data: text(field(info, 2)), ranges });
}

/** The JSON form of the same message: bytes as base64, as Go's encoding/json writes them. */
function sourceFromJson(json: JsonObject): FailureSource | undefined {
  const info = json['info'] as JsonObject | undefined;
  if (!info) return undefined;
  const line = (pos: unknown): number => Number((pos as JsonObject | undefined)?.['line'] ?? 0);
  const ranges = (Array.isArray(json['ranges']) ? (json['ranges'] as JsonObject[]) : []).map((r) => [line(r['start']), line(r['end'])] as const);
  return sourceAround({ filename: jsonString(info['filename']), data: Buffer.from(jsonString(info['data']), 'base64').toString('utf8'), ranges });
}

/** The lines around the failing ranges. */
function sourceAround(source: SourceRanges): FailureSource {
  const failing = new Set<number>();
  for (const [start, end] of source.ranges) for (let l = start; l <= Math.max(start, end); l++) if (l > 0) failing.add(l);
  if (!failing.size) return { filename: source.filename, lines: [] };
  return around(source.filename, source.data.split('\n'), Math.min(...failing), Math.max(...failing));
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
