/**
 * A local S3 for the export's tests: s3rver (an S3-compatible server written in Node) on
 * 127.0.0.1 with one bucket, its objects in a temporary folder. It checks SigV4 signatures made
 * with its one key pair, `S3RVER` / `S3RVER` (`S3_CREDENTIALS`), so the tests go through real
 * signing: give a job AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY=S3RVER.
 *
 *   const s3 = await startS3Server("boyacky-exports");
 *   await s3.get("exports/2026-11-22.csv")   // { body, contentType }
 *   await s3.close()
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { createS3Client } from "../src/export/awsClients";

export const S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export interface S3Server {
  /** `http://127.0.0.1:<port>`: S3_ENDPOINT. */
  endpoint: string;
  bucket: string;
  /** A client for this server, signing with `S3_CREDENTIALS` (path-style, as the job's). */
  client: S3Client;
  /** An object's bytes and Content-Type, read back through the SDK. */
  get(key: string): Promise<{ body: Buffer; contentType?: string }>;
  /** Every key in the bucket. */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startS3Server(bucket: string): Promise<S3Server> {
  const directory = mkdtempSync(path.join(tmpdir(), "boyacky-s3-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createS3Client({ region: "ap-northeast-1", endpoint, credentials: S3_CREDENTIALS });
  return {
    endpoint,
    bucket,
    client,
    get: async (key) => {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { body: Buffer.from(await object.Body!.transformToByteArray()), contentType: object.ContentType };
    },
    keys: async () => ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((object) => object.Key!),
    close: async () => {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
