/**
 * A user error across the wire: the server puts its sentence, fix and kind
 * into an ErrorDetail message, in the failed call's trailer (or a terminal's
 * AttachFailure); the client reads them back into a UserError of the same
 * kind, which error-text.ts renders as any other. Only types of grpc-js
 * here: the clients of the calls socket read these without loading it.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { ErrorKind as UserErrorKind } from '../../core/errors.js';
import { ErrorDetail, ErrorKind } from './generated/messages.js';

/** The trailer that carries the ErrorDetail (a `-bin` key: grpc-js sends its value as bytes). */
const ERROR_DETAIL_KEY = 'bake-error-bin';

const WIRE_KINDS: Readonly<Record<UserErrorKind, ErrorKind>> = {
  usage: ErrorKind.ERROR_KIND_USAGE,
  'bake-file': ErrorKind.ERROR_KIND_BAKE_FILE,
  engine: ErrorKind.ERROR_KIND_ENGINE,
  build: ErrorKind.ERROR_KIND_BUILD,
  run: ErrorKind.ERROR_KIND_RUN,
  interrupted: ErrorKind.ERROR_KIND_INTERRUPTED,
};

/** What the client makes of a detail. */
export interface ReceivedError {
  readonly message: string;
  readonly fix: string | undefined;
  readonly kind: UserErrorKind;
}

/** A user error as the message that carries it (in a failed call's trailer, or in a terminal's AttachFailure). */
export function errorDetail(error: { readonly message: string; readonly fix?: string | undefined; readonly kind: UserErrorKind }): ErrorDetail {
  return { message: error.message, fix: error.fix ?? '', kind: WIRE_KINDS[error.kind] };
}

/** The trailer entry of a call that failed with a user error, for the call's Metadata (made by the server, which loads grpc-js). */
export function errorTrailerEntry(detail: ErrorDetail): [key: string, value: Buffer] {
  return [ERROR_DETAIL_KEY, Buffer.from(ErrorDetail.encode(detail).finish())];
}

/** The user error a failed call's trailer carries; undefined when it has none (a refused request, a transport failure, a bug). */
export function receivedError(trailer: Metadata | undefined): ReceivedError | undefined {
  const [value] = trailer?.get(ERROR_DETAIL_KEY) ?? [];
  return value instanceof Buffer ? receivedDetail(ErrorDetail.decode(value)) : undefined;
}

export function receivedDetail(detail: ErrorDetail): ReceivedError {
  // A kind this build does not know (a newer server's) is a session's failure, as before kinds crossed the wire.
  const kind = (Object.keys(WIRE_KINDS) as UserErrorKind[]).find((k) => WIRE_KINDS[k] === detail.kind) ?? 'run';
  return { message: detail.message, fix: detail.fix || undefined, kind };
}
