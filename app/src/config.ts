import { CONTAINER_PORT, SHUTDOWN_TIMEOUT_MS } from "./contract";
import { isValidTimeZone } from "./domain/calendar";
import { DEFAULT_PROTO_HEADER, parseTrustedProxies, type TrustedProxies } from "./http/clientIdentity";

/** The app's settings, all from environment variables (see app/README.md). */
/** BOYACKY_TABLE's default: the table of a local run (`npm run dev`, `npm run export`). */
export const DEFAULT_TABLE_NAME = "boyacky";

export interface AppConfig {
  /** PORT: TCP port to listen on. Default 8080. */
  port: number;
  /** HOST: address to bind. Default 0.0.0.0 (all interfaces, as a container needs). */
  host: string;
  /** BOYACKY_TABLE: DynamoDB table name. Default `boyacky`. */
  tableName: string;
  /** BOYACKY_TIME_ZONE: IANA zone whose calendar day is "today". Default Asia/Tokyo. */
  timeZone: string;
  /** BOYACKY_PAGE_SIZE: grumbles per page. Default 50, at most 100. */
  pageSize: number;
  /** BOYACKY_RETENTION_DAYS: days before DynamoDB TTL expires a grumble. Default: never. */
  retentionDays?: number;
  /** DYNAMODB_ENDPOINT: endpoint override for a local DynamoDB. Default: AWS. */
  dynamoEndpoint?: string;
  /** AWS_REGION: region of the table. Default ap-northeast-1. */
  region?: string;
  /** LOG_LEVEL: pino level. Default info. */
  logLevel: string;
  /**
   * BOYACKY_TRUSTED_PROXIES: the proxies whose X-Forwarded-For and X-Forwarded-Proto are believed:
   * `none`, a hop count (1 behind an ALB) or CIDRs (the VPC's range, as the stack sets it).
   * Default none: the socket's peer is the client.
   */
  trustedProxies: TrustedProxies;
  /**
   * BOYACKY_FORWARDED_PROTO_HEADER: the header in which the trusted proxies give the viewer's
   * protocol. Default x-forwarded-proto (the ALB); behind CloudFront cloudfront-forwarded-proto.
   */
  forwardedProtoHeader: string;
  /** BOYACKY_SHUTDOWN_TIMEOUT_MS: longest wait for in-flight requests on SIGTERM. Default 10000. */
  shutdownTimeoutMs: number;
  /**
   * BOYACKY_REQUEST_TIMEOUT_MS: longest a request (headers and body) may take to arrive; a slower
   * one gets 408 and its connection is closed. Default 5000, and shorter than the shutdown timeout.
   */
  requestTimeoutMs: number;
  /**
   * BOYACKY_COOKIE_SECRET: signs the CSRF cookie, at least 32 characters; every task behind one
   * load balancer needs the same. Default: none, and server.ts makes a random one per process.
   */
  cookieSecret?: string;
  /** Requests per minute per client IP (see `RateLimitSettings`). */
  rateLimit: RateLimitSettings;
}

/**
 * Per-client-IP limits, counted per minute by @fastify/rate-limit. The client IP is the socket's
 * address, or behind BOYACKY_TRUSTED_PROXIES the nearest one they did not add themselves.
 * 0 turns a limit off (e.g. when a WAF in front already limits).
 */
export interface RateLimitSettings {
  /** BOYACKY_RATE_LIMIT_PER_MINUTE: all requests (pages, API, static files) except /healthz. Default 300. */
  perMinute: number;
  /** BOYACKY_WRITE_RATE_LIMIT_PER_MINUTE: POST and DELETE requests, all routes together. Default 60. */
  writesPerMinute: number;
}

export const DEFAULT_RATE_LIMIT: Readonly<RateLimitSettings> = { perMinute: 300, writesPerMinute: 60 };
const MAX_RATE_LIMIT_PER_MINUTE = 1_000_000;

