/**
 * Errors a user can act on outside bake files (engine, builder, setup): one
 * sentence, the fix, and the exit code main() maps them to (1: the engine or
 * the build failed). Bake-file errors are BakeFileErrors (exit 2).
 */
export class UserError extends Error {
  constructor(
    message: string,
    /** One sentence saying what to do. */
    readonly fix: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
