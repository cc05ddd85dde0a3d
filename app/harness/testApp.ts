/**
 * Boyacky wired for tests: dynalite on 127.0.0.1 (in-process, in memory), a table with a unique
 * name, the real SDK client and `GrumbleStore`, and the Fastify app from `buildHttpApp`.
 *
 *   const t = await startTestApp();                  // requests with t.app.inject(...)
 *   const t = await startTestApp({ listen: true });  // also on 127.0.0.1:<free port>: t.baseUrl
 *   ...
 *   await t.close();                                 // app, SDK client, and dynalite if it owns it
 *
 * The store's clock is a `TestClock` (2026-11-22 12:00 in Asia/Tokyo, 1 ms per reading) unless
 * `now` is given: pass `now: () => new Date()` for the real time. Several apps can share one
 * dynalite (`dynamo: await startTestDynamo()`), each then only closes its own table's users.
 * Rate limiting is off unless `rateLimit` is given (see `TestAppOptions.rateLimit`).
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { startLocalDynamo, type LocalDynamo } from "./localDynamo";
import type { RateLimitSettings } from "../src/config";
import { buildHttpApp } from "../src/http/app";
import type { TrustedProxies } from "../src/http/clientIdentity";
import { createDynamoClient } from "../src/store/dynamoClient";
import { ensureTable } from "../src/store/ensureTable";
import { GrumbleStore } from "../src/store/grumbleStore";
import { TestClock } from "./testClock";

/** dynalite that can be stopped and started again on the same port (for outage tests). */
export class TestDynamo {
  private constructor(
    private current: LocalDynamo | undefined,
    /** The port stays the same across restarts, so clients keep working after `start()`. */
    readonly port: number,
  ) {}

