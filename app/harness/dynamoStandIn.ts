/**
 * A DynamoDB stand-in on 127.0.0.1 for failure tests: a tiny HTTP server that speaks just enough
 * of DynamoDB's JSON protocol (`X-Amz-Target: DynamoDB_20120810.<Operation>`, JSON bodies,
 * `__type` errors). For each request a plan decides what DynamoDB "does":
 *
 *   - forward it to a real (local) DynamoDB, optionally after a delay: a slow DynamoDB; or
 *     forward it and then drop the connection instead of answering: the request took effect but
 *     its answer was lost (as when a timeout or a network fault strikes at the wrong moment);
 *   - answer ProvisionedThroughputExceededException (HTTP 400), as a throttled table does;
 *   - answer a fixed response;
 *   - never answer (the connection stays open): a stalled DynamoDB.
 *
 *   const slow = await startDynamoStandIn({ upstream: dynamo.endpoint, plan: () => ({ forward: { delayMs: 400 } }) });
 *   const flaky = await startDynamoStandIn({ upstream: dynamo.endpoint, plan: throttleFirst(2, "PutItem") });
 *   createDynamoClient({ endpoint: flaky.endpoint })   // the app under test talks to the stand-in
 *   flaky.count("PutItem")                             // attempts the SDK made
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the plan sees it. */
export interface StandInRequest {
  /** The DynamoDB operation, from X-Amz-Target: `PutItem`, `Query`, `DescribeTable`... */
  operation: string;
  /** 1 for the first request of this operation, 2 for the second (a retry, say)... */
  attempt: number;
}

/** What the stand-in does with a request. */
export type StandInAnswer =
  | { forward: { delayMs?: number; loseAnswer?: boolean } }
  | { throttle: true }
  | { reply: { status: number; body: unknown } }
  | { hang: true };

export type StandInPlan = (request: StandInRequest) => StandInAnswer;

export interface DynamoStandInOptions {
  /** The DynamoDB to forward to (`http://127.0.0.1:<port>`); needed only by plans that forward. */
  upstream?: string;
  plan: StandInPlan;
}

export interface DynamoStandIn {
  /** `http://127.0.0.1:<port>`: give it to `createDynamoClient({ endpoint })` or DYNAMODB_ENDPOINT. */
  endpoint: string;
  /** Operations received, in arrival order. */
  readonly received: readonly string[];
  /** Requests of `operation` received so far (every operation when absent). */
  count(operation?: string): number;
  /** Requests received and not answered yet. */
  readonly pending: number;
  /** Stops listening and drops every connection (hung requests included). */
  close(): Promise<void>;
}

const DYNAMODB_JSON = "application/x-amz-json-1.0";

/** The error body DynamoDB sends for an exception of type `name`. */
export function dynamoError(name: string, message: string): { __type: string; message: string } {
  return { __type: `com.amazonaws.dynamodb.v20120810#${name}`, message };
}

export const THROTTLED = dynamoError(
  "ProvisionedThroughputExceededException",
  "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
);

/** Forward everything, each request `delayMs` late: a slow DynamoDB. */
export function delayAll(delayMs: number): StandInPlan {
  return () => ({ forward: { delayMs } });
}

/** Throttle the first `times` requests of `operation` (every one with Infinity), forward the rest. */
export function throttleFirst(times: number, operation: string): StandInPlan {
  return (request) => (request.operation === operation && request.attempt <= times ? { throttle: true } : { forward: {} });
}

/** The whole body of a request (also used by the other stand-ins in this folder). */
export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.once("end", () => resolve(Buffer.concat(chunks)));
    request.once("error", reject);
  });
}

/** Answers `body` as JSON, in the AWS JSON protocol's media type (DynamoDB's 1.0 by default). */
export function sendJson(response: ServerResponse, status: number, body: unknown, contentType = DYNAMODB_JSON): void {
  const payload = Buffer.from(JSON.stringify(body));
  response.writeHead(status, { "content-type": contentType, "content-length": payload.length, "x-amzn-requestid": "stand-in" });
  response.end(payload);
}

export function startDynamoStandIn(options: DynamoStandInOptions): Promise<DynamoStandIn> {
  const upstream = options.upstream ? new URL(options.upstream) : undefined;
  const agent = new Agent({ keepAlive: true });
  const received: string[] = [];
  const attempts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let pending = 0;

  function forward(request: IncomingMessage, body: Buffer, response: ServerResponse, loseAnswer = false): void {
    if (!upstream) {
      sendJson(response, 500, dynamoError("InternalServerError", "the stand-in has no upstream to forward to"));
      return;
    }
    const outgoing = httpRequest(
      {
        agent,
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: upstream.host },
      },
      (answer) => {
        if (loseAnswer) {
          answer.resume();
          answer.once("end", () => response.destroy());
          return;
        }
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.once("error", () => {
      // The upstream is down: a dropped connection, as an unreachable DynamoDB would give.
      response.destroy();
    });
    outgoing.end(body);
  }

  const server = createServer(async (request, response) => {
    pending += 1;
    response.once("close", () => {
      pending -= 1;
    });
    const body = await readBody(request).catch(() => undefined);
    if (body === undefined) return;
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.slice(target.indexOf(".") + 1);
    const attempt = (attempts.get(operation) ?? 0) + 1;
    attempts.set(operation, attempt);
    received.push(operation);
    const answer = options.plan({ operation, attempt });
    if ("hang" in answer) return;
    if ("throttle" in answer) return sendJson(response, 400, THROTTLED);
    if ("reply" in answer) return sendJson(response, answer.reply.status, answer.reply.body);
    const { delayMs = 0, loseAnswer = false } = answer.forward;
    if (delayMs <= 0) return forward(request, body, response, loseAnswer);
    const timer = setTimeout(() => {
      timers.delete(timer);
      forward(request, body, response, loseAnswer);
    }, delayMs);
    timers.add(timer);
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        received,
        count: (operation) => (operation === undefined ? received.length : received.filter((name) => name === operation).length),
        get pending() {
          return pending;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const timer of timers) clearTimeout(timer);
            timers.clear();
            server.close(() => done());
            server.closeAllConnections();
            agent.destroy();
          }),
      });
    });
  });
}
