/**
 * One unary gRPC call of a proto-loader client (Control, the gateway) as a
 * promise: its method by name, the call's metadata, and cancelled when
 * `signal` aborts.
 */
import * as grpc from '@grpc/grpc-js';

type Unary = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, res: unknown) => void) => grpc.ClientUnaryCall;

/** A proto-loader client: its unary methods by name. */
export type UnaryClient = grpc.Client & Record<string, Unary>;

export function unaryCall<T>(client: UnaryClient, method: string, req: unknown, metadata: grpc.Metadata, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const cancel = (): void => call?.cancel();
    const call = client[method]?.call(client, req, metadata, {}, (e, res) => {
      signal.removeEventListener('abort', cancel);
      if (e) reject(e);
      else resolve(res as T);
    });
    signal.addEventListener('abort', cancel, { once: true });
  });
}