  static async start(): Promise<TestDynamo> {
    const local = await startLocalDynamo();
    return new TestDynamo(local, local.port);
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Stops the server: connections are refused until `start()`. Its data (in memory) is lost. */
  async stop(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await current?.stop();
  }

  /** Starts an empty dynalite again on the same port. */
  async start(): Promise<void> {
    if (this.current) return;
    this.current = await startLocalDynamo({ port: this.port });
  }
}

/** Starts a dynalite that several test apps can share (`startTestApp({ dynamo })`). */
export function startTestDynamo(): Promise<TestDynamo> {
  return TestDynamo.start();
}

export interface TestAppOptions {
  /** An already running dynalite to use (not stopped by `close()`); default: a new one. */
  dynamo?: TestDynamo;
  /** Table name; default a unique `boyacky-test-...`. */
  tableName?: string;
  /** The store's clock; default a new `TestClock`. */
  now?: () => Date;
  /** Default Asia/Tokyo. */
  timeZone?: string;
  /** Grumbles per page; default 50 (as in production). */
  pageSize?: number;
  retentionDays?: number;
  /** Fastify logger; default off. */
  logger?: FastifyServerOptions["logger"];
  /** Also listen on 127.0.0.1 on a free port; default false (use `app.inject`). */
  listen?: boolean;
  /**
   * Endpoint the store's SDK client talks to instead of dynalite, e.g. a DynamoDB stand-in in
   * front of it (support/dynamoStandIn.ts). The table is still created, and `storedItems()` still
   * read, directly on dynalite.
   */
  storeEndpoint?: string;
  /**
   * Per-client-IP rate limits; default NO_RATE_LIMIT (both off), unlike production (config.ts:
   * 300 requests and 60 writes a minute), so that load-style tests from one IP are not throttled.
   * A test of the limits passes its own, e.g. `{ perMinute: 5, writesPerMinute: 2 }`.
   */
  rateLimit?: RateLimitSettings;
  /** The proxies whose X-Forwarded-For is believed (an ALB: 1 hop); default none. */
  trustedProxies?: TrustedProxies;
  /** The header a trusted proxy gives the viewer's protocol in; default X-Forwarded-Proto. */
  forwardedProtoHeader?: string;
  /** How long a request may take to arrive; default production's (config.ts). */
  requestTimeoutMs?: number;
  /** Signs the CSRF cookie; default a random one per app, as in production without BOYACKY_COOKIE_SECRET. */
  cookieSecret?: string;
}

/** Both rate limits off: the test app's default. */
export const NO_RATE_LIMIT: Readonly<RateLimitSettings> = { perMinute: 0, writesPerMinute: 0 };

export interface TestApp {
  app: FastifyInstance;
  store: GrumbleStore;
  /** The SDK client the store uses (pointing at `dynamo`, or at `storeEndpoint` when given). */
  client: DynamoDBClient;
  dynamo: TestDynamo;
  tableName: string;
  timeZone: string;
  /** `http://127.0.0.1:<port>` when started with `listen: true`. */
  baseUrl?: string;
  /** Every item in the table, read directly on dynalite with the SDK (not through the store). */
  storedItems(): Promise<Record<string, unknown>[]>;
  /** Stops dynalite: the app stays up and should answer 503 where it needs DynamoDB. */
  stopDynamo(): Promise<void>;
  /** Starts dynalite again on the same port and recreates the (now empty) table. */
  restartDynamo(): Promise<void>;
  /** Closes the app and the client, and stops dynalite unless it was passed in. Idempotent. */
  close(): Promise<void>;
}

export interface ListeningTestApp extends TestApp {
  baseUrl: string;
}

// The SDK warns once per process that its 2027 releases will need Node 22; the project targets
// Node 20 knowingly, and the warning would only clutter test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

let tableCounter = 0;

/** A table name no other test (in this or a parallel process) uses. */
export function uniqueTableName(): string {
  tableCounter += 1;
  return `boyacky-test-${process.pid}-${tableCounter}-${randomBytes(3).toString("hex")}`;
}

export async function startTestApp(options: TestAppOptions & { listen: true }): Promise<ListeningTestApp>;
export async function startTestApp(options?: TestAppOptions): Promise<TestApp>;
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownsDynamo = options.dynamo === undefined;
  const dynamo = options.dynamo ?? (await startTestDynamo());
  const tableName = options.tableName ?? uniqueTableName();
  const timeZone = options.timeZone ?? "Asia/Tokyo";
  // Creates the table and reads it for `storedItems()`; also the store's client unless `storeEndpoint`.
  const direct = createDynamoClient({ endpoint: dynamo.endpoint, region: "ap-northeast-1" });
  const client = options.storeEndpoint ? createDynamoClient({ endpoint: options.storeEndpoint, region: "ap-northeast-1" }) : direct;
  let app: FastifyInstance | undefined;
  let closed = false;

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await app?.close();
    if (client !== direct) client.destroy();
    direct.destroy();
    if (ownsDynamo) await dynamo.stop();
  }

  try {
    await ensureTable(direct, tableName);
    const store = new GrumbleStore({
      client,
      tableName,
      timeZone,
      retentionDays: options.retentionDays,
      now: options.now ?? new TestClock().now,
    });
    app = await buildHttpApp({
      store,
      timeZone,
      pageSize: options.pageSize ?? 50,
      logger: options.logger ?? false,
      rateLimit: options.rateLimit ?? NO_RATE_LIMIT,
      trustedProxies: options.trustedProxies,
      forwardedProtoHeader: options.forwardedProtoHeader,
      requestTimeoutMs: options.requestTimeoutMs,
      cookieSecret: options.cookieSecret,
    });
    let baseUrl: string | undefined;
    if (options.listen) {
      await app.listen({ host: "127.0.0.1", port: 0 });
      baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    }
    const documents = DynamoDBDocumentClient.from(direct);
    // Bounded: a page is at most 1 MB, so 1000 pages cover far more than any test stores.
    const storedItems = async () => {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      for (let page = 0; page < 1000; page++) {
        const result = await documents.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
        items.push(...(result.Items ?? []));
        startKey = result.LastEvaluatedKey;
        if (!startKey) return items;
      }
      throw new Error(`storedItems: ${tableName} has more than 1000 pages`);
    };
    return {
      app,
      store,
      client,
      dynamo,
      tableName,
      timeZone,
      baseUrl,
      storedItems,
      stopDynamo: () => dynamo.stop(),
      restartDynamo: async () => {
        await dynamo.start();
        await ensureTable(direct, tableName);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
