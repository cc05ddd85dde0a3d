/**
 * The sentiment port: the job asks for a score per text and does not know which service gives
 * it. `comprehendSentiment.ts` is the adapter for Amazon Comprehend.
 */

export type SentimentLabel = "POSITIVE" | "NEGATIVE" | "NEUTRAL" | "MIXED";

/** The prevailing sentiment of a text and the confidence in each, from 0 to 1. */
export interface SentimentScore {
  sentiment: SentimentLabel;
  positive: number;
  negative: number;
  neutral: number;
  mixed: number;
}

/** One text's outcome: its score, or why it has none (the service's code and message). */
export type SentimentOutcome = { score: SentimentScore } | { error: { code: string; message: string } };

export interface SentimentAnalyzer {
  /** What the job logs as the source of the scores, e.g. `Amazon Comprehend (ap-northeast-1)`. */
  readonly name: string;
  /**
   * One outcome per text, in the same order. A text the service could not score is an outcome
   * with an error; the promise rejects only when the service itself fails (after its retries).
   */
  analyze(texts: readonly string[]): Promise<SentimentOutcome[]>;
}
