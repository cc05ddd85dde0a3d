/**
 * The daily export ("osenchi" in the hands-on): one day's grumbles, read from the store, scored
 * for sentiment, written as CSV and stored at `exports/<day>.csv`. Each step that fails says which
 * it was and what to check (`ExportStepError`); the entry point (`../export.ts`) turns that into
 * exit code 1.
 */
import type { Logger } from "pino";
import { calendarDay, clockTime } from "../domain/calendar";
import type { Grumble, GrumbleStore } from "../store/grumbleStore";
import { exportKey } from "./actions";
import { writeCsv, type ExportEncoding, type ExportRow } from "./csv";
import type { ExportDestination } from "./destinations";
import type { SentimentAnalyzer, SentimentOutcome } from "./sentiment";

export type ExportStep = "read" | "sentiment" | "write" | "upload";

/** A step failed: which, why, and what the operator can do about it. */
export class ExportStepError extends Error {
  constructor(
    readonly step: ExportStep,
    readonly hint: string,
    cause: unknown,
  ) {
    super(`${step} failed: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`, { cause });
    this.name = "ExportStepError";
  }
}

export interface ExportJob {
  store: Pick<GrumbleStore, "readDay">;
  /** The scores' source, or why there is none (a local run without Comprehend): columns left empty. */
  sentiment: SentimentAnalyzer | { skipped: string };
  destination: ExportDestination;
  encoding: ExportEncoding;
  /** The zone of the Date column, the app's BOYACKY_TIME_ZONE. */
  timeZone: string;
  log: Logger;
}

export interface ExportSummary {
  location: string;
  /** Grumbles read, and of them scored and not scored (all unscored when sentiment is skipped). */
  read: number;
  scored: number;
  unscored: number;
  /** Rows written after the header, the file's size, and the characters Shift_JIS could not hold. */
  written: number;
  bytes: number;
  replacedCharacters: number;
}

async function step<T>(name: ExportStep, hint: string, run: () => Promise<T> | T): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new ExportStepError(name, hint, error);
  }
}

async function score(job: ExportJob, grumbles: Grumble[]): Promise<(SentimentOutcome | undefined)[]> {
  const { sentiment, log } = job;
  if ("skipped" in sentiment) {
    log.warn(
      { reason: sentiment.skipped },
      "sentiment skipped: the Sentiment, Positive, Negative, Neutral and Mixed columns are left empty",
    );
    return grumbles.map(() => undefined);
  }
  if (grumbles.length === 0) return [];
  return step(
    "sentiment",
    "check that the task role may comprehend:BatchDetectSentiment and that Comprehend is offered in AWS_REGION; when it was throttled, run the job again later (the export is replaced, not duplicated)",
    () => sentiment.analyze(grumbles.map((grumble) => grumble.text)),
  );
}

/**
 * Exports `day`. An empty day still writes a file, with the header only: its presence says that
 * the job ran and found nothing, and it replaces an export made before the day's grumbles were
 * purified.
 */
export async function runExport(job: ExportJob, day: string): Promise<ExportSummary> {
  const { log } = job;
  const grumbles = await step(
    "read",
    "check that BOYACKY_TABLE names the table in AWS_REGION and that the task role may dynamodb:Query it, then run the job again",
    () => job.store.readDay(day),
  );
  log.info({ read: grumbles.length }, "read the day's grumbles");

  const outcomes = await score(job, grumbles);
  const unscored = grumbles.flatMap((grumble, index) => {
    const outcome = outcomes[index];
    return outcome && "error" in outcome ? [{ id: grumble.id, ...outcome.error }] : [];
  });
  const scored = outcomes.filter((outcome) => outcome && "score" in outcome).length;
  if (!("skipped" in job.sentiment)) {
    log.info({ scored, unscored: unscored.length, by: job.sentiment.name }, "scored the grumbles' sentiment");
    if (unscored.length > 0) log.warn({ unscored }, "Comprehend could not score some grumbles: their sentiment columns are empty");
  }

  const rows: ExportRow[] = grumbles.map((grumble, index) => {
    const postedAt = new Date(grumble.postedAt);
    const outcome = outcomes[index];
    return {
      id: grumble.id,
      date: `${calendarDay(postedAt, job.timeZone)} ${clockTime(postedAt, job.timeZone)}`,
      text: grumble.text,
      score: outcome && "score" in outcome ? outcome.score : undefined,
    };
  });
  const file = await step("write", "this is a bug in the export: report it with this log line", () => writeCsv(rows, job.encoding));
  log.info({ written: rows.length, bytes: file.body.length, encoding: job.encoding }, "wrote the CSV");
  if (file.replaced.characters > 0) {
    log.warn(
      { replacedCharacters: file.replaced.characters, rows: file.replaced.rowIds },
      "Shift_JIS cannot hold some characters (emoji, rare kanji...): each was replaced by ?; use the default utf8 to keep them",
    );
  }

  const key = exportKey(day);
  const location = job.destination.locate(key);
  await step("upload", job.destination.failureHint, () => job.destination.put({ key, body: file.body, contentType: file.contentType }));
  return {
    location,
    read: grumbles.length,
    scored,
    unscored: grumbles.length - scored,
    written: rows.length,
    bytes: file.body.length,
    replacedCharacters: file.replaced.characters,
  };
}
