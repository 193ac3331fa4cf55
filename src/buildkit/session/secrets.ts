/** moby.buildkit.secrets.v1.Secrets: `RUN --mount=type=secret` values, read when asked. */
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { errorMessage, statusError } from './call-io.js';
import { readSecret } from './secret-source.js';
import type { SecretSpec } from './spec.js';

interface GetSecretRequest {
  ID: string;
}

export function secretsService(secrets: ReadonlyMap<string, SecretSpec>, env: (name: string) => string | undefined) {
  return {
    GetSecret(call: ServerUnaryCall<GetSecretRequest, unknown>, callback: sendUnaryData<{ data: Buffer }>): void {
      const id = call.request.ID;
      readSecret(id, secrets.get(id), env).then(
        (data) => callback(null, { data }),
        (e: unknown) => callback(statusError(status.NOT_FOUND, errorMessage(e))),
      );
    },
  };
}
