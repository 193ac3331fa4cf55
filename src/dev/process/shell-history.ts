/**
 * A shell's history across the containers that replace its own (issue 13
 * point 5): a debug shell's rollback and reload, a dev service's rebuild.
 * bash appends each command to HISTFILE through PROMPT_COMMAND (a BusyBox
 * ash built with history saving does so itself); the server reads the
 * file from the container being replaced and puts it into the new one.
 * An image or service that sets either variable keeps its own.
 */

export const HISTORY_FILE = '/tmp/.bake_history';

/** The most history carried into a new shell: the tail of the file, in whole lines. */
const HISTORY_BYTES = 64 * 1024;

/** `env` (`K=V` entries) with the history variables bake relies on, unless it has its own. */
export function withHistory(env: readonly string[]): string[] {
  const has = (name: string): boolean => env.some((e) => e.startsWith(`${name}=`));
  return [...env, ...(has('HISTFILE') ? [] : [`HISTFILE=${HISTORY_FILE}`]), ...(has('PROMPT_COMMAND') ? [] : ['PROMPT_COMMAND=history -a'])];
}

/** The history file a shell with `env` uses: its HISTFILE, else bake's. */
export function historyFile(env: readonly string[]): string {
  return env.find((e) => e.startsWith('HISTFILE='))?.slice('HISTFILE='.length) ?? HISTORY_FILE;
}

/** The last HISTORY_BYTES of a history, cut at a line start. */
export function historyTail(history: Buffer): string {
  if (history.length <= HISTORY_BYTES) return history.toString('utf8');
  const tail = history.subarray(history.length - HISTORY_BYTES).toString('utf8');
  return tail.slice(tail.indexOf('\n') + 1);
}
