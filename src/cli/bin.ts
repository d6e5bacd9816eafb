import { withoutCredentials } from './cli-io.js';
import { main } from './main.js';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  drain: () =>
    process.stdout.writableNeedDrain
      ? new Promise((resolve) => process.stdout.once('drain', resolve))
      : Promise.resolve(),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Not a user mistake (those are answered in main): a bug, so the stack helps — without credentials.
    process.stderr.write(
      withoutCredentials(`tokenfence: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`),
    );
    process.exitCode = 1;
  },
);
