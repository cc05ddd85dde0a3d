/**
 * Reliability under load and failure (issue 6): many concurrent posts, a DynamoDB outage, a
 * graceful shutdown of the real server process, and a throttled DynamoDB. All on loopback, with
 * dynalite; every wait is bounded and triggered by what the app or the stand-in reports, never by
 * a fixed sleep.
 */
import assert from "node:assert/strict";
import { Agent, request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import autocannon from "autocannon";
import { createDynamoClient, DYNAMO_MAX_ATTEMPTS, DYNAMO_REQUEST_TIMEOUT_MS } from "../src/store/dynamoClient";
import { ensureTable } from "../src/store/ensureTable";
import { TABLE_KEYS } from "../src/store/tableDesign";
import { LogWatch, startApp, type AppProcess } from "../harness/appProcess";
import { sendRaw } from "../harness/rawHttp";
import { delayAll, startDynamoStandIn, throttleFirst, type DynamoStandIn } from "../harness/dynamoStandIn";
import { startTestApp, startTestDynamo, uniqueTableName, type ListeningTestApp, type TestApp, type TestDynamo } from "../harness/testApp";

const UNAVAILABLE_MESSAGE_JA = "ただいまボヤキを保存・表示できません。しばらくしてからもう一度お試しください。";
const UNAVAILABLE_MESSAGE_EN = "the grumble store (DynamoDB) is unavailable; try again shortly";
/** The longest an answer may take while DynamoDB refuses or throttles: longer counts as a hang. */
const ANSWER_BOUND_MS = 5_000;
/**
 * The same for a DynamoDB that accepts connections and never answers: each attempt waits for the
 * SDK's request timeout; backoff between attempts adds under 0.3 s, the rest is slack.
 */
const STALLED_ANSWER_BOUND_MS = DYNAMO_MAX_ATTEMPTS * DYNAMO_REQUEST_TIMEOUT_MS + 1_000;
const realClock = () => new Date();

interface Answer {
  status: number;
  headers: Headers;
  body: string;
  ms: number;
}

/** A request that fails (instead of hanging) after ANSWER_BOUND_MS, with how long it took. */
async function timedFetch(url: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(ANSWER_BOUND_MS) });
  const body = await response.text();
  return { status: response.status, headers: response.headers, body, ms: performance.now() - started };
}

function postJson(baseUrl: string, text: string): Promise<Answer> {
  return timedFetch(`${baseUrl}/api/boyaki`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text }),
  });
}

