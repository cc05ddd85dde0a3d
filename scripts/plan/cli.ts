/** What `npm run plan` and `npm run docs:costs` share as command-line programs. */
import { OfflineStackError } from "../offlineStack";
import { PlanError } from "./errors";

/** One line, whatever the error (config errors list their problems on several lines). */
export function oneLine(message: string): string {
  return message
    .replace(/:\s*\n\s*-\s*/g, ": ")
    .replace(/\s*\n\s*-\s*/g, "; ")
    .replace(/\s*\n\s*/g, " ")
    .trim();
}

/** Errors the user can fix (arguments, stack, config, region, README markers). */
export function isUserError(error: unknown): error is Error {
  return error instanceof PlanError || error instanceof OfflineStackError;
}

/**
 * Runs `main` and sets the exit code: its result; 2 with one line on stderr for a user error;
 * 1 for anything else (the stack trace only with PLAN_DEBUG=1).
 */
export function runCli(name: string, main: () => Promise<number>): void {
  // A program that throws while Pulumi runs it also leaves rejected promises inside the runtime;
  // runOfflineStack has already turned that error into an OfflineStackError, so drop the echoes.
  process.on("unhandledRejection", (reason) => {
    if ((reason as { __pulumiRunError?: boolean } | undefined)?.__pulumiRunError) return;
    process.stderr.write(`${name}: unexpected error: ${oneLine(reason instanceof Error ? reason.message : String(reason))}\n`);
    process.exitCode = 1;
  });
  main().then(
    (code) => {
      process.exitCode ??= code;
    },
    (error: unknown) => {
      if (isUserError(error)) {
        process.stderr.write(`${name}: ${oneLine(error.message)}\n`);
        process.exitCode = 2;
      } else {
        const message = oneLine(error instanceof Error ? error.message : String(error));
        process.stderr.write(
          `${name}: unexpected error: ${message}${process.env.PLAN_DEBUG ? `\n${(error as Error)?.stack}` : " (PLAN_DEBUG=1 shows the stack trace)"}\n`,
        );
        process.exitCode = 1;
      }
    },
  );
}
