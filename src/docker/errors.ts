/** Engine errors users can act on: a sentence and the fix. */
import { UserError } from '../core/errors.js';

/** A problem with the engine or its setup that the user can fix. */
export class EngineError extends UserError {
  constructor(message: string, fix: string) {
    super('engine', message, fix);
    this.name = 'EngineError';
  }
}

/**
 * DOCKER_HOST or the docker context names no engine bake can dial: the
 * user's setting is wrong, not the engine, so it is a usage error (exit 2)
 * whichever command reads it.
 */
export class EngineAddressError extends UserError {
  constructor(message: string, fix: string) {
    super('usage', message, fix);
    this.name = 'EngineAddressError';
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

/** The engine refused because something of that name exists (a container name in use). */
export function isConflict(e: unknown): boolean {
  return e instanceof EngineApiError && e.status === 409;
}
