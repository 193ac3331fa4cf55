/** grpc.health.v1.Health: the daemon checks every second and drops the session on the first failure (v0.8). */
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';

const SERVING = 1;

export function healthService() {
  return {
    Check(_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<{ status: number }>): void {
      callback(null, { status: SERVING });
    },
  };
}
