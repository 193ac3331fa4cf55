/**
 * Builder addresses as the user writes them (--builder, BUILDKIT_HOST),
 * checked, and the errors of a builder that is wrong or does not answer:
 * no gRPC here, so a run learns its engine (and reports a wrong address)
 * before it needs a connection, and one whose targets are all up to date
 * never loads the BuildKit client (dial.ts).
 */
import { UserError } from '../core/errors.js';
import { resolveEngineEndpoint, type EngineEndpoint } from '../docker/endpoint.js';

/** A builder address, checked: the Docker engine, or a standalone BuildKit by unix socket or TCP. */
export type BuilderAddress =
  | { readonly kind: 'docker'; readonly address: string; readonly engine: EngineEndpoint }
  | { readonly kind: 'unix' | 'tcp'; readonly address: string; readonly url: URL };

/** Throws BuilderAddressError for an address bake cannot dial. */
export function builderAddress(builder: string | undefined, env: Readonly<Record<string, string | undefined>>): BuilderAddress {
  const engine = engineBuilder(builder, env);
  if (engine) return { kind: 'docker', address: engine.address, engine };
  const address = (builder || env['BUILDKIT_HOST']) as string;
  const url = parseAddress(address);
  if (url.protocol === 'unix:' || url.protocol === 'tcp:') return { kind: url.protocol === 'unix:' ? 'unix' : 'tcp', address, url };
  throw new BuilderAddressError(`unsupported builder address ${address}: use docker, unix:///path/to/buildkitd.sock or tcp://host:port.`);
}

/**
 * The engine did not answer: one sentence naming the address and the fix.
 * `detail` is grpc-js's account of the failed connection; a TLS handshake
 * that failed means the builder was reached, so the fix is the certificates.
 */
export class EngineUnreachableError extends UserError {
  constructor(
    readonly address: string,
    detail = '',
  ) {
    const tls = tlsFailure(detail);
    super(
      'engine',
      tls
        ? `the TLS handshake with the builder at ${address} failed (${tls}): check that cacert signed the builder's certificate and that cert and key are a client certificate it trusts.`
        : `cannot reach the build engine at ${address}: start one with \`bake engine start\`, or point --builder or DOCKER_HOST at a running engine.`,
    );
    this.name = 'EngineUnreachableError';
  }
}

/**
 * The TLS reason in grpc-js's "No connection established. Last error: …"
 * detail: Node's verify errors name the certificate; OpenSSL's alerts read
 * `…:SSL routines:FUNCTION:REASON:FILE:…`, of which the reason is what to say.
 */
function tlsFailure(detail: string): string | undefined {
  const last = /Last error: (?:Error: )?([^\n]*?)(?:\. Resolution note|\n|$)/.exec(detail)?.[1];
  if (!last) return undefined;
  const openssl = /:SSL routines:[^:]*:([^:]+):/.exec(last);
  if (openssl) return openssl[1];
  return /certificate|altnames/i.test(last) ? last : undefined;
}

/**
 * The Docker engine a builder address names (`docker`, `default`, or none
 * given and no BUILDKIT_HOST): the same engine every other bake command
 * uses, DOCKER_HOST, else the embedded engine, else the system socket.
 * Undefined for a standalone BuildKit.
 */
export function engineBuilder(builder: string | undefined, env: Readonly<Record<string, string | undefined>>): EngineEndpoint | undefined {
  const address = builder || env['BUILDKIT_HOST'] || 'docker';
  return address === 'docker' || address === 'default' ? resolveEngineEndpoint(env).endpoint : undefined;
}

/** A builder address the user wrote wrongly (--builder, BUILDKIT_HOST): a usage error; the message says what to write. */
export class BuilderAddressError extends UserError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'BuilderAddressError';
  }
}

function parseAddress(address: string): URL {
  try {
    return new URL(address);
  } catch {
    throw new BuilderAddressError(`invalid builder address ${address}: use docker, unix:///path/to/buildkitd.sock or tcp://host:port.`);
  }
}
