/** How the monitor refuses a line; its own file so the parser and the commands' argument checks share it without importing each other. */
import { UserError } from '../../core/errors.js';

/** A monitor line bake cannot act on (not a command, or naming what is not there): one sentence that says what to do. */
export class MonitorUsageError extends UserError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'MonitorUsageError';
  }
}
