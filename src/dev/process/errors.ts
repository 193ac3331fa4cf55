/** Errors of a dev session's processes. */
import { UserError } from '../../core/errors.js';

/** A process could not be started or ended: one sentence and the fix. */
export class DevProcessError extends UserError {
  constructor(message: string, fix: string) {
    super('run', message, fix);
    this.name = 'DevProcessError';
  }
}
