import assert from "node:assert/strict";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { StoreUnavailableError } from "../src/store/grumbleStore";
import { startDynamoStandIn, type DynamoStandIn } from "../harness/dynamoStandIn";
import { startTestApp, startTestDynamo, type TestApp, type TestDynamo } from "../harness/testApp";
import { TestClock } from "../harness/testClock";

describe("GrumbleStore.readDay: one day's partition for the export (dynalite, real SDK)", () => {
  let dynamo: TestDynamo;
  let counter: DynamoStandIn;
  let t: TestApp;
  let clock: TestClock;

  before(async () => {
    dynamo = await startTestDynamo();
  });

  after(async () => {
    await dynamo.stop();
  });

  beforeEach(async () => {
    // Between the store and dynalite, to count the store's Queries.
    counter = await startDynamoStandIn({ upstream: dynamo.endpoint, plan: () => ({ forward: {} }) });
    clock = new TestClock("2026-11-22T23:59:00+09:00");
    t = await startTestApp({ dynamo, storeEndpoint: counter.endpoint, now: clock.now });
  });

  afterEach(async () => {
    await t.close();
    await counter.close();
  });

  it("reads every grumble of the day, oldest first, and none of the days around it", async () => {
    const added = [];
    for (const text of ["一つ目", "二つ目", "三つ目"]) added.push(await t.store.add(text));
    clock.set("2026-11-23T00:00:00+09:00");
    const nextDay = await t.store.add("翌日");
    assert.match(nextDay.id, /^2026-11-23_/);

    const before = counter.count("Query");
    assert.deepEqual(await t.store.readDay("2026-11-22"), added);
    assert.equal(counter.count("Query") - before, 1, "a small day is one Query");
    assert.deepEqual(await t.store.readDay("2026-11-21"), []);
  });

  it("follows LastEvaluatedKey across DynamoDB's 1 MB pages", async () => {
    // 30 items of 60 KB are about 1.8 MB: DynamoDB (and dynalite) answer them in two pages.
    const padding = "x".repeat(60_000);
    const items = Array.from({ length: 30 }, (_, i) => ({
      day: "2026-11-22",
      seq: `${String(1795316400000 + i * 1000).padStart(13, "0")}-${i.toString(16).padStart(10, "0")}`,
      text: `ボヤキ${i}`,
      postedAt: new Date(1795316400000 + i * 1000).toISOString(),
      padding,
    }));
    const documents = DynamoDBDocumentClient.from(t.client);
    for (let start = 0; start < items.length; start += 5) {
      await documents.send(
        new BatchWriteCommand({ RequestItems: { [t.tableName]: items.slice(start, start + 5).map((Item) => ({ PutRequest: { Item } })) } }),
      );
    }

    const before = counter.count("Query");
    const grumbles = await t.store.readDay("2026-11-22");
    assert.ok(counter.count("Query") - before >= 2, `read in ${counter.count("Query") - before} Queries`);
    assert.deepEqual(
      grumbles,
      items.map((item) => ({ id: `${item.day}_${item.seq}`, text: item.text, postedAt: item.postedAt })),
    );
  });

  it("fails with StoreUnavailableError when DynamoDB is down", async () => {
    await t.stopDynamo();
    try {
      await assert.rejects(t.store.readDay("2026-11-22"), StoreUnavailableError);
    } finally {
      await t.restartDynamo();
    }
  });
});
