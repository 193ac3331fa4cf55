/**
 * The one error root. Every error a user can act on is a UserError of a
 * kind, and the kind alone decides the exit code, through the one table
 * below (architecture.md, habit 3): the same mistake exits alike from every
 * command. How an error reads is error-text.ts's.
 */

/**
 * How a command ended → its exit code. A command resolves with `ok` or with
 * the kind of a failure it has already reported (a failed build printed
 * BuildKit's errors); main() maps a thrown UserError by its kind, anything
 * else is bake's own bug.
 */
const EXIT_CODES = {
  ok: 0,
  /** The command line or the environment it reads is wrong: a flag, --set, DOCKER_HOST, BAKE_PREFIX_KEY. */
  usage: 2,
  /** A bake file is wrong; its diagnostics point at the source. */
  'bake-file': 2,
  /** The engine, the builder, a registry or the bake server did not answer or refused. */
  engine: 1,
  /** A build ran and failed. */
  build: 1,
  /** A dev session, one of its services or processes failed, or there is none to act on. */
  run: 1,
  /** Not a user error: bake's own bug. */
  bug: 1,
  /** Ctrl-C: 128 + SIGINT, as shells report it. */
  interrupted: 130,
} as const;

export type Outcome = keyof typeof EXIT_CODES;
export type ErrorKind = Exclude<Outcome, 'ok' | 'bug'>;

export function exitCodeOf(outcome: Outcome): number {
  return EXIT_CODES[outcome];
}

/**
 * An error a user can act on: one sentence, the fix, and the kind that
 * gives its exit code. A bake file's errors add where they are
 * (BakeFileError's diagnostics, with their ranges).
 */
export class UserError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** One sentence saying what to do. */
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A mistake on the command line (or in a BAKE_* variable): exit 2, nothing ran. */
export function usageError(message: string, fix: string): UserError {
  return new UserError('usage', message, fix);
}

/** Node's "ENOENT: no such file or directory, open '/x'" → "no such file or directory", for sentences that say the path already. */
export function systemErrorReason(e: unknown): string {
  const message = (e as Error).message;
  return /^[A-Z]+: ([^,]+)/.exec(message)?.[1] ?? message;
}
