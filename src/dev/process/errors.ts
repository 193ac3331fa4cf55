/** Errors of a dev session's processes. */
import { UserError } from '../../core/errors.js';

/** A process could not be started or ended: one sentence and the fix. */
export class DevProcessError extends UserError {
  override name = 'DevProcessError';
}
