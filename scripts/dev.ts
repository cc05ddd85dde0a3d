/**
 * `npm run dev`: Boyacky on this machine with no AWS account and no Docker. Starts dynalite with
 * its data in .data/ (DYNAMODB_DATA_DIR to put it elsewhere), creates the table if missing, then
 * runs the app from its sources on 127.0.0.1 (HOST to bind elsewhere, e.g. 0.0.0.0) and prints the
 * URL. Ctrl-C stops both; the app also stops when this script dies in any other way.
 */
import { spawn } from "node:child_process";
import pinoPretty from "pino-pretty";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { CONTAINER_PORT, HEALTH_PATH } from "../app/src/contract";
import { DEFAULT_TABLE_NAME } from "../app/src/config";
import { createDynamoClient } from "../app/src/store/dynamoClient";
import { ensureTable } from "../app/src/store/ensureTable";
import { startLocalDynamo } from "../app/harness/localDynamo";

const root = path.resolve(__dirname, "..");
const port = process.env.PORT || String(CONTAINER_PORT);
// Loopback unless asked: a development server is no business of the rest of the network.
const host = process.env.HOST || "127.0.0.1";
const tableName = process.env.BOYACKY_TABLE || DEFAULT_TABLE_NAME;
const dynamoPort = Number(process.env.DYNAMODB_PORT || 0);

async function main(): Promise<void> {
  const dataDir = process.env.DYNAMODB_DATA_DIR || path.join(root, ".data", "dynalite");
  mkdirSync(dataDir, { recursive: true });
  const dynamo = await startLocalDynamo({ path: dataDir, port: dynamoPort }).catch((error: Error) => {
    throw new Error(`could not start the local DynamoDB (dynalite) in ${dataDir}: ${error.message}`);
  });
  const client = createDynamoClient({ endpoint: dynamo.endpoint });
  const table = await ensureTable(client, tableName);
  client.destroy();
  console.log(`local DynamoDB at ${dynamo.endpoint}, table "${tableName}" ${table}, data in ${path.relative(root, dataDir)}/`);

  // The IPC channel is how the app notices that this script is gone, even after a SIGKILL, which
  // no handler here sees: server.ts shuts down when its channel closes.
  // In a terminal the app's JSON log lines are shown one readable line each (pino-pretty); piped
  // (tests, CI, `npm run dev > file`) they stay JSON, as in production.
  const readable = process.stdout.isTTY === true;
  const server = spawn(process.execPath, ["--import", "tsx", path.join(root, "app", "src", "server.ts")], {
    stdio: ["inherit", readable ? "pipe" : "inherit", "inherit", "ipc"],
    env: { ...process.env, PORT: port, HOST: host, BOYACKY_TABLE: tableName, DYNAMODB_ENDPOINT: dynamo.endpoint },
  });
  if (readable) server.stdout?.pipe(pinoPretty({ singleLine: true, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" }));
  const stop = () => server.kill("SIGTERM");
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, stop);
  // Any other way out of this script (an error, process.exit) takes the app along.
  process.on("exit", () => {
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGTERM");
  });

  const url = `http://${urlHost(host)}:${port}`;
  void announceWhenUp(url, server);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    server.on("exit", (code, signal) => resolve({ code, signal })),
  );
  await dynamo.stop();
  // The app says why it stopped (a bad setting, a port in use...); this only says how.
  if (exit.signal !== null) {
    console.error(`boyacky was killed by ${exit.signal}`);
    process.exit(1);
  }
  if (exit.code !== 0) console.error(`boyacky exited with code ${exit.code}`);
  process.exit(exit.code ?? 1);
}

/** How to reach `host` from here: the loopback address for "all interfaces", IPv6 in brackets. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

// Prints the URL once the app answers its health check (bounded: about 30 s).
async function announceWhenUp(url: string, server: ReturnType<typeof spawn>): Promise<void> {
  for (let attempt = 0; attempt < 300 && server.exitCode === null; attempt++) {
    try {
      const response = await fetch(`${url}${HEALTH_PATH}`);
      if (response.ok) {
        console.log(`\n  Boyacky is running at ${url}  (Ctrl-C to stop)\n`);
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

main().catch((error: unknown) => {
  console.error(`npm run dev: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
