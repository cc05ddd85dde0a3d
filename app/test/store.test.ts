import assert from "node:assert/strict";
import { DeleteTableCommand, GetItemCommand, waitUntilTableNotExists } from "@aws-sdk/client-dynamodb";
import { InvalidCursorError, parseGrumbleId, StoreUnavailableError, type Grumble } from "../src/store/grumbleStore";
import { startTestApp, startTestDynamo, type TestApp, type TestDynamo } from "../harness/testApp";
import { TestClock } from "../harness/testClock";

// 12:00 on 2026-11-22 in Tokyo; the store's "today" is "2026-11-22".
const NOON_TOKYO = "2026-11-22T12:00:00+09:00";

function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

describe("GrumbleStore on DynamoDB (dynalite, real SDK)", () => {
  let dynamo: TestDynamo;
  let clock: TestClock;
  let t: TestApp;

  before(async () => {
    dynamo = await startTestDynamo();
  });

  after(async () => {
    await dynamo.stop();
  });

  beforeEach(async () => {
    clock = new TestClock(NOON_TOKYO);
    t = await startTestApp({ dynamo, now: clock.now });
  });

  afterEach(async () => {
    await t.close();
    await dynamo.start(); // in case a test stopped it and failed before starting it again
  });

  /** Adds grumbles in order, each 1 s after the previous one. */
  async function addAll(texts: string[]): Promise<Grumble[]> {
    const added: Grumble[] = [];
    for (const text of texts) {
      added.push(await t.store.add(text));
      clock.advance(1_000);
    }
    return added;
  }

  describe("add and listToday", () => {
    it("lists a post at once (consistent read), with its id, text and time", async () => {
      const added = await t.store.add("眠い");
      assert.equal(added.text, "眠い");
      assert.equal(added.postedAt, "2026-11-22T03:00:00.000Z");
      assert.match(added.id, /^2026-11-22_1795316400000-[0-9a-f]{10}$/);
      assert.deepEqual(parseGrumbleId(added.id), { day: "2026-11-22", seq: added.id.slice("2026-11-22_".length) });

      const page = await t.store.listToday(10);
      assert.deepEqual(page, { items: [added], nextCursor: undefined });
    });

    it("reads today's list with one consistent Query on today's partition", async () => {
      const queries: Record<string, unknown>[] = [];
      t.client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === "QueryCommand") queries.push(args.input as Record<string, unknown>);
          return next(args);
        },
        { step: "initialize", name: "captureQueries" },
      );
      await t.store.listToday(3);
      assert.equal(queries.length, 1);
      assert.equal(queries[0].ConsistentRead, true);
      assert.equal(queries[0].ScanIndexForward, false);
      assert.equal(queries[0].TableName, t.tableName);
      assert.deepEqual(queries[0].ExpressionAttributeValues, { ":day": { S: "2026-11-22" } });
    });

    it("lists newest first", async () => {
      const added = await addAll(["一", "二", "三"]);
      const page = await t.store.listToday(10);
      assert.deepEqual(
        page.items.map((item) => item.text),
        ["三", "二", "一"],
      );
      assert.deepEqual(page.items, [...added].reverse());
    });

    it("keeps texts exactly as given (emoji, combining marks, markup)", async () => {
      const texts = ["👨‍👩‍👧‍👦👍🏿", "é", "<b>&amp;</b>", "ｶﾀｶﾅ"];
      await addAll(texts);
      const page = await t.store.listToday(10);
      assert.deepEqual(page.items.map((item) => item.text).reverse(), texts);
    });

    it("does not list yesterday's grumbles today (days change at midnight in Asia/Tokyo)", async () => {
      clock.set("2026-11-22T23:59:59.999+09:00");
      const lateYesterday = await t.store.add("昨日の最後");
      assert.ok(lateYesterday.id.startsWith("2026-11-22_"));

      clock.set("2026-11-23T00:00:00.000+09:00"); // = 2026-11-22T15:00Z, still the 22nd in UTC
      assert.equal(t.store.today(), "2026-11-23");
      assert.deepEqual((await t.store.listToday(10)).items, []);

      const firstToday = await t.store.add("今日の最初");
      assert.ok(firstToday.id.startsWith("2026-11-23_"));
      assert.deepEqual((await t.store.listToday(10)).items, [firstToday]);

      // Both are still stored: yesterday's is only out of today's list.
      assert.equal((await t.storedItems()).length, 2);
    });

    it("uses the configured time zone for the day, not UTC", async () => {
      const utc = await startTestApp({ dynamo, now: clock.now, timeZone: "UTC" });
      try {
        clock.set("2026-11-23T00:30:00+09:00"); // the 23rd in Tokyo, 15:30 on the 22nd in UTC
        assert.equal(t.store.today(), "2026-11-23");
        assert.equal(utc.store.today(), "2026-11-22");
        assert.ok((await utc.store.add("UTC")).id.startsWith("2026-11-22_"));
      } finally {
        await utc.close();
      }
    });
  });

  describe("purify", () => {
    it("removes a grumble and answers true", async () => {
      const [keep, gone] = await addAll(["残す", "消す"]);
      assert.equal(await t.store.purify(gone.id), true);
      assert.deepEqual((await t.store.listToday(10)).items, [keep]);
    });

    it("answers false for an already purified grumble", async () => {
      const [grumble] = await addAll(["一度だけ"]);
      assert.equal(await t.store.purify(grumble.id), true);
      assert.equal(await t.store.purify(grumble.id), false);
    });

    it("answers false for a well-formed id that was never stored, and deletes nothing", async () => {
      const [kept] = await addAll(["無関係"]);
      assert.equal(await t.store.purify("2026-11-22_1795316400000-0123456789"), false);
      assert.equal(await t.store.purify(`${kept.id.slice(0, -1)}${kept.id.endsWith("0") ? "1" : "0"}`), false);
      assert.deepEqual((await t.store.listToday(10)).items, [kept]);
    });

    it("purifies only today's grumbles: one of another day answers false and stays stored", async () => {
      clock.set("2026-11-21T23:59:00+09:00");
      const [yesterday] = await addAll(["昨日の"]);
      clock.set("2026-11-22T00:01:00+09:00");
      assert.equal(await t.store.purify(yesterday.id), false);
      assert.deepEqual(
        (await t.storedItems()).map((item) => item.text),
        ["昨日の"],
      );
    });

    it("answers false for garbage ids without calling DynamoDB", async () => {
      await t.stopDynamo(); // a request would now throw StoreUnavailableError
      for (const garbage of ["", "garbage", "../../etc/passwd", "2026-11-22_", "2026-11-22_123-abc", "x".repeat(200)]) {
        assert.equal(await t.store.purify(garbage), false, JSON.stringify(garbage));
      }
    });
  });

  describe("pagination", () => {
    it("walks 7 grumbles in pages of 3: every item once, newest first, no cursor on the last page", async () => {
      const added = await addAll(["1", "2", "3", "4", "5", "6", "7"]);
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await t.store.listToday(3, cursor);
        pages.push(page.items.map((item) => item.text));
        cursor = page.nextCursor;
        assert.ok(pages.length <= 3, "too many pages");
      } while (cursor !== undefined);

      assert.deepEqual(pages, [["7", "6", "5"], ["4", "3", "2"], ["1"]]);
      assert.equal(new Set(pages.flat()).size, added.length);
    });

    it("gives no cursor when the last page is exactly full", async () => {
      await addAll(["1", "2", "3", "4", "5", "6"]);
      const first = await t.store.listToday(3);
      assert.ok(first.nextCursor);
      const second = await t.store.listToday(3, first.nextCursor);
      assert.deepEqual(
        second.items.map((item) => item.text),
        ["3", "2", "1"],
      );
      assert.equal(second.nextCursor, undefined);
    });

    it("sees a grumble posted between two pages only when it is older than the cursor", async () => {
      await addAll(["1", "2", "3", "4"]);
      const first = await t.store.listToday(2);
      assert.deepEqual(
        first.items.map((item) => item.text),
        ["4", "3"],
      );
      await addAll(["5"]); // newer than the first page: belongs before it, not after
      const second = await t.store.listToday(2, first.nextCursor);
      assert.deepEqual(
        second.items.map((item) => item.text),
        ["2", "1"],
      );
      assert.equal(second.nextCursor, undefined);
    });

    it("refuses a cursor from another day", async () => {
      await addAll(["1", "2", "3", "4"]);
      const { nextCursor } = await t.store.listToday(3);
      assert.ok(nextCursor);
      clock.set("2026-11-23T00:00:00+09:00");
      await assert.rejects(t.store.listToday(3, nextCursor), (error: unknown) => {
        assert.ok(error instanceof InvalidCursorError);
        assert.match(error.message, /another day/);
        return true;
      });
    });

    it("refuses garbage cursors", async () => {
      await addAll(["1", "2"]);
      const garbage = [
        "",
        "garbage",
        "%%%",
        encodeCursor({ day: "2026-11-22" }),
        encodeCursor(["2026-11-22"]),
        encodeCursor(["2026-11-22", "not-a-seq"]),
        encodeCursor(["2026-11-22", 1795316400000]),
        encodeCursor(["2026-11-22", "1795316400000-0123456789", "extra"]),
      ];
      for (const cursor of garbage) {
        await assert.rejects(t.store.listToday(3, cursor), InvalidCursorError, JSON.stringify(cursor));
      }
    });

    it("accepts a hand-made cursor of today's day and seq format", async () => {
      const [oldest, , newest] = await addAll(["1", "2", "3"]);
      const seq = newest.id.slice("2026-11-22_".length);
      const page = await t.store.listToday(3, encodeCursor(["2026-11-22", seq]));
      assert.deepEqual(
        page.items.map((item) => item.text),
        ["2", "1"],
      );
      assert.equal(page.items[1].id, oldest.id);
    });
  });

  describe("retention", () => {
    async function rawItem(store: TestApp, id: string) {
      const key = parseGrumbleId(id);
      assert.ok(key);
      const { Item } = await store.client.send(
        new GetItemCommand({ TableName: store.tableName, Key: { day: { S: key.day }, seq: { S: key.seq } }, ConsistentRead: true }),
      );
      assert.ok(Item, `no item ${id}`);
      return Item;
    }

    it("sets expiresAt to the post time plus retentionDays, in epoch seconds", async () => {
      const kept = await startTestApp({ dynamo, now: clock.now, retentionDays: 30 });
      try {
        clock.set("2026-11-22T12:34:56.789+09:00");
        const grumble = await kept.store.add("一か月で消える");
        const item = await rawItem(kept, grumble.id);
        const postedSeconds = Math.floor(Date.parse("2026-11-22T03:34:56.789Z") / 1000);
        assert.deepEqual(item.expiresAt, { N: String(postedSeconds + 30 * 86_400) });
        assert.deepEqual(item.text, { S: "一か月で消える" });
        assert.deepEqual(item.postedAt, { S: "2026-11-22T03:34:56.789Z" });
      } finally {
        await kept.close();
      }
    });

    it("writes no expiresAt without retentionDays", async () => {
      const grumble = await t.store.add("ずっと残る");
      const item = await rawItem(t, grumble.id);
      assert.equal(item.expiresAt, undefined);
      assert.deepEqual(Object.keys(item).sort(), ["day", "postedAt", "seq", "text"]);
    });
  });

  describe("when DynamoDB is down", () => {
    it("throws StoreUnavailableError from every call, and works again once it is back", async () => {
      await t.stopDynamo();
      await assert.rejects(t.store.listToday(10), StoreUnavailableError);
      await assert.rejects(t.store.add("届かない"), StoreUnavailableError);
      await assert.rejects(t.store.purify("2026-11-22_1795316400000-0123456789"), StoreUnavailableError);
      await assert.rejects(t.store.ping(), StoreUnavailableError);

      await t.restartDynamo();
      await t.store.ping();
      const grumble = await t.store.add("復活");
      assert.deepEqual((await t.store.listToday(10)).items, [grumble]);
    });

    it("throws StoreUnavailableError from ping when the table is missing", async () => {
      const missing = await startTestApp({ dynamo, now: clock.now });
      try {
        await missing.client.send(new DeleteTableCommand({ TableName: missing.tableName }));
        // DeleteTable only starts the deletion: DescribeTable still finds the table (DELETING) for a moment.
        await waitUntilTableNotExists(
          { client: missing.client, maxWaitTime: 20, minDelay: 1, maxDelay: 1 },
          { TableName: missing.tableName },
        );
        await assert.rejects(missing.store.ping(), StoreUnavailableError);
      } finally {
        await missing.close();
      }
    });
  });
});