/** How many times each value occurs: `{ 201: 198, 503: 2 }`. */
function tally(values: (string | number)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** `promise`, or a rejection naming `what` once `ms` have passed: a hang fails fast. */
async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function duplicates(values: unknown[]): unknown[] {
  const seen = new Set<unknown>();
  return values.filter((value) => (seen.has(value) ? true : (seen.add(value), false)));
}

/** A dynalite with `tableName` created, for the tests that run the app as a process. */
async function dynamoWithTable(tableName: string): Promise<TestDynamo> {
  const dynamo = await startTestDynamo();
  const client = createDynamoClient({ endpoint: dynamo.endpoint });
  await ensureTable(client, tableName);
  client.destroy();
  return dynamo;
}

/** The real server process, from its sources, logging at info into `log`. */
function startLoggedApp(log: LogWatch, env: Record<string, string>): Promise<AppProcess> {
  return startApp("sources", { LOG_LEVEL: "info", ...env }, { onLogLine: log.onLogLine });
}

describe("Reliability", () => {
  describe("2 000 concurrent posts over 50 connections (real clock)", () => {
    let t: ListeningTestApp;

    before(async () => {
      t = await startTestApp({ listen: true, now: realClock });
    });

    after(async () => {
      await t?.close();
    });

    it("answers every post 201 and stores exactly 2 000 items, no text or id twice", async function () {
      this.timeout(40_000); // usually 4-9 s on a busy 2-core machine; dynalite is the bottleneck
      const sent: string[] = [];
      const statuses: number[] = [];
      const returnedIds: string[] = [];
      const result = await autocannon({
        url: t.baseUrl,
        amount: 2_000,
        connections: 50,
        timeout: 10,
        requests: [
          {
            method: "POST",
            path: "/api/boyaki",
            headers: { "content-type": "application/json" },
            // A unique text per request, so a lost or doubled post shows in the table.
            setupRequest: (request) => {
              const text = `負荷${sent.length}`;
              sent.push(text);
              return { ...request, body: JSON.stringify({ text }) };
            },
            onResponse: (status, body) => {
              statuses.push(status);
              if (status === 201) returnedIds.push((JSON.parse(body) as { id: string }).id);
            },
          },
        ],
      });

      assert.deepEqual(tally(statuses), { 201: 2_000 });
      assert.equal(result.errors, 0, "connection errors");
      assert.equal(result.timeouts, 0, "timeouts");
      assert.equal(sent.length, 2_000, "autocannon sent a different number of requests");
      assert.deepEqual(duplicates(returnedIds), [], "ids answered twice");

      const items = await t.storedItems();
      assert.equal(items.length, 2_000);
      const texts = items.map((item) => item.text);
      assert.deepEqual(duplicates(texts), [], "texts stored twice");
      assert.deepEqual(new Set(texts), new Set(sent), "stored texts differ from the posted ones");
      const storedIds = items.map((item) => `${item[TABLE_KEYS.partitionKey]}_${item[TABLE_KEYS.sortKey]}`);
      assert.deepEqual(duplicates(storedIds), []);
      assert.deepEqual(new Set(storedIds), new Set(returnedIds), "stored ids differ from the answered ones");
    });
  });

  describe("DynamoDB outage (dynalite stopped while the app runs)", () => {
    let t: ListeningTestApp;

    before(async () => {
      t = await startTestApp({ listen: true, now: realClock });
    });

    after(async () => {
      await t?.close();
    });

    it("answers 503 with a clear message in under 5 s, keeps /healthz 200, and recovers without a restart", async () => {
      assert.equal((await postJson(t.baseUrl, "停電前")).status, 201);
      await t.stopDynamo();

      const page = await timedFetch(`${t.baseUrl}/`);
      assert.equal(page.status, 503, "GET /");
      assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
      assert.ok(page.body.includes(UNAVAILABLE_MESSAGE_JA), `GET / shows no Japanese explanation: ${page.body}`);
      assert.equal(page.headers.get("retry-after"), "5");

      const list = await timedFetch(`${t.baseUrl}/api/boyaki`);
      const post = await postJson(t.baseUrl, "停電中");
      for (const [label, answer] of [
        ["GET /api/boyaki", list],
        ["POST /api/boyaki", post],
      ] as const) {
        assert.equal(answer.status, 503, label);
        assert.match(answer.headers.get("content-type") ?? "", /^application\/json/, label);
        assert.deepEqual(JSON.parse(answer.body), { error: "store_unavailable", message: UNAVAILABLE_MESSAGE_EN }, label);
      }
      for (const [label, answer] of [
        ["GET /", page],
        ["GET /api/boyaki", list],
        ["POST /api/boyaki", post],
      ] as const) {
        assert.ok(answer.ms < ANSWER_BOUND_MS, `${label} took ${Math.round(answer.ms)} ms`);
      }

      assert.equal((await timedFetch(`${t.baseUrl}/healthz`)).status, 200, "/healthz must not depend on DynamoDB");
      const ready = await timedFetch(`${t.baseUrl}/readyz`);
      assert.equal(ready.status, 503, "/readyz");
      assert.equal(JSON.parse(ready.body).error, "store_unavailable");

      await t.restartDynamo(); // an empty dynalite on the same port, the table created again
      assert.equal((await timedFetch(`${t.baseUrl}/readyz`)).status, 200, "/readyz after the restart");
      const after = await postJson(t.baseUrl, "復旧");
      assert.equal(after.status, 201, after.body);
      const listed = JSON.parse((await timedFetch(`${t.baseUrl}/api/boyaki`)).body) as { items: { text: string }[] };
      assert.deepEqual(
        listed.items.map((item) => item.text),
        ["復旧"],
      );
      const home = await timedFetch(`${t.baseUrl}/`);
      assert.equal(home.status, 200);
      assert.ok(home.body.includes("復旧"));
    });
  });

  describe("graceful shutdown of the server process (SIGTERM)", () => {
    const IN_FLIGHT = 200;
    const SHUTDOWN_TIMEOUT_MS = 10_000;
    let dynamo: TestDynamo;
    let slow: DynamoStandIn;
    let app: AppProcess | undefined;
    const agents: Agent[] = [];
    const tableName = uniqueTableName();

    before(async () => {
      dynamo = await dynamoWithTable(tableName);
      // Every DynamoDB call takes 400 ms: requests stay in flight long enough to SIGTERM them.
      slow = await startDynamoStandIn({ upstream: dynamo.endpoint, plan: delayAll(400) });
    });

    after(async () => {
      await app?.stop(5_000);
      for (const agent of agents) agent.destroy();
      await slow?.close();
      await dynamo?.stop();
    });

    /** One request over `agent`; resolves with the status, or rejects on a connection error. */
    function send(agent: Agent, method: string, path: string, body?: string): Promise<{ status: number; socket: Socket }> {
      return new Promise((resolve, reject) => {
        const request = httpRequest(
          `${app!.baseUrl}${path}`,
          { agent, method, headers: body === undefined ? {} : { "content-type": "application/json" } },
          (response) => {
            response.resume();
            response.once("end", () => resolve({ status: response.statusCode ?? 0, socket: request.socket! }));
          },
        );
        request.once("error", reject);
        request.end(body);
      });
    }

    /** Whether a new TCP connection to the app is refused (true) or accepted (false). */
    function connectionRefused(port: number): Promise<boolean> {
      return new Promise((resolve, reject) => {
        const socket = connect(port, "127.0.0.1");
        socket.once("connect", () => {
          socket.destroy();
          resolve(false);
        });
        socket.once("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNREFUSED" ? resolve(true) : reject(error)));
      });
    }

    it("finishes the 200 requests in flight, refuses new connections, closes idle keep-alive ones and exits 0 in time", async () => {
      const log = new LogWatch();
      app = await startLoggedApp(log, {
        DYNAMODB_ENDPOINT: slow.endpoint,
        BOYACKY_TABLE: tableName,
        BOYACKY_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
        // 200 posts from one address: limits far above that, so they never refuse one, while
        // the rate-limit plugin still runs as in production.
        BOYACKY_RATE_LIMIT_PER_MINUTE: "1000000",
        BOYACKY_WRITE_RATE_LIMIT_PER_MINUTE: "1000000",
      });
      const { port } = app;
      const exited = app.exited.then((exit) => ({ ...exit, at: performance.now() }));

      // A keep-alive connection left idle: the server must close it instead of waiting for it.
      const idleAgent = new Agent({ keepAlive: true, maxSockets: 1 });
      const busyAgent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
      agents.push(idleAgent, busyAgent);
      const idle = await send(idleAgent, "GET", "/healthz");
      assert.equal(idle.status, 200);
      const idleClosed = new Promise<number>((resolve) => idle.socket.once("close", () => resolve(performance.now())));

      let completed = 0;
      let lastCompletedAt = 0;
      const done = <T>(result: T): T => {
        completed += 1;
        lastCompletedAt = performance.now();
        return result;
      };
      const posts = Array.from({ length: IN_FLIGHT }, (_, index) =>
        send(busyAgent, "POST", "/api/boyaki", JSON.stringify({ text: `終了前${index}` })).then(
          ({ status }) => done(status),
          (error: Error) => done(error.message),
        ),
      );
      const isPost = (entry: Record<string, any>) => entry.msg === "incoming request" && entry.req?.method === "POST";
      // Every request has been received and routed (fastify logs it after its closing check).
      await log.waitFor(() => log.count(isPost) >= IN_FLIGHT, 10_000, `${IN_FLIGHT} POSTs received by the app`);

      const inFlightAtSigterm = IN_FLIGHT - completed;
      const sigtermAt = performance.now();
      app.signal("SIGTERM");
      await log.waitFor(() => log.count((entry) => entry.msg === "shutting down") > 0, 5_000, "the app to log 'shutting down'");

      // Bounded: the server stops listening a few event-loop turns after the signal.
      let refused = false;
      for (let attempt = 0; attempt < 500 && !refused; attempt++) {
        refused = await connectionRefused(port);
        if (!refused) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const inFlightWhenRefused = IN_FLIGHT - completed;
      assert.ok(refused, "new connections were still accepted after SIGTERM");

      const statuses = await Promise.all(posts);
      const exit = await exited;
      const idleClosedAt = await idleClosed;

      assert.ok(inFlightAtSigterm > 0, "no request was in flight at SIGTERM: the test proves nothing");
      assert.ok(inFlightWhenRefused > 0, "new connections were refused only after every request had finished");
      const firstError = log.entries.find((entry) => entry.level >= 50);
      assert.deepEqual(
        tally(statuses),
        { 201: IN_FLIGHT },
        `${inFlightAtSigterm} requests in flight at SIGTERM: all must succeed; first error logged: ${JSON.stringify(firstError?.err?.message ?? firstError)}`,
      );
      const stopMs = exit.at - sigtermAt;
      const lastError = [...log.entries].reverse().find((entry) => entry.level >= 50);
      assert.deepEqual(
        { code: exit.code, signal: exit.signal },
        { code: 0, signal: null },
        `exit ${Math.round(stopMs)} ms after SIGTERM; last error logged: ${JSON.stringify(lastError?.msg)}`,
      );
      assert.ok(stopMs < SHUTDOWN_TIMEOUT_MS, `exited ${Math.round(stopMs)} ms after SIGTERM (timeout ${SHUTDOWN_TIMEOUT_MS} ms)`);
      // Closed by the server at once, not when the process ended.
      assert.ok(idleClosedAt < lastCompletedAt, "the idle keep-alive connection stayed open while requests were in flight");

      const client = createDynamoClient({ endpoint: dynamo.endpoint });
      try {
        const stored = await DynamoDBDocumentClient.from(client).send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
        assert.equal(stored.Items?.length, IN_FLIGHT, "every request in flight at SIGTERM is stored");
      } finally {
        client.destroy();
      }
    });
  });

  describe("slow clients and shutdown (BOYACKY_REQUEST_TIMEOUT_MS)", () => {
    const REQUEST_TIMEOUT_MS = 300;
    const SHUTDOWN_TIMEOUT_MS = 4_000;
    // A request must be cut off after the timeout plus Node's check interval (at most the
    // timeout itself); the rest is slack for a loaded machine, well below the shutdown deadline.
    const CUT_OFF_BOUND_MS = 3 * REQUEST_TIMEOUT_MS + 1_000;
    const TRICKLED = 'POST /api/boyaki HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"te';
    let dynamo: TestDynamo;
    let app: AppProcess | undefined;
    const tableName = uniqueTableName();

    before(async () => {
      dynamo = await dynamoWithTable(tableName);
    });

    after(async () => {
      await app?.stop(5_000);
      await dynamo?.stop();
    });

    it("cuts off a trickled body with a 408, and SIGTERM with slow requests still arriving exits 0 once they are cut off", async () => {
      const log = new LogWatch();
      app = await startLoggedApp(log, {
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        BOYACKY_TABLE: tableName,
        BOYACKY_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        BOYACKY_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      });
      const { port } = app;

      const cut = await sendRaw(port, TRICKLED, { boundMs: CUT_OFF_BOUND_MS });
      assert.equal(cut.statusCode, 408);
      assert.equal(cut.json().error, "request_timeout");
      assert.ok(cut.ms >= REQUEST_TIMEOUT_MS, `cut off after ${Math.round(cut.ms)} ms, before the timeout`);

      // Two clients still sending at SIGTERM: one in its headers, one in its body.
      const isPost = (entry: Record<string, any>) => entry.msg === "incoming request" && entry.req?.method === "POST";
      const postsBefore = log.count(isPost);
      const slowHeaders = sendRaw(port, "GET / HTTP/1.1\r\nHost: local", { boundMs: SHUTDOWN_TIMEOUT_MS });
      const slowBody = sendRaw(port, TRICKLED, { boundMs: SHUTDOWN_TIMEOUT_MS });
      await log.waitFor(() => log.count(isPost) > postsBefore, 5_000, "the app to receive the trickled POST's headers");
      const sigtermAt = performance.now();
      app.signal("SIGTERM");

      const exit = await app.exited;
      const stopMs = performance.now() - sigtermAt;
      assert.deepEqual(exit, { code: 0, signal: null }, `exit ${Math.round(stopMs)} ms after SIGTERM`);
      assert.ok(stopMs < CUT_OFF_BOUND_MS, `exited ${Math.round(stopMs)} ms after SIGTERM: the slow requests held the shutdown`);
      for (const answer of await Promise.all([slowHeaders, slowBody])) assert.equal(answer.statusCode, 408);
    });
  });

  describe("DynamoDB throttling and stalls (a stand-in in front of dynalite)", () => {
    let dynamo: TestDynamo;
    let standIn: DynamoStandIn | undefined;
    let t: TestApp | undefined;

    before(async () => {
      dynamo = await startTestDynamo();
    });

    afterEach(async () => {
      await t?.close();
      await standIn?.close();
      t = undefined;
      standIn = undefined;
    });

    after(async () => {
      await dynamo?.stop();
    });

    async function appBehind(plan: Parameters<typeof startDynamoStandIn>[0]["plan"]): Promise<TestApp> {
      standIn = await startDynamoStandIn({ upstream: dynamo.endpoint, plan });
      t = await startTestApp({ dynamo, storeEndpoint: standIn.endpoint, now: realClock });
      return t;
    }

    function post(app: TestApp, text: string) {
      return app.app.inject({ method: "POST", url: "/api/boyaki", headers: { "content-type": "application/json" }, payload: { text } });
    }

    it("rides out 2 throttles through the SDK's retries: 201 on the 3rd attempt, stored once", async () => {
      const app = await appBehind(throttleFirst(2, "PutItem"));
      const response = await post(app, "混雑");
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(standIn!.count("PutItem"), 3);
      assert.deepEqual(
        (await app.storedItems()).map((item) => item.text),
        ["混雑"],
      );
    });

    it("answers 201 once when DynamoDB stored a post but its answer was lost: the SDK's retry is not an error", async () => {
      const app = await appBehind((request) => ({ forward: { loseAnswer: request.operation === "PutItem" && request.attempt === 1 } }));
      const response = await post(app, "二度目");
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(standIn!.count("PutItem"), 2, "the SDK retried the PutItem whose answer was lost");
      const stored = await app.storedItems();
      assert.deepEqual(
        stored.map((item) => item.text),
        ["二度目"],
      );
      assert.equal(`${stored[0][TABLE_KEYS.partitionKey]}_${stored[0][TABLE_KEYS.sortKey]}`, JSON.parse(response.body).id);
    });

    it("answers 503 when throttled every time, after exactly maxAttempts attempts, in bounded time", async () => {
      const app = await appBehind(() => ({ throttle: true }));
      const maxAttempts = await app.client.config.maxAttempts();
      assert.equal(maxAttempts, DYNAMO_MAX_ATTEMPTS);
      await expectUnavailable(app, maxAttempts, ANSWER_BOUND_MS);
      assert.deepEqual(await app.storedItems(), []);
    });

    it("answers 503 in bounded time when DynamoDB accepts connections but never answers", async () => {
      const app = await appBehind(() => ({ hang: true }));
      await expectUnavailable(app, await app.client.config.maxAttempts(), STALLED_ANSWER_BOUND_MS);
      assert.equal((await app.app.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
    });

    /** A post, the API list, the page and /readyz at once: each 503 within `boundMs`, after maxAttempts attempts. */
    async function expectUnavailable(app: TestApp, maxAttempts: number, boundMs: number): Promise<void> {
      const requests = [
        ["POST /api/boyaki", () => post(app, "大混雑")],
        ["GET /api/boyaki", () => app.app.inject({ method: "GET", url: "/api/boyaki" })],
        ["GET /", () => app.app.inject({ method: "GET", url: "/" })],
        ["GET /readyz", () => app.app.inject({ method: "GET", url: "/readyz" })],
      ] as const;
      const answers = await Promise.all(
        requests.map(async ([label, request]) => {
          const started = performance.now();
          const response = await within(boundMs, request(), label);
          return { label, status: response.statusCode, ms: performance.now() - started };
        }),
      );
      for (const { label, status, ms } of answers) {
        assert.equal(status, 503, label);
        assert.ok(ms < boundMs, `${label} took ${Math.round(ms)} ms`);
      }
      // Two Queries (API and page), one PutItem, one DescribeTable, each tried maxAttempts times.
      assert.deepEqual(
        { PutItem: standIn!.count("PutItem"), Query: standIn!.count("Query"), DescribeTable: standIn!.count("DescribeTable") },
        { PutItem: maxAttempts, Query: 2 * maxAttempts, DescribeTable: maxAttempts },
      );
    }
  });
});
