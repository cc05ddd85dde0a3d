import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { buildHttpApp } from "./http/app";
import { ConfigError, loadConfig } from "./config";
import { createDynamoClient } from "./store/dynamoClient";
import { GrumbleStore } from "./store/grumbleStore";

/**
 * The production entry point: reads the environment, listens, and shuts down gracefully on
 * SIGTERM (ECS sends it before stopping a task): stop accepting, finish in-flight requests, exit 0.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const client = createDynamoClient({ region: config.region, endpoint: config.dynamoEndpoint, cacheMiddleware: true });
  const store = new GrumbleStore({ client, tableName: config.tableName, timeZone: config.timeZone, retentionDays: config.retentionDays });
  const app = await buildHttpApp({
    store,
    timeZone: config.timeZone,
    pageSize: config.pageSize,
    logger: { level: config.logLevel },
    trustedProxies: config.trustedProxies,
    forwardedProtoHeader: config.forwardedProtoHeader,
    rateLimit: config.rateLimit,
    requestTimeoutMs: config.requestTimeoutMs,
    cookieSecret: config.cookieSecret,
  });
  if (config.cookieSecret === undefined) {
    app.log.warn(
      "BOYACKY_COOKIE_SECRET is not set: the CSRF cookie is signed with a random secret of this process, so forms served by another task (or before a restart) are refused; set the same secret on every task",
    );
  }

  // Answers being worked on, so that a shutdown can end their keep-alive connections (below).
  const answering = new Set<ServerResponse>();
  app.server.on("request", (_request: IncomingMessage, response: ServerResponse) => {
    answering.add(response);
    response.once("close", () => answering.delete(response));
  });
  const connections = new Set<Socket>();
  app.server.on("connection", (socket: Socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal, inFlight: answering.size }, "shutting down");
    // app.close() stops listening at once (new connections are refused), closes idle keep-alive
    // connections and waits for the requests in flight. But a keep-alive connection busy at the
    // signal would stay open after its answer, idle for the keep-alive timeout (72 s), and hold
    // close() until the deadline below (exit 1): answer those requests with `Connection: close`,
    // or, when the headers are already out, close the connection once the answer is sent.
    for (const response of answering) {
      if (!response.headersSent) response.setHeader("connection", "close");
      else response.once("finish", () => app.server.closeIdleConnections());
    }
    // Node stops enforcing the request timeout once the server closes (it clears its check's
    // interval), so a request still arriving at the signal (slow headers, a trickled body) would
    // hold close() until the deadline: once the timeout has passed, cut off every connection
    // that is not answering a fully received request, with the 408 Node would have sent.
    const cutOff = setTimeout(() => {
      const received = new Set([...answering].filter((response) => response.req.complete).map((response) => response.req.socket));
      const timedOut = Object.assign(new Error("request timeout"), { code: "ERR_HTTP_REQUEST_TIMEOUT" });
      for (const socket of connections) if (!received.has(socket)) app.server.emit("clientError", timedOut, socket);
    }, config.requestTimeoutMs);
    cutOff.unref();
    const deadline = setTimeout(() => {
      app.log.error({ timeoutMs: config.shutdownTimeoutMs }, "in-flight requests did not finish in time");
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    app
      .close()
      .then(() => {
        client.destroy();
        process.exit(0);
      })
      .catch((error: unknown) => {
        app.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // Started with an IPC channel by a supervisor (npm run dev): the channel closes when it dies,
  // even by SIGKILL, and the app must not live on holding the port.
  if (process.connected) process.once("disconnect", () => stop("parent exited"));

  await app.listen({ port: config.port, host: config.host }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EADDRINUSE") throw error;
    throw new Error(
      `${config.host}:${config.port} is already in use (another process listens there): stop it, or set PORT to another port.`,
    );
  });
  // A supervisor that asked for PORT=0 (any free port) learns which one the system gave.
  if (process.connected) process.send?.({ type: "listening", port: (app.server.address() as AddressInfo).port });
}

main().catch((error: unknown) => {
  // A bad setting is the operator's to fix: say which, without a stack trace.
  if (error instanceof ConfigError) {
    console.error(`boyacky: ${error.message}`);
  } else {
    console.error(`boyacky: could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
