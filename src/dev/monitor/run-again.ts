/** What the monitor tells a user whose process exited, wherever that is said (the terminal it ran in, an attach refused). */

/** How to bring an exited process back, by its kind (process/process.ts ProcessKind): a service's starts again, a build shell is rolled back to, an exec'd one is run anew. */
export function runAgainHint(p: { readonly kind: string; readonly service: string }): string {
  if (p.kind === 'service' || p.kind === 'host') return `start ${p.service} runs it again`;
  if (p.kind === 'build') return 'rollback opens a fresh shell on the held build';
  return `exec ${p.service} CMD runs a new process there`;
}
