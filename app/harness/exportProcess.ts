/**
 * Runs the export job as its own process, as ECS does, and collects its exit code, its JSON log
 * lines and its stderr.
 *
 *   const run = await runExport("sources", ["--day", "2026-11-22"], { BOYACKY_EXPORT_DIR: dir, ... });
 *   run.code; run.logs.find((entry) => entry.msg === "export done")
 *
 * The environment is not inherited: besides PATH it holds only `env` and what keeps the AWS SDK
 * on this machine (no credentials files, no EC2 metadata probe), so no test reaches AWS or
 * depends on the developer's own credentials.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { ROOT, type LogEntry } from "./appProcess";
import { S3_CREDENTIALS, type S3Server } from "./s3Server";

export const EXPORT_ENTRY_POINTS = {
  /** app/src/export.ts through tsx, as `npm run export` runs it. */
  sources: ["--import", "tsx", path.join(ROOT, "app", "src", "export.ts")],
  /** The image's bundle (`npm run build --prefix app` first), as the ECS task runs it. */
  bundle: [path.join(ROOT, "app", "dist", "export.js")],
  /** `npm run export`'s script. */
  script: ["--import", "tsx", path.join(ROOT, "scripts", "export.ts")],
} as const;

/** Keeps the SDK's credential chain local: no shared files, no EC2 instance metadata. */
export const NO_AWS_ACCOUNT: Readonly<Record<string, string>> = {
  AWS_CONFIG_FILE: path.join(ROOT, ".no-such-aws-config"),
  AWS_SHARED_CREDENTIALS_FILE: path.join(ROOT, ".no-such-aws-credentials"),
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

/**
 * The settings of a run as in AWS, every service on loopback: the table on a local DynamoDB, the
 * bucket on s3rver (signed with its key pair), Comprehend's stand-in.
 */
export function loopbackAwsEnv(services: {
  dynamoEndpoint: string;
  tableName: string;
  s3: Pick<S3Server, "bucket" | "endpoint">;
  comprehendEndpoint: string;
}): Record<string, string> {
  return {
    DYNAMODB_ENDPOINT: services.dynamoEndpoint,
    BOYACKY_TABLE: services.tableName,
    AWS_REGION: "ap-northeast-1",
    BOYACKY_EXPORT_BUCKET: services.s3.bucket,
    S3_ENDPOINT: services.s3.endpoint,
    COMPREHEND_ENDPOINT: services.comprehendEndpoint,
    AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
  };
}

export interface ExportRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout's lines that are JSON log entries, and those that are not (--help's text). */
  logs: LogEntry[];
  otherLines: string[];
}

export function runExport(
  entry: keyof typeof EXPORT_ENTRY_POINTS,
  args: readonly string[],
  env: Record<string, string>,
): Promise<ExportRun> {
  const child = spawn(process.execPath, [...EXPORT_ENTRY_POINTS[entry], ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "", ...NO_AWS_ACCOUNT, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  // Bounded: a job that hangs is killed, and its run fails the test instead of the suite hanging.
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(killer);
      const logs: LogEntry[] = [];
      const otherLines: string[] = [];
      for (const line of stdout.split("\n").filter((text) => text !== "")) {
        try {
          logs.push(JSON.parse(line) as LogEntry);
        } catch {
          otherLines.push(line);
        }
      }
      resolve({ code, stdout, stderr, logs, otherLines });
    });
  });
}
