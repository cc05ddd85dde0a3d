/**
 * `npm run export` (scripts/export.ts) on a temporary data folder laid out as `npm run dev`'s
 * .data/: dynalite's data in dynalite/, the exports written to exports/.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startLocalDynamo, type LocalDynamo } from "../harness/localDynamo";
import { addDays, calendarDay } from "../src/domain/calendar";
import { createDynamoClient } from "../src/store/dynamoClient";
import { ensureTable } from "../src/store/ensureTable";
import { GrumbleStore } from "../src/store/grumbleStore";
import { runExport } from "../harness/exportProcess";

const TODAY = calendarDay(new Date(), "Asia/Tokyo");

describe("npm run export (scripts/export.ts): the job on npm run dev's local data", () => {
  let dataDir: string;
  let dynamo: LocalDynamo | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "boyacky-data-"));
  });

  afterEach(async () => {
    await dynamo?.stop();
    dynamo = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts dynalite on the data folder, as `npm run dev` does, and posts `texts` today. */
  async function devWithPosts(texts: string[]): Promise<LocalDynamo> {
    dynamo = await startLocalDynamo({ path: path.join(dataDir, "dynalite") });
    const client = createDynamoClient({ endpoint: dynamo.endpoint });
    await ensureTable(client, "boyacky");
    const store = new GrumbleStore({ client, tableName: "boyacky", timeZone: "Asia/Tokyo" });
    for (const text of texts) await store.add(text);
    client.destroy();
    return dynamo;
  }

  const exported = (day: string) => readFileSync(path.join(dataDir, "exports", `${day}.csv`), "utf8");

  it("writes exports/<today>.csv of the posts kept in dynalite/, sentiment skipped", async () => {
    await (await devWithPosts(["ローカルのボヤキ", "もう一つ"])).stop();
    dynamo = undefined;

    const run = await runExport("script", ["--day", TODAY], { BOYACKY_DATA_DIR: dataDir });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const lines = exported(TODAY).split("\r\n");
    assert.equal(lines[0], "\uFEFFID,Date,Boyaki,Sentiment,Positive,Negative,Neutral,Mixed");
    assert.deepEqual(
      lines.slice(1, -1).map((line) => line.split(",").slice(2).join(",")),
      ["ローカルのボヤキ,,,,,", "もう一つ,,,,,"],
    );
    assert.ok(run.logs.some((line) => line.msg.startsWith("sentiment skipped")));
  });

  it("on a fresh clone creates the table and writes a header-only file; passes the job's exit code 2 through", async () => {
    const run = await runExport("script", ["--day", addDays(TODAY, -1)], { BOYACKY_DATA_DIR: dataDir });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(exported(addDays(TODAY, -1)), "\uFEFFID,Date,Boyaki,Sentiment,Positive,Negative,Neutral,Mixed\r\n");

    const bad = await runExport("script", ["--day", "yesterday"], { BOYACKY_DATA_DIR: dataDir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--day yesterday is not a day/);
  });

  it("says what to do while npm run dev holds the data, and reads through its endpoint when given", async () => {
    const dev = await devWithPosts(["開発中のボヤキ"]);
    const refused = await runExport("script", ["--day", TODAY], { BOYACKY_DATA_DIR: dataDir });
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^npm run export: the local DynamoDB data in .* is in use, probably by npm run dev: run again with DYNAMODB_ENDPOINT=/,
    );
    assert.doesNotMatch(refused.stderr, /\n\s+at /);

    const run = await runExport("script", ["--day", TODAY], { BOYACKY_DATA_DIR: dataDir, DYNAMODB_ENDPOINT: dev.endpoint });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(exported(TODAY), /,開発中のボヤキ,,,,,\r\n$/);
  });
});
