import { setTimeout as delay } from "node:timers/promises";
import { BatchDetectSentimentCommand, type BatchDetectSentimentItemResult, type ComprehendClient } from "@aws-sdk/client-comprehend";
import type { SentimentAnalyzer, SentimentOutcome, SentimentScore } from "./sentiment";

/** Most texts BatchDetectSentiment takes in one call (more is BatchSizeLimitExceededException). */
export const COMPREHEND_BATCH_SIZE = 25;
/**
 * Each text must be fewer than 5,000 bytes of UTF-8 (the API reference: "5 KB"). A longer one
 * would fail its whole batch with TextSizeLimitExceededException, so it is reported, not sent.
 */
export const COMPREHEND_MAX_TEXT_BYTES = 5_000;
/** Sends of a text that Comprehend answered in ErrorList, before it is reported as unscored. */
export const COMPREHEND_ITEM_ATTEMPTS = 3;

export interface ComprehendSentimentOptions {
  /** Shown in the logs as the source of the scores. */
  name: string;
  /** Wait before resending the texts of ErrorList, doubled each round. Default 200 ms. */
  retryDelayMs?: number;
}

function toScore(result: BatchDetectSentimentItemResult): SentimentScore | undefined {
  const { Sentiment: sentiment, SentimentScore: score } = result;
  const values = [score?.Positive, score?.Negative, score?.Neutral, score?.Mixed];
  if (!sentiment || !values.every((value) => typeof value === "number")) return undefined;
  const [positive, negative, neutral, mixed] = values as number[];
  return { sentiment, positive, negative, neutral, mixed };
}

/**
 * Japanese sentiment from Amazon Comprehend's BatchDetectSentiment, 25 texts a call, one call at
 * a time (a daily job needs no more, and stays far below the account's request rate).
 *
 * - Throttling (ThrottlingException) and server errors of a whole call are retried by the SDK
 *   client with backoff (see `createComprehendClient`); when it gives up, `analyze` rejects.
 * - A text in the answer's ErrorList is sent again in a later call, up to
 *   `COMPREHEND_ITEM_ATTEMPTS` sends, then reported with Comprehend's ErrorCode and message.
 */
export class ComprehendSentiment implements SentimentAnalyzer {
  readonly name: string;
  private readonly retryDelayMs: number;

  constructor(
    private readonly client: ComprehendClient,
    options: ComprehendSentimentOptions,
  ) {
    this.name = options.name;
    this.retryDelayMs = options.retryDelayMs ?? 200;
  }

  async analyze(texts: readonly string[]): Promise<SentimentOutcome[]> {
    const outcomes: SentimentOutcome[] = new Array(texts.length);
    let pending: number[] = [];
    texts.forEach((text, index) => {
      if (text.length > 0 && Buffer.byteLength(text, "utf8") < COMPREHEND_MAX_TEXT_BYTES) pending.push(index);
      else
        outcomes[index] = {
          error: {
            code: "TEXT_SIZE_LIMIT_EXCEEDED",
            message: `Comprehend takes 1 to ${COMPREHEND_MAX_TEXT_BYTES - 1} bytes of UTF-8 a text; not sent`,
          },
        };
    });
    for (let attempt = 1; attempt <= COMPREHEND_ITEM_ATTEMPTS && pending.length > 0; attempt++) {
      if (attempt > 1) await delay(this.retryDelayMs * 2 ** (attempt - 2));
      const failed: number[] = [];
      for (let start = 0; start < pending.length; start += COMPREHEND_BATCH_SIZE) {
        failed.push(...(await this.sendBatch(texts, pending.slice(start, start + COMPREHEND_BATCH_SIZE), outcomes)));
      }
      pending = failed;
    }
    return outcomes;
  }

  // Scores the texts at `indexes` into `outcomes`; returns the indexes still without a score.
  private async sendBatch(texts: readonly string[], indexes: number[], outcomes: SentimentOutcome[]): Promise<number[]> {
    const answer = await this.client.send(
      new BatchDetectSentimentCommand({ LanguageCode: "ja", TextList: indexes.map((index) => texts[index]) }),
    );
    for (const index of indexes)
      outcomes[index] = { error: { code: "NO_RESULT", message: "Comprehend's answer had neither a result nor an error for this text" } };
    // Index is the position in this call's TextList, not in `texts`.
    for (const result of answer.ResultList ?? []) {
      const index = indexes[result.Index ?? -1];
      const score = toScore(result);
      if (index !== undefined)
        outcomes[index] = score
          ? { score }
          : { error: { code: "MALFORMED_RESULT", message: "Comprehend answered without a sentiment or its four scores" } };
    }
    for (const error of answer.ErrorList ?? []) {
      const index = indexes[error.Index ?? -1];
      if (index !== undefined) outcomes[index] = { error: { code: error.ErrorCode ?? "UNKNOWN", message: error.ErrorMessage ?? "" } };
    }
    return indexes.filter((index) => !("score" in outcomes[index]));
  }
}
