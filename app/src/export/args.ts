import { parseArgs } from "node:util";
import { addDays, isCalendarDay } from "../domain/calendar";
import { EXPORT_ENCODINGS, type ExportEncoding } from "./csv";

export const USAGE = `Usage: node dist/export.js [--day YYYY-MM-DD] [--encoding utf8|shift_jis]

Exports one day's grumbles with their sentiment to exports/<day>.csv in BOYACKY_EXPORT_BUCKET
(or below BOYACKY_EXPORT_DIR for a local run); an existing export of that day is replaced.

  --day       the day to export (default: yesterday in BOYACKY_TIME_ZONE)
  --encoding  utf8 (default: UTF-8 with a BOM, which Excel reads) or shift_jis
  --help      this text

Exit codes: 0 exported, 2 bad arguments or settings, 1 a step failed (the log says which).`;

/** A bad command line: the message says what was wrong and what is allowed. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export type ExportArgs = { help: true } | { help: false; day?: string; encoding: ExportEncoding };

/** Reads the command line (the day is checked by `exportDay`, which needs the time zone). */
export function parseExportArgs(argv: readonly string[]): ExportArgs {
  let values: { day?: string; encoding?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { day: { type: "string" }, encoding: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { help: true };
  const encoding = values.encoding ?? "utf8";
  if (!(EXPORT_ENCODINGS as readonly string[]).includes(encoding)) {
    throw new UsageError(`--encoding ${encoding} is not supported: use utf8 (the default, with a BOM) or shift_jis`);
  }
  return { help: false, day: values.day, encoding: encoding as ExportEncoding };
}

/** The day to export: `--day`, or by default the day before `today` (in the app's time zone). */
export function exportDay(day: string | undefined, today: string): string {
  if (day === undefined) return addDays(today, -1);
  if (!isCalendarDay(day)) throw new UsageError(`--day ${day} is not a day: use YYYY-MM-DD, e.g. ${today}`);
  if (day > today) throw new UsageError(`--day ${day} is after today (${today}): nothing can have been posted yet`);
  return day;
}
