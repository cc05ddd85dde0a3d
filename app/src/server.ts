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
  const client = createDynamoClient({ region: config.region, endpoint: config.dynamoEndpoint });
  const store = new GrumbleStore({ client, tableName: config.tableName, timeZone: config.timeZone, retentionDays: config.retentionDays });
  const app = await buildHttpApp({
    store,
    timeZone: config.timeZone,
    pageSize: config.pageSize,
    logger: { level: config.logLevel },
    trustProxy: config.trustProxy,
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "shutting down");
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

  await app.listen({ port: config.port, host: config.host });
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
