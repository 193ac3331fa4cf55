/** The engine a client terminal uses: where its builds run and its new sessions are created. */
import { resolveEngineEndpoint, type ResolvedEndpoint } from '../docker/endpoint.js';
import type { CliEnvironment } from './definition.js';

/** The engine this terminal builds and runs on, and why (DOCKER_HOST, the docker context …): where a new session is created. */
export function clientEngine(cli: CliEnvironment): ResolvedEndpoint {
  return resolveEngineEndpoint(cli.env);
}
