/** Engine errors users can act on: a sentence and the fix. */
import { UserError } from '../core/errors.js';

/** A problem with the engine or its setup that the user can fix. */
export class EngineError extends UserError {
  constructor(message: string, fix: string) {
    super('engine', message, fix);
    this.name = 'EngineError';
  }
}

/** The Engine API answered with an HTTP error; `message` is the daemon's own. */
export class EngineApiError extends UserError {
  constructor(
    readonly status: number,
    message: string,
    readonly method: string,
    readonly path: string,
  ) {
    super('engine', message);
    this.name = 'EngineApiError';
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof EngineApiError && e.status === 404;
}
