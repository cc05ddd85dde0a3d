/**
 * The export job end to end, as its own process (as ECS runs it): dynalite for the table, the
 * Comprehend stand-in, s3rver for the bucket, all on loopback; its exit codes and JSON logs.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import iconv from "iconv-lite";
import { addDays, calendarDay, clockTime } from "../src/domain/calendar";
import { writeCsv, type ExportRow } from "../src/export/csv";
import type { Grumble } from "../src/store/grumbleStore";
import { freePort, ROOT, type LogEntry } from "../harness/appProcess";
import { failTexts, standInScore, startComprehendStandIn, type ComprehendPlan, type ComprehendStandIn } from "../harness/comprehendStandIn";
import { loopbackAwsEnv, runExport, type ExportRun } from "../harness/exportProcess";
import { startS3Server, type S3Server } from "../harness/s3Server";
import { startTestApp, startTestDynamo, type TestApp, type TestDynamo } from "../harness/testApp";
import { TestClock } from "../harness/testClock";

const TIME_ZONE = "Asia/Tokyo";
// Relative to the real date: the job refuses days after today and exports yesterday by default.
const TODAY = calendarDay(new Date(), TIME_ZONE);
const YESTERDAY = addDays(TODAY, -1);
const EMPTY_DAY = addDays(TODAY, -2);
const SPECIAL = ["=1+1", 'say "hi", ok', "𠮷野家で😀", "疲れた〜"];
const TEXTS = [...Array.from({ length: 26 }, (_, i) => `ボヤキ${i + 1}`), ...SPECIAL];

function entry(run: ExportRun, msg: string): LogEntry {
  const found = run.logs.find((line) => line.msg === msg);
  assert.ok(found, `no log line "${msg}" in:\n${run.stdout}${run.stderr}`);
  return found;
}

function assertCleanOutput(run: ExportRun): void {
  assert.deepEqual(run.otherLines, [], "stdout holds only JSON log lines");
  assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .+:\d+/, "no stack trace");
  for (const line of run.logs)
    assert.ok(typeof line.level === "number" && typeof line.time === "number" && typeof line.msg === "string", JSON.stringify(line));
}

/** The export's rows for `grumbles`, scored by the stand-in unless `unscored` says otherwise. */
function expectedRows(grumbles: Grumble[], unscored: (text: string) => boolean = () => false): ExportRow[] {
  return grumbles.map((grumble) => {
    const postedAt = new Date(grumble.postedAt);
    return {
      id: grumble.id,
      date: `${calendarDay(postedAt, TIME_ZONE)} ${clockTime(postedAt, TIME_ZONE)}`,
      text: grumble.text,
      score: unscored(grumble.text) ? undefined : standInScore(grumble.text),
    };
  });
}

