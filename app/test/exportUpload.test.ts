import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { exportKey, EXPORT_KEY_PREFIX } from "../src/export/actions";
import { DirectoryDestination, S3Destination } from "../src/export/destinations";
import { startS3Server, type S3Server } from "../harness/s3Server";

const KEY = exportKey("2026-11-22");

describe("export destinations", () => {
  it("puts one day at exports/<day>.csv", () => {
    assert.equal(EXPORT_KEY_PREFIX, "exports/");
    assert.equal(KEY, "exports/2026-11-22.csv");
  });

  describe("S3 (real SDK, PutObject to s3rver, path-style, SigV4-checked)", () => {
    let s3: S3Server;

    beforeEach(async () => {
      s3 = await startS3Server("boyacky-exports");
    });

    afterEach(async () => {
      await s3.close();
    });

    it("uploads the bytes with their Content-Type, and a second run replaces the object", async () => {
      const destination = new S3Destination(s3.client, s3.bucket);
      assert.equal(destination.locate(KEY), "s3://boyacky-exports/exports/2026-11-22.csv");

      const first = Buffer.from("\uFEFFID,Date\r\n1,あ\r\n", "utf8");
      await destination.put({ key: KEY, body: first, contentType: "text/csv; charset=utf-8" });
      assert.deepEqual(await s3.get(KEY), { body: first, contentType: "text/csv; charset=utf-8" });

      const second = Buffer.from([0x82, 0xa0, 0x0d, 0x0a]); // あ in Shift_JIS
      await destination.put({ key: KEY, body: second, contentType: "text/csv; charset=Shift_JIS" });
      assert.deepEqual(await s3.get(KEY), { body: second, contentType: "text/csv; charset=Shift_JIS" });
      assert.deepEqual(await s3.keys(), [KEY]);
    });

    it("fails, with a hint naming the bucket, when the bucket does not exist", async () => {
      const destination = new S3Destination(s3.client, "no-such-bucket");
      await assert.rejects(destination.put({ key: KEY, body: Buffer.from("x"), contentType: "text/csv" }), { name: "NoSuchBucket" });
      assert.match(destination.failureHint, /no-such-bucket \(BOYACKY_EXPORT_BUCKET\).*s3:PutObject/);
    });
  });

  describe("a local directory laid out like the bucket", () => {
    let directory: string;

    beforeEach(() => {
      directory = mkdtempSync(path.join(tmpdir(), "boyacky-exports-"));
    });

    afterEach(() => {
      rmSync(directory, { recursive: true, force: true });
    });

    it("writes <dir>/exports/<day>.csv, replacing an earlier file whole and leaving nothing else", async () => {
      const destination = new DirectoryDestination(directory);
      const file = path.join(directory, "exports", "2026-11-22.csv");
      assert.equal(destination.locate(KEY), file);
      await destination.put({ key: KEY, body: Buffer.from("first, and longer"), contentType: "text/csv" });
      await destination.put({ key: KEY, body: Buffer.from("second"), contentType: "text/csv" });
      assert.equal(readFileSync(file, "utf8"), "second");
      assert.deepEqual(readdirSync(path.dirname(file)), ["2026-11-22.csv"]);
    });

    it("fails when the directory cannot be written", async () => {
      const blocked = path.join(directory, "a-file");
      writeFileSync(blocked, "");
      await assert.rejects(new DirectoryDestination(blocked).put({ key: KEY, body: Buffer.from("x"), contentType: "text/csv" }), {
        code: "ENOTDIR",
      });
    });
  });
});