/** Thrown with a message naming the variable, its value and what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export const MAX_PAGE_SIZE = 100;
/** A grumble's request is a few KiB: even a poor mobile link sends it in well under a second. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
const MIN_COOKIE_SECRET_LENGTH = 32;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw} is not valid: use a whole number from ${min} to ${max}.`);
  }
  return value;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** Reads and validates the configuration; throws ConfigError on the first bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const timeZone = env.BOYACKY_TIME_ZONE || "Asia/Tokyo";
  if (!isValidTimeZone(timeZone)) {
    throw new ConfigError(`BOYACKY_TIME_ZONE=${timeZone} is not a known IANA time zone: use e.g. Asia/Tokyo or UTC.`);
  }
  const logLevel = env.LOG_LEVEL || "info";
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL=${logLevel} is not valid: use one of ${LOG_LEVELS.join(", ")}.`);
  }
  const tableName = env.BOYACKY_TABLE || DEFAULT_TABLE_NAME;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    throw new ConfigError(`BOYACKY_TABLE=${tableName} is not a DynamoDB table name: use 3-255 of A-Z a-z 0-9 _ . -`);
  }
  if (env.BOYACKY_TRUST_PROXY !== undefined) {
    throw new ConfigError(
      "BOYACKY_TRUST_PROXY is no longer read: `true` trusted every X-Forwarded-For entry, so a client could pick its own IP. " +
        "Remove it and set BOYACKY_TRUSTED_PROXIES instead: 1 behind an ALB, or the CIDR of the network the proxies are in (e.g. 10.0.0.0/16).",
    );
  }
  const trustedProxies = parseTrustedProxies(env.BOYACKY_TRUSTED_PROXIES ?? "");
  if ("problem" in trustedProxies) {
    throw new ConfigError(
      `BOYACKY_TRUSTED_PROXIES=${env.BOYACKY_TRUSTED_PROXIES} is not valid (${trustedProxies.problem}): use none, a hop count (1 behind an ALB) or comma-separated CIDRs of the proxies.`,
    );
  }
  const forwardedProtoHeader = (env.BOYACKY_FORWARDED_PROTO_HEADER || DEFAULT_PROTO_HEADER).toLowerCase();
  if (!/^[a-z0-9-]{1,64}$/.test(forwardedProtoHeader)) {
    throw new ConfigError(
      `BOYACKY_FORWARDED_PROTO_HEADER=${env.BOYACKY_FORWARDED_PROTO_HEADER} is not a header name: use e.g. x-forwarded-proto or cloudfront-forwarded-proto.`,
    );
  }
  const retention = env.BOYACKY_RETENTION_DAYS;
  const shutdownTimeoutMs = integer(env, "BOYACKY_SHUTDOWN_TIMEOUT_MS", SHUTDOWN_TIMEOUT_MS, 0, 120_000);
  const requestTimeoutMs = integer(env, "BOYACKY_REQUEST_TIMEOUT_MS", DEFAULT_REQUEST_TIMEOUT_MS, 100, 120_000);
  if (requestTimeoutMs >= shutdownTimeoutMs) {
    throw new ConfigError(
      `BOYACKY_REQUEST_TIMEOUT_MS=${requestTimeoutMs} must be shorter than BOYACKY_SHUTDOWN_TIMEOUT_MS=${shutdownTimeoutMs}: ` +
        "a request still arriving at SIGTERM is cut off after the request timeout, which must come before the shutdown's deadline.",
    );
  }
  const cookieSecret = env.BOYACKY_COOKIE_SECRET || undefined;
  if (cookieSecret !== undefined && cookieSecret.length < MIN_COOKIE_SECRET_LENGTH) {
    // The value is a secret: the message gives its length, never the value.
    throw new ConfigError(
      `BOYACKY_COOKIE_SECRET is too short (${cookieSecret.length} characters): use at least ${MIN_COOKIE_SECRET_LENGTH} random characters, e.g. from \`openssl rand -base64 32\`.`,
    );
  }
  return {
    port: integer(env, "PORT", CONTAINER_PORT, 0, 65_535),
    host: env.HOST || "0.0.0.0",
    tableName,
    timeZone,
    pageSize: integer(env, "BOYACKY_PAGE_SIZE", 50, 1, MAX_PAGE_SIZE),
    retentionDays: retention ? integer(env, "BOYACKY_RETENTION_DAYS", 0, 1, 36_500) : undefined,
    dynamoEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    logLevel,
    trustedProxies,
    forwardedProtoHeader,
    shutdownTimeoutMs,
    requestTimeoutMs,
    cookieSecret,
    rateLimit: {
      perMinute: integer(env, "BOYACKY_RATE_LIMIT_PER_MINUTE", DEFAULT_RATE_LIMIT.perMinute, 0, MAX_RATE_LIMIT_PER_MINUTE),
      writesPerMinute: integer(
        env,
        "BOYACKY_WRITE_RATE_LIMIT_PER_MINUTE",
        DEFAULT_RATE_LIMIT.writesPerMinute,
        0,
        MAX_RATE_LIMIT_PER_MINUTE,
      ),
    },
  };
}
