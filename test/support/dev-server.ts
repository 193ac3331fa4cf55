/**
 * A private bake server for a test file: its own runtime and state dirs under
 * the test's scratch dir, the test engine, and a grace period long enough
 * that it never idles out mid-test. Nothing of the test's own environment leaks in.
 */
import { join } from 'node:path';

export function privateServerEnv(engineAddress: string, scratch: string): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/root',
    DOCKER_HOST: engineAddress,
    XDG_RUNTIME_DIR: join(scratch, 'run'),
    XDG_STATE_HOME: join(scratch, 'state'),
    BAKE_SERVER_GRACE_SECONDS: '600',
  };
}
