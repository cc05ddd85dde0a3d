import type { IncomingMessage, ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from "fastify";
import helmet, { type HelmetOptions } from "helmet";
import { AppRefusal, parserProblem, problemBody, UNSUPPORTED_CONTENT_ENCODING } from "./errors";

/**
 * What the app does at the HTTP level, outside any route: how long a request may take to arrive,
 * the answers to requests Node's parser refuses, and content codings.
 */

/**
 * Fastify's timeout settings. Each request, headers and body, must arrive within
 * `requestTimeoutMs`: a client trickling its body would otherwise hold a connection (and a
 * shutdown) forever. Node enforces the body's part only when headersTimeout is not longer, and
 * checks every connectionsCheckingInterval (30 s by default). connectionTimeout (an idle-socket
 * timeout) stays off: keep-alive connections must outlive the ALB's 60 s idle timeout (Fastify's
 * keepAliveTimeout is 72 s), or the ALB would answer 502 on a connection the app just closed.
 */
export function timeoutOptions(
  requestTimeoutMs: number,
): Pick<FastifyServerOptions, "requestTimeout"> & { http: { headersTimeout: number; connectionsCheckingInterval: number } } {
  return {
    requestTimeout: requestTimeoutMs,
    http: { headersTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.min(requestTimeoutMs, 1_000) },
  };
}

/** The headers helmet sets with `options`, for the answers written before Fastify's hooks run. */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const collector = { setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value), removeHeader: () => undefined };
  helmet(options)({} as IncomingMessage, collector as unknown as ServerResponse, () => undefined);
  return headers;
}

// Node's error; `rawPacket` is the chunk the parser was reading (Fastify's type says otherwise).
type ParserError = Error & { code?: string; rawPacket?: unknown };

// The request line, when the bytes Node's parser refused start with one.
const REQUEST_LINE = /^[A-Z]+ (\/\S*) HTTP\/1\.[01]\r?\n/;

/**
 * Answers for requests that Node's HTTP parser refuses before Fastify sees them: conflicting
 * Content-Length and Transfer-Encoding (a request smuggling attempt), headers over 16 KiB, bytes
 * that are not HTTP, a request that did not arrive within the request timeout. Each gets the
 * security headers and the app's error shape like any other refusal; JSON or the page is chosen
 * by the request's path, from the refused bytes or, for a request cut off mid-body, the
 * connection's latest request.
 */
export function parserRefusals(securityHeaders: Record<string, string>) {
  const latestPath = new WeakMap<Socket, string>();
  return {
    /** The server's `request` listener that remembers each connection's latest path. */
    remember(request: IncomingMessage): void {
      latestPath.set(request.socket, request.url ?? "/");
    },
    /** Fastify's `clientErrorHandler`. */
    clientErrorHandler(this: FastifyInstance, error: ParserError, socket: Socket): void {
      // A reset connection has no one left to answer.
      if (error.code === "ECONNRESET" || socket.destroyed) return;
      const problem = parserProblem(error);
      this.log.info({ code: problem.code, reason: error.code }, "request refused by the HTTP parser");
      const refused = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString("latin1") : "";
      const path = REQUEST_LINE.exec(refused)?.[1] ?? latestPath.get(socket) ?? "/";
      const { type, body } = problemBody(path, problem);
      const headers = { ...securityHeaders, "content-type": type, "content-length": String(Buffer.byteLength(body)), connection: "close" };
      const head = [
        `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}`,
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      ];
      // Closed once written: what the client sends next cannot be trusted to frame a request.
      if (socket.writable) socket.end(`${head.join("\r\n")}\r\n\r\n${body}`, () => socket.destroy());
      else socket.destroy();
    },
  };
}

// No Content-Encoding, or only `identity` (which means none), in any case.
const IDENTITY = /^\s*(identity\s*)?$/i;

/**
 * An onRequest hook: the app decodes no content coding, so a body labelled gzip, br or deflate
 * would be read as if it were plain. RFC 9110 (15.5.16) says 415, naming what is accepted in
 * Accept-Encoding.
 */
export async function refuseContentCoding(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const coding = request.headers["content-encoding"];
  if (coding === undefined || IDENTITY.test(coding)) return;
  reply.header("accept-encoding", "identity");
  throw new AppRefusal(UNSUPPORTED_CONTENT_ENCODING, 415, `unsupported Content-Encoding: ${coding}`);
}
