import path from "node:path";
import { ConfigError, loadConfig, type AppConfig } from "../config";

/** The export job's settings, from environment variables (see app/README.md). */
export interface ExportConfig extends Pick<AppConfig, "tableName" | "timeZone" | "dynamoEndpoint" | "region" | "logLevel"> {
  /** BOYACKY_EXPORT_BUCKET (in AWS), or BOYACKY_EXPORT_DIR (a local run): exactly one is set. */
  destination: { bucket: string } | { directory: string };
  /** COMPREHEND_ENDPOINT: endpoint override (a local stand-in); default AWS. */
  comprehendEndpoint?: string;
  /** S3_ENDPOINT: endpoint override (a local S3 server, path-style); default AWS. */
  s3Endpoint?: string;
}

// S3's rules for new bucket names: 3-63 characters, lower-case letters, digits, dots and hyphens,
// starting and ending with a letter or digit.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function endpoint(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    throw new ConfigError(`${name}=${raw} is not an endpoint: use a URL such as http://127.0.0.1:4566, or unset it to use AWS.`);
  }
  return raw;
}

/**
 * Reads and validates the job's settings; throws ConfigError on the first bad value. The settings
 * it shares with the server (table, time zone, region, log level...) go through the server's own
 * `loadConfig`, so both read them the same way.
 */
export function loadExportConfig(env: NodeJS.ProcessEnv = process.env): ExportConfig {
  const { tableName, timeZone, dynamoEndpoint, region, logLevel } = loadConfig(env);
  const bucket = env.BOYACKY_EXPORT_BUCKET || undefined;
  const directory = env.BOYACKY_EXPORT_DIR || undefined;
  if (bucket && directory) {
    throw new ConfigError(
      "BOYACKY_EXPORT_BUCKET and BOYACKY_EXPORT_DIR are both set: set the bucket to upload to S3, or the directory for a local run, not both.",
    );
  }
  if (!bucket && !directory) {
    throw new ConfigError(
      "BOYACKY_EXPORT_BUCKET is not set: set it to the S3 bucket that receives exports/<day>.csv (or, for a local run, BOYACKY_EXPORT_DIR to a directory).",
    );
  }
  if (bucket && !BUCKET_NAME.test(bucket)) {
    throw new ConfigError(
      `BOYACKY_EXPORT_BUCKET=${bucket} is not an S3 bucket name: use 3-63 of a-z 0-9 . - starting and ending with a letter or digit.`,
    );
  }
  return {
    tableName,
    timeZone,
    dynamoEndpoint,
    region,
    logLevel,
    destination: bucket ? { bucket } : { directory: path.resolve(directory!) },
    comprehendEndpoint: endpoint(env, "COMPREHEND_ENDPOINT"),
    s3Endpoint: endpoint(env, "S3_ENDPOINT"),
  };
}