describe("export job, end to end (a process against dynalite, a Comprehend stand-in and s3rver)", function () {
  let dynamo: TestDynamo;
  let t: TestApp;
  let grumbles: Grumble[];
  let s3: S3Server;
  let comprehend: ComprehendStandIn | undefined;

  before(async () => {
    dynamo = await startTestDynamo();
    const clock = new TestClock(`${YESTERDAY}T09:00:00+09:00`);
    t = await startTestApp({ dynamo, now: clock.now, timeZone: TIME_ZONE });
    grumbles = [];
    for (const text of TEXTS) {
      grumbles.push(await t.store.add(text));
      clock.advance(60_000);
    }
    clock.set(`${TODAY}T00:00:00+09:00`);
    await t.store.add("今日のボヤキ"); // not yesterday's: never exported with it
  });

  after(async () => {
    await t.close();
    await dynamo.stop();
  });

  beforeEach(async () => {
    s3 = await startS3Server("boyacky-exports");
  });

  afterEach(async () => {
    await s3.close();
    await comprehend?.close();
    comprehend = undefined;
  });

  /** The settings of a run in AWS, with every service on loopback. */
  async function awsEnv(plan?: ComprehendPlan, extra: Record<string, string> = {}): Promise<Record<string, string>> {
    comprehend = await startComprehendStandIn({ plan });
    return {
      ...loopbackAwsEnv({ dynamoEndpoint: dynamo.endpoint, tableName: t.tableName, s3, comprehendEndpoint: comprehend.endpoint }),
      BOYACKY_TIME_ZONE: TIME_ZONE,
      ...extra,
    };
  }

  const key = (day: string) => `exports/${day}.csv`;

  it("exports yesterday by default: scored 25 a call, uploaded as UTF-8 with BOM, counts in the logs, exit 0", async () => {
    const run = await runExport("sources", [], await awsEnv());
    assertCleanOutput(run);
    assert.equal(run.code, 0, run.stdout + run.stderr);

    const object = await s3.get(key(YESTERDAY));
    assert.equal(object.contentType, "text/csv; charset=utf-8");
    assert.deepEqual(object.body, writeCsv(expectedRows(grumbles), "utf8").body);
    assert.deepEqual(
      comprehend!.calls.map((call) => call.texts.length),
      [25, 5],
    );

    assert.ok(run.logs.every((line) => line.day === YESTERDAY));
    assert.equal(entry(run, "export started").sentiment, `Amazon Comprehend (${comprehend!.endpoint})`);
    assert.equal(entry(run, "read the day's grumbles").read, 30);
    assert.equal(entry(run, "scored the grumbles' sentiment").scored, 30);
    assert.equal(entry(run, "wrote the CSV").written, 30);
    const done = entry(run, "export done");
    assert.deepEqual(
      { ...done, level: undefined, time: undefined, pid: undefined, hostname: undefined },
      {
        level: undefined,
        time: undefined,
        pid: undefined,
        hostname: undefined,
        day: YESTERDAY,
        msg: "export done",
        location: `s3://boyacky-exports/${key(YESTERDAY)}`,
        read: 30,
        scored: 30,
        unscored: 0,
        written: 30,
        bytes: object.body.length,
        replacedCharacters: 0,
      },
    );
  });

  it("replaces the day's object on a second run; Shift_JIS on request, unmappable characters counted", async () => {
    const env = await awsEnv();
    assert.equal((await runExport("sources", ["--day", YESTERDAY], env)).code, 0);
    const run = await runExport("sources", ["--day", YESTERDAY, "--encoding", "shift_jis"], env);
    assertCleanOutput(run);
    assert.equal(run.code, 0, run.stdout + run.stderr);

    assert.deepEqual(await s3.keys(), [key(YESTERDAY)]);
    const object = await s3.get(key(YESTERDAY));
    assert.equal(object.contentType, "text/csv; charset=Shift_JIS");
    assert.deepEqual(object.body, writeCsv(expectedRows(grumbles), "shift_jis").body);
    const lines = iconv.decode(object.body, "shift_jis").split("\r\n");
    assert.equal(lines[29].split(",")[2], "?野家で?");
    assert.equal(lines[30].split(",")[2], "疲れた～");

    const replaced = entry(
      run,
      "Shift_JIS cannot hold some characters (emoji, rare kanji...): each was replaced by ?; use the default utf8 to keep them",
    );
    assert.equal(replaced.level, 40);
    assert.equal(replaced.replacedCharacters, 2);
    assert.deepEqual(replaced.rows, [grumbles[28].id]);
  });

  it("writes a grumble Comprehend keeps failing with empty sentiment, warns with its id and ErrorCode, exit 0", async () => {
    const run = await runExport("sources", ["--day", YESTERDAY], await awsEnv(failTexts(["ボヤキ3"])));
    assertCleanOutput(run);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(
      (await s3.get(key(YESTERDAY))).body,
      writeCsv(
        expectedRows(grumbles, (text) => text === "ボヤキ3"),
        "utf8",
      ).body,
    );
    assert.deepEqual(entry(run, "Comprehend could not score some grumbles: their sentiment columns are empty").unscored, [
      { id: grumbles[2].id, code: "INTERNAL_SERVER_ERROR", message: "Internal server error" },
    ]);
    assert.equal(entry(run, "export done").unscored, 1);
  });

  it("writes a header-only file for a day without grumbles, and calls no Comprehend", async () => {
    const run = await runExport("sources", ["--day", EMPTY_DAY], await awsEnv());
    assertCleanOutput(run);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(
      (await s3.get(key(EMPTY_DAY))).body.toString("utf8"),
      "\uFEFFID,Date,Boyaki,Sentiment,Positive,Negative,Neutral,Mixed\r\n",
    );
    assert.equal(comprehend!.calls.length, 0);
    assert.equal(entry(run, "export done").written, 0);
  });

  describe("a failed step: exit 1, one JSON line with the step, the error and what to check", () => {
    async function failedStep(env: Record<string, string>): Promise<LogEntry> {
      const run = await runExport("sources", ["--day", YESTERDAY], env);
      assertCleanOutput(run);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.equal(run.logs.at(-1)!.level, 50);
      assert.equal(run.logs.filter((line) => line.msg === "export done").length, 0);
      return run.logs.at(-1)!;
    }

    it("read: DynamoDB unreachable", async () => {
      const failed = await failedStep(await awsEnv(undefined, { DYNAMODB_ENDPOINT: `http://127.0.0.1:${await freePort()}` }));
      assert.equal(failed.step, "read");
      assert.match(failed.error, /^read failed: StoreUnavailableError: DynamoDB is unavailable/);
      assert.match(failed.hint, /BOYACKY_TABLE.*dynamodb:Query/);
    });

    it("sentiment: Comprehend unreachable after the SDK's retries", async () => {
      const env = await awsEnv();
      const failed = await failedStep({ ...env, COMPREHEND_ENDPOINT: `http://127.0.0.1:${await freePort()}` });
      assert.equal(failed.step, "sentiment");
      assert.match(failed.hint, /comprehend:BatchDetectSentiment/);
    });

    it("upload: the bucket does not exist", async () => {
      const failed = await failedStep(await awsEnv(undefined, { BOYACKY_EXPORT_BUCKET: "no-such-bucket" }));
      assert.equal(failed.step, "upload");
      assert.match(failed.error, /^upload failed: NoSuchBucket/);
      assert.match(failed.hint, /no-such-bucket \(BOYACKY_EXPORT_BUCKET\).*s3:PutObject/);
    });
  });

  it("refuses bad arguments and settings with exit 2 and one plain line, before touching anything", async () => {
    const env = { BOYACKY_EXPORT_BUCKET: "boyacky-exports", DYNAMODB_ENDPOINT: `http://127.0.0.1:${await freePort()}` };
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["--day", "2026-02-30"], env, /--day 2026-02-30 is not a day: use YYYY-MM-DD/],
      [["--day", addDays(TODAY, 1)], env, /is after today/],
      [["--encoding", "latin1"], env, /--encoding latin1 is not supported: use utf8 .* or shift_jis/],
      [["--bogus"], env, /Unknown option '--bogus'/],
      [["extra"], env, /Unexpected argument 'extra'/],
      [[], {}, /BOYACKY_EXPORT_BUCKET is not set/],
      [[], { ...env, BOYACKY_EXPORT_DIR: "/tmp" }, /both set/],
      [[], { BOYACKY_EXPORT_BUCKET: "Not_A_Bucket" }, /BOYACKY_EXPORT_BUCKET=Not_A_Bucket is not an S3 bucket name/],
      [[], { ...env, BOYACKY_TIME_ZONE: "Mars/Olympus" }, /BOYACKY_TIME_ZONE=Mars\/Olympus is not a known IANA time zone/],
      [[], { ...env, COMPREHEND_ENDPOINT: "comprehend.local" }, /COMPREHEND_ENDPOINT=comprehend.local is not an endpoint/],
    ];
    const runs = await Promise.all(cases.map(([args, settings]) => runExport("sources", args, settings)));
    runs.forEach((run, i) => {
      const [args, , message] = cases[i];
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stdout}${run.stderr}`);
      assert.equal(run.stdout, "");
      assert.match(run.stderr, message);
      assert.match(run.stderr, /^boyacky export: [^\n]+\n$/, "one line");
    });
  });

  it("prints its usage for --help, exit 0", async () => {
    const run = await runExport("sources", ["--help"], {});
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: node dist\/export\.js \[--day YYYY-MM-DD\] \[--encoding utf8\|shift_jis\]/);
  });

  describe("to a local directory (BOYACKY_EXPORT_DIR) instead of S3", () => {
    let directory: string;

    beforeEach(() => {
      directory = mkdtempSync(path.join(tmpdir(), "boyacky-export-"));
    });

    afterEach(() => {
      rmSync(directory, { recursive: true, force: true });
    });

    const localEnv = () => ({ DYNAMODB_ENDPOINT: dynamo.endpoint, BOYACKY_TABLE: t.tableName, BOYACKY_EXPORT_DIR: directory });

    it("skips sentiment with a clear note when there is no Comprehend endpoint and no credentials: empty columns, never made up", async () => {
      const run = await runExport("sources", ["--day", YESTERDAY], localEnv());
      assertCleanOutput(run);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const skipped = entry(run, "sentiment skipped: the Sentiment, Positive, Negative, Neutral and Mixed columns are left empty");
      assert.equal(skipped.level, 40);
      assert.match(skipped.reason, /^no COMPREHEND_ENDPOINT and no AWS credentials/);
      assert.equal(entry(run, "export started").sentiment, "skipped");
      assert.deepEqual(
        readFileSync(path.join(directory, "exports", `${YESTERDAY}.csv`)),
        writeCsv(
          expectedRows(grumbles, () => true),
          "utf8",
        ).body,
      );
      assert.deepEqual(
        { scored: entry(run, "export done").scored, unscored: entry(run, "export done").unscored },
        { scored: 0, unscored: 30 },
      );
    });

    it("scores through COMPREHEND_ENDPOINT even without credentials (a stand-in checks none)", async () => {
      comprehend = await startComprehendStandIn();
      const run = await runExport("sources", ["--day", YESTERDAY], { ...localEnv(), COMPREHEND_ENDPOINT: comprehend.endpoint });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.deepEqual(readFileSync(path.join(directory, "exports", `${YESTERDAY}.csv`)), writeCsv(expectedRows(grumbles), "utf8").body);
    });
  });

  it("runs the same from the image's bundle, dist/export.js", async function () {
    this.timeout(60_000);
    await promisify(execFile)("npm", ["run", "build", "--prefix", "app"], { cwd: ROOT });
    const run = await runExport("bundle", ["--day", YESTERDAY, "--encoding", "shift_jis"], await awsEnv());
    assertCleanOutput(run);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual((await s3.get(key(YESTERDAY))).body, writeCsv(expectedRows(grumbles), "shift_jis").body);
  });
});
