/**
 * moby.filesync.v1.Auth/Credentials, answered from the Docker config
 * (credentials.ts). FetchToken and the token-authority methods stay
 * UNIMPLEMENTED.
 */
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { errorMessage, statusError } from './call-io.js';
import { credentials, type Credentials } from './credentials.js';

export function authService(configDir: string) {
  return {
    Credentials(call: ServerUnaryCall<{ Host: string }, unknown>, callback: sendUnaryData<Credentials>): void {
      credentials(configDir, call.request.Host).then(
        (c) => callback(null, c),
        (e: unknown) => callback(statusError(status.UNKNOWN, errorMessage(e))),
      );
    },
  };
}
