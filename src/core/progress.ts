/**
 * One progress event model for everything bake does (architecture habit 5):
 * BuildKit's vertices, statuses, logs and warnings, and the error a build
 * ends with. Renderers (plain, rawjson, tty) draw these and nothing else.
 * Times are milliseconds since the epoch; plain data, no I/O.
 */

/** A step of a build (a BuildKit vertex), sent again whenever its state changes. */
export interface VertexEvent {
  readonly kind: 'vertex';
  readonly target: string;
  /** Stable id of the step (the vertex digest). */
  readonly id: string;
  readonly name: string;
  readonly cached: boolean;
  readonly started?: number;
  readonly completed?: number;
  readonly error?: string;
}

/** Progress inside a step: bytes transferred, layers exported… */
export interface StatusEvent {
  readonly kind: 'status';
  readonly target: string;
  readonly vertex: string;
  readonly id: string;
  readonly current: number;
  readonly total?: number;
  readonly started?: number;
  readonly completed?: number;
}

/** Output of a step (RUN's stdout/stderr). */
export interface LogEvent {
  readonly kind: 'log';
  readonly target: string;
  readonly vertex: string;
  readonly stream: 'stdout' | 'stderr';
  readonly time: number;
  readonly text: string;
}

export interface WarningEvent {
  readonly kind: 'warning';
  readonly target: string;
  readonly vertex: string;
  readonly message: string;
  readonly detail: readonly string[];
  readonly url?: string;
}

/** A line of the file a failure points at. */
export interface SourceLine {
  readonly line: number;
  readonly text: string;
  /** True for the lines of the failing instruction. */
  readonly failing: boolean;
}

/** Where in the Dockerfile a build failed. */
export interface FailureSource {
  readonly filename: string;
  readonly lines: readonly SourceLine[];
}

/** The build of a target failed. */
export interface ErrorEvent {
  readonly kind: 'error';
  readonly target: string;
  readonly message: string;
  /** The failing step, when BuildKit named one. */
  readonly vertex?: string;
  readonly source?: FailureSource;
}

export type ProgressEvent = VertexEvent | StatusEvent | LogEvent | WarningEvent | ErrorEvent;

export type ProgressSink = (event: ProgressEvent) => void;

/**
 * A Dockerfile step that does work: `[2/3] RUN …`, or `[app 2/3] COPY …` in
 * a named stage. FROM, loading and exporting run even when everything is
 * cached, so a build whose work steps were all cached counts as cached.
 */
export function isWorkStep(name: string): boolean {
  return /^\[(?:[^\] ]+ )?\d+\/\d+\] (?!FROM )/.test(name);
}
