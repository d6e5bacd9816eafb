/** Where a command writes and what it reads from the environment (injectable for tests). */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Resolves when stdout can take more (a pipe read slower than an export writes): a long output waits
   * on it between chunks instead of buffering everything in memory. Absent: never waits.
   */
  drain?: () => Promise<void>;
  /** Ends long-running commands (`tail`) early. */
  signal?: AbortSignal;
}

/** A wrong invocation: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A message with the credentials of any URL in it blanked out: a mistyped `--store` is echoed back by
 * argument parsing, and its password must not land in a terminal's scrollback or a CI log.
 */
export function withoutCredentials(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s'"]*@/gi, '$1…@')
    .replace(/([?&](?:password|pass|pwd|token|secret|key)=)[^&\s'"]*/gi, '$1…');
}
