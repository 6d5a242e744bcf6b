// Small shared shape of the admin commands: argument parsing with --help on every command,
// exit codes 0 (done) / 1 (failed or refused) / 2 (usage), and text or --json output.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A failure the operator can act on: printed as one line, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = EXIT.failed,
  ) {
    super(message);
  }
}

export const usageError = (message: string, help: string) => new CliError(`${message}\n\n${help}`, EXIT.usage);

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with --help/-h and --json added; unknown options and bad values are usage errors. */
export function parseCommand<O extends Options>(args: string[], options: O, help: string) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { ...options, help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } },
    });
  } catch (err) {
    throw usageError((err as Error).message, help);
  }
}

/** Prints a result as JSON (--json) or as the text lines given. */
export function output(json: boolean, value: unknown, text: () => string) {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

/** Runs a CLI entry: maps errors to one stderr line (or usage text) and the exit code. */
export function runCli(main: (args: string[]) => Promise<void>, json: boolean) {
  main(process.argv.slice(2)).then(
    () => process.exit(EXIT.ok),
    (err: unknown) => {
      const code = err instanceof CliError ? err.exitCode : EXIT.failed;
      const message = err instanceof Error ? err.message : String(err);
      if (json) process.stderr.write(`${JSON.stringify({ error: message.split('\n')[0], exitCode: code })}\n`);
      else process.stderr.write(`${message}\n`);
      process.exit(code);
    },
  );
}
