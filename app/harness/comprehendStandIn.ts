/**
 * An Amazon Comprehend stand-in on 127.0.0.1 for the export's tests. It speaks the real API's wire
 * protocol, so the real SDK client (`createComprehendClient({ endpoint })`) talks to it: AWS JSON
 * 1.1, `POST /` with `X-Amz-Target: Comprehend_20171127.BatchDetectSentiment`, a SigV4
 * `Authorization` for the service `comprehend`, JSON bodies, errors as `{"__type", "message"}`.
 *
 * It refuses what Comprehend refuses (another operation, an unsigned request, a language other than
 * the one expected, more than 25 texts, a text of 5,000 bytes or more) and scores every text with
 * `standInScore`, a made-up but deterministic function of the text, so that a test can check that
 * each row got its own text's score. A plan decides, per call, to throttle it or to put some of its
 * texts in ErrorList instead:
 *
 *   const comprehend = await startComprehendStandIn({ plan: throttleCalls(2) });
 *   comprehend.calls          // every BatchDetectSentiment received, with its texts
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { SentimentLabel, SentimentScore } from "../src/export/sentiment";
import { readBody, sendJson } from "./dynamoStandIn";

/** One BatchDetectSentiment call as received. */
export interface ComprehendCall {
  /** 1 for the first call received, 2 for the next (a retry, say)... */
  number: number;
  languageCode: string;
  texts: string[];
}

/** What the stand-in does with a call: throttle it, or score it with these positions in ErrorList. */
export type ComprehendAnswer = { throttle: true } | { failPositions: readonly number[] };

export type ComprehendPlan = (call: ComprehendCall) => ComprehendAnswer;

export interface ComprehendStandIn {
  /** `http://127.0.0.1:<port>`: COMPREHEND_ENDPOINT. */
  endpoint: string;
  /** Every valid call received, in order, throttled ones included. */
  readonly calls: readonly ComprehendCall[];
  close(): Promise<void>;
}

const JSON_1_1 = "application/x-amz-json-1.1";
const TARGET = "Comprehend_20171127.BatchDetectSentiment";
const LABELS: SentimentLabel[] = ["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"];

/** Score every text of every call. */
export const scoreAll: ComprehendPlan = () => ({ failPositions: [] });

/** Throttle the first `times` calls, score the others. */
export function throttleCalls(times: number): ComprehendPlan {
  return (call) => (call.number <= times ? { throttle: true } : { failPositions: [] });
}

/** Put every occurrence of the texts `failing` in ErrorList, for the first `times` calls that carry them. */
export function failTexts(failing: readonly string[], times = Infinity): ComprehendPlan {
  const seen = new Map<string, number>();
  return (call) => ({
    failPositions: call.texts.flatMap((text, position) => {
      if (!failing.includes(text)) return [];
      const count = (seen.get(text) ?? 0) + 1;
      seen.set(text, count);
      return count <= times ? [position] : [];
    }),
  });
}

/** The stand-in's score of `text`: four made-up confidences summing to 1, the largest one's label. */
export function standInScore(text: string): SentimentScore {
  const digest = createHash("sha256").update(text).digest();
  const weights = [0, 1, 2, 3].map((i) => digest[i] + 1);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const [positive, negative, neutral, mixed] = weights.map((weight) => weight / total);
  const sentiment = LABELS[weights.indexOf(Math.max(...weights))];
  return { sentiment, positive, negative, neutral, mixed };
}

function comprehendError(name: string, message: string) {
  return { __type: name, message };
}

export function startComprehendStandIn(options: { plan?: ComprehendPlan; languageCode?: string } = {}): Promise<ComprehendStandIn> {
  const plan = options.plan ?? scoreAll;
  const expectedLanguage = options.languageCode ?? "ja";
  const calls: ComprehendCall[] = [];

  const server = createServer(async (request, response) => {
    const body = await readBody(request).catch(() => undefined);
    if (body === undefined) return;
    const answer = (status: number, payload: unknown) => sendJson(response, status, payload, JSON_1_1);
    if (request.method !== "POST" || request.headers["x-amz-target"] !== TARGET) {
      return answer(400, comprehendError("UnknownOperationException", `the stand-in knows only POST / with X-Amz-Target ${TARGET}`));
    }
    if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/comprehend\/aws4_request,/.test(String(request.headers.authorization))) {
      return answer(
        403,
        comprehendError("MissingAuthenticationTokenException", "Missing or unsigned Authorization for the service comprehend"),
      );
    }
    const input = JSON.parse(body.toString("utf8")) as { LanguageCode?: string; TextList?: string[] };
    const texts = input.TextList ?? [];
    if (input.LanguageCode !== expectedLanguage) {
      return answer(400, comprehendError("InvalidRequestException", `LanguageCode ${input.LanguageCode} is not ${expectedLanguage}`));
    }
    if (texts.length < 1 || texts.length > 25) {
      return answer(
        400,
        comprehendError("BatchSizeLimitExceededException", "The number of documents in the request exceeds the limit of 25."),
      );
    }
    if (texts.some((text) => text.length === 0 || Buffer.byteLength(text, "utf8") >= 5_000)) {
      return answer(
        400,
        comprehendError("TextSizeLimitExceededException", "The size of the input text exceeds the limit. Use a smaller document."),
      );
    }
    const call: ComprehendCall = { number: calls.length + 1, languageCode: input.LanguageCode, texts };
    calls.push(call);
    const decision = plan(call);
    if ("throttle" in decision) return answer(400, comprehendError("ThrottlingException", "Rate exceeded"));
    const failing = new Set(decision.failPositions);
    answer(200, {
      ResultList: texts.flatMap((text, index) => {
        if (failing.has(index)) return [];
        const { sentiment, positive, negative, neutral, mixed } = standInScore(text);
        return [
          {
            Index: index,
            Sentiment: sentiment,
            SentimentScore: { Positive: positive, Negative: negative, Neutral: neutral, Mixed: mixed },
          },
        ];
      }),
      ErrorList: [...failing]
        .sort((a, b) => a - b)
        .map((index) => ({ Index: index, ErrorCode: "INTERNAL_SERVER_ERROR", ErrorMessage: "Internal server error" })),
    });
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      resolve({
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        calls,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
