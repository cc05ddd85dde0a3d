import assert from "node:assert/strict";
import { createComprehendClient } from "../src/export/awsClients";
import { ComprehendSentiment, COMPREHEND_BATCH_SIZE } from "../src/export/comprehendSentiment";
import { LOCAL_CREDENTIALS } from "../src/store/dynamoClient";
import {
  failTexts,
  scoreAll,
  standInScore,
  startComprehendStandIn,
  throttleCalls,
  type ComprehendPlan,
  type ComprehendStandIn,
} from "../harness/comprehendStandIn";

describe("Comprehend sentiment adapter (real SDK against a BatchDetectSentiment stand-in)", () => {
  let standIn: ComprehendStandIn | undefined;
  const clients: { destroy(): void }[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await standIn?.close();
    standIn = undefined;
  });

  async function analyzer(plan: ComprehendPlan = scoreAll, maxAttempts?: number): Promise<ComprehendSentiment> {
    standIn = await startComprehendStandIn({ plan });
    const client = createComprehendClient(
      { region: "ap-northeast-1", endpoint: standIn.endpoint, credentials: LOCAL_CREDENTIALS },
      maxAttempts,
    );
    clients.push(client);
    return new ComprehendSentiment(client, { name: "stand-in", retryDelayMs: 1 });
  }

  const texts = (count: number) => Array.from({ length: count }, (_, i) => `ボヤキ${i}`);

  it("sends Japanese texts 25 a call and gives each text its own score", async () => {
    const sentiment = await analyzer();
    const input = texts(60);
    const outcomes = await sentiment.analyze(input);
    assert.deepEqual(
      standIn!.calls.map((call) => call.texts.length),
      [COMPREHEND_BATCH_SIZE, COMPREHEND_BATCH_SIZE, 10],
    );
    assert.ok(standIn!.calls.every((call) => call.languageCode === "ja"));
    assert.deepEqual(
      standIn!.calls.flatMap((call) => call.texts),
      input,
    );
    assert.deepEqual(
      outcomes,
      input.map((text) => ({ score: standInScore(text) })),
    );
  });

  it("makes no call for no text", async () => {
    const sentiment = await analyzer();
    assert.deepEqual(await sentiment.analyze([]), []);
    assert.equal(standIn!.calls.length, 0);
  });

  it("sends the texts of a partial ErrorList again, in a later call, and scores them", async () => {
    const input = texts(30);
    const sentiment = await analyzer(failTexts([input[1], input[27]], 1));
    const outcomes = await sentiment.analyze(input);
    assert.deepEqual(
      standIn!.calls.map((call) => call.texts),
      [input.slice(0, 25), input.slice(25), [input[1], input[27]]],
    );
    assert.deepEqual(
      outcomes,
      input.map((text) => ({ score: standInScore(text) })),
    );
  });

  it("reports a text that keeps failing with Comprehend's ErrorCode after 3 sends, and scores the rest", async () => {
    const input = texts(5);
    const sentiment = await analyzer(failTexts([input[3]]));
    const outcomes = await sentiment.analyze(input);
    assert.equal(standIn!.calls.filter((call) => call.texts.includes(input[3])).length, 3);
    assert.deepEqual(outcomes[3], { error: { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" } });
    assert.deepEqual(
      outcomes.filter((_, i) => i !== 3),
      input.filter((_, i) => i !== 3).map((text) => ({ score: standInScore(text) })),
    );
  });

  it("retries a throttled call (ThrottlingException) with the SDK's backoff", async () => {
    const sentiment = await analyzer(throttleCalls(2));
    const input = texts(3);
    assert.deepEqual(
      await sentiment.analyze(input),
      input.map((text) => ({ score: standInScore(text) })),
    );
    assert.equal(standIn!.calls.length, 3, "two throttled attempts, then the one answered");
  });

  it("fails when throttling outlasts the client's attempts", async () => {
    const sentiment = await analyzer(throttleCalls(Infinity), 2);
    await assert.rejects(sentiment.analyze(texts(3)), { name: "ThrottlingException" });
    assert.equal(standIn!.calls.length, 2);
  });

  it("reports texts Comprehend would refuse (empty, 5,000 bytes or more) without sending them", async () => {
    const sentiment = await analyzer();
    const tooLong = "あ".repeat(1_667); // 5,001 bytes of UTF-8
    const outcomes = await sentiment.analyze(["", "眠い", tooLong]);
    assert.deepEqual(
      standIn!.calls.flatMap((call) => call.texts),
      ["眠い"],
    );
    assert.deepEqual(outcomes[1], { score: standInScore("眠い") });
    for (const refused of [outcomes[0], outcomes[2]]) {
      assert.ok("error" in refused && refused.error.code === "TEXT_SIZE_LIMIT_EXCEEDED", JSON.stringify(refused));
    }
  });
});
