/**
 * A user error across the wire: the server puts its sentence, fix and kind
 * into the failed call's trailer as an ErrorDetail message; the client reads
 * them back into a UserError of the same kind, which error-text.ts renders
 * as any other.
 */
import { Metadata } from '@grpc/grpc-js';
import type { ErrorKind as UserErrorKind } from '../../core/errors.js';
import { ErrorDetail, ErrorKind } from './generated/dev.js';

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

/** The trailer of a call that failed with a user error. */
export function errorTrailer(error: { readonly message: string; readonly fix?: string | undefined; readonly kind: UserErrorKind }): Metadata {
  const trailer = new Metadata();
  trailer.set(ERROR_DETAIL_KEY, Buffer.from(ErrorDetail.encode({ message: error.message, fix: error.fix ?? '', kind: WIRE_KINDS[error.kind] }).finish()));
  return trailer;
}

/** The user error a failed call's trailer carries; undefined when it has none (a refused request, a transport failure, a bug). */
export function receivedError(trailer: Metadata | undefined): ReceivedError | undefined {
  const [value] = trailer?.get(ERROR_DETAIL_KEY) ?? [];
  if (!(value instanceof Buffer)) return undefined;
  const detail = ErrorDetail.decode(value);
  // A kind this build does not know (a newer server's) is a session's failure, as before kinds crossed the wire.
  const kind = (Object.keys(WIRE_KINDS) as UserErrorKind[]).find((k) => WIRE_KINDS[k] === detail.kind) ?? 'run';
  return { message: detail.message, fix: detail.fix || undefined, kind };
}
