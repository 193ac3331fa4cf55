/**
 * What a failed call to the server (a gRPC call, a call on the calls socket,
 * or a terminal's attach) means to the user. grpc-js's status codes come from
 * its constants alone: the calls socket's clients load no more of it.
 */
import type { ServiceError } from '@grpc/grpc-js';
import { Status as status } from '@grpc/grpc-js/build/src/constants.js';
import { UserError, type ErrorKind } from '../../core/errors.js';
import { receivedDetail, receivedError, type ReceivedError } from '../protocol/error-detail.js';
import type { AttachFailure } from '../protocol/generated/messages.js';

/**
 * A failure the server reported: its sentence, fix and kind as its error
 * detail says (error-detail.ts). A request it refuses (no detail) is a
 * session's failure, of kind `run`: usage and bake-file mistakes are found
 * here before any call. A server that does not answer is of kind `engine`.
 */
export class ServerError extends UserError {
  constructor(
    message: string,
    fix: string | undefined,
    readonly code: number,
    kind: ErrorKind = 'run',
  ) {
    super(kind, message, fix);
    this.name = 'ServerError';
  }
}

/** A failed gRPC call. */
export function serverError(e: ServiceError): ServerError {
  return statusError(e.code, e.details || e.message, receivedError(e.metadata));
}

/** A terminal's attach, or a call on the calls socket, that the server ended with a failure. */
export function failureError(f: AttachFailure): ServerError {
  return statusError(f.code, f.details, f.detail && receivedDetail(f.detail));
}

/** A terminal's connection that broke, or never opened: the server is gone. */
export const serverGoneError = (): ServerError => statusError(status.UNAVAILABLE, '', undefined);

/** The server is gone: a new one can take the session over. */
export const isServerGone = (e: ServerError): boolean => e.code === UNAVAILABLE;

const UNAVAILABLE: number = status.UNAVAILABLE;
const DEADLINE_EXCEEDED: number = status.DEADLINE_EXCEEDED;

function statusError(code: number, details: string, received: ReceivedError | undefined): ServerError {
  if (code === UNAVAILABLE)
    return new ServerError(
      'the bake server went away',
      'Run bake dev attach: it starts a new server, which finds the session again in the engine.',
      code,
      'engine',
    );
  if (code === DEADLINE_EXCEEDED)
    return new ServerError(
      'the bake server did not answer in time',
      'bake server status says where its log is; the log says what it was waiting for (often an engine that does not answer).',
      code,
      'engine',
    );
  return received ? new ServerError(received.message, received.fix, code, received.kind) : new ServerError(details, undefined, code);
}
