import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/** One export as stored: its object key (`exports/<day>.csv`), bytes and media type. */
export interface ExportObject {
  key: string;
  body: Buffer;
  contentType: string;
}

/** Where exports go: the S3 bucket, or for a local run a directory standing in for it. */
export interface ExportDestination {
  /** Where `key` ends up, for the logs: `s3://bucket/exports/2026-12-01.csv`, or a file path. */
  locate(key: string): string;
  /** Stores the object, replacing any earlier one at the same key. */
  put(object: ExportObject): Promise<void>;
  /** What to check when `put` fails. */
  readonly failureHint: string;
}

/** S3: one PutObject, which replaces an existing object (so a re-run replaces the day's export). */
export class S3Destination implements ExportDestination {
  readonly failureHint: string;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {
    this.failureHint = `check that the bucket ${bucket} (BOYACKY_EXPORT_BUCKET) exists in AWS_REGION and that the task role may s3:PutObject on its exports/ prefix, then run the job again: the object is replaced, not duplicated`;
  }

  locate(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  async put({ key, body, contentType }: ExportObject): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }
}

/** A local directory laid out like the bucket: the object `exports/<day>.csv` is `<dir>/exports/<day>.csv`. */
export class DirectoryDestination implements ExportDestination {
  readonly failureHint: string;

  constructor(private readonly directory: string) {
    this.failureHint = `check that ${directory} (BOYACKY_EXPORT_DIR) can be written to, then run again`;
  }

  locate(key: string): string {
    return path.join(this.directory, ...key.split("/"));
  }

  async put({ key, body }: ExportObject): Promise<void> {
    const file = this.locate(key);
    await mkdir(path.dirname(file), { recursive: true });
    // Written beside and renamed over: a reader never sees half a file, an old one is replaced whole.
    const partial = `${file}.${process.pid}.partial`;
    try {
      await writeFile(partial, body);
      await rename(partial, file);
    } finally {
      await rm(partial, { force: true });
    }
  }
}
