/**
 * Compose files as `docker buildx bake` reads them. The reader lives in
 * ./compose/, a module a step (see ./compose/index.ts); this entry keeps the
 * path read.ts loads on demand and re-exports the public API.
 */
export { isComposeFile, readCompose, type ComposeConfig, type ComposeEnvironment, type ComposeSource } from './compose/index.js';
