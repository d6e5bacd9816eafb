/** Where a command writes and what it reads from the environment (injectable for tests). */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Ends long-running commands (`tail`) early. */
  signal?: AbortSignal;
}

/** A wrong invocation: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
