/** Errors of a dev session's services in the engine. */
import { UserError } from '../../core/errors.js';

/** A service could not be set up or did not come up: one sentence and the fix. */
export class DevRuntimeError extends UserError {
  constructor(message: string, fix: string) {
    super('run', message, fix);
    this.name = 'DevRuntimeError';
  }
}
