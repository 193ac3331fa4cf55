/**
 * What a target's build answers, and how a build that ran fails: apart from
 * build.ts, so that a run whose targets are all up to date loads no gRPC.
 */
import { UserError } from '../core/errors.js';
import type { ErrorEvent } from '../core/progress.js';
import type { DirStats } from './session/spec.js';

export interface BuildResult {
  /** What the exporter answered (`containerimage.digest` = the image ID for `moby`). */
  readonly exporterResponse: Readonly<Record<string, string>>;
  /** What our session sent for the context and the Dockerfile dir (zero when the daemon's kept copy was current). */
  readonly sent: Readonly<Record<'context' | 'dockerfile', DirStats>>;
  /** The build read context paths its Dockerfile does not name (an ONBUILD of its base image), so it was given the whole context. */
  readonly readWholeContext?: true;
}

/** The build ran and failed; the event holds BuildKit's message and the Dockerfile lines, `sent` what the session sent before (progress prints it as for a success). */
export class BuildFailedError extends UserError {
  constructor(
    readonly event: ErrorEvent,
    readonly sent: BuildResult['sent'],
  ) {
    super('build', event.message);
    this.name = 'BuildFailedError';
  }
}
