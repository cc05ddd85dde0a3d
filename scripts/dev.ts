/**
 * `npm run dev`: Boyacky on this machine with no AWS account and no Docker. Starts dynalite with
 * its data in .data/ (so posts survive a restart), creates the table if missing, then runs the
 * app from its sources and prints the URL. Ctrl-C stops both.
 */
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { createDynamoClient } from "../app/src/store/dynamoClient";
import { ensureTable } from "../app/src/store/ensureTable";
import { startLocalDynamo } from "./localDynamo";

const root = path.resolve(__dirname, "..");
const port = process.env.PORT || "8080";
const tableName = process.env.BOYACKY_TABLE || "boyacky";
const dynamoPort = Number(process.env.DYNAMODB_PORT || 0);

async function main(): Promise<void> {
  const dataDir = path.join(root, ".data", "dynalite");
  mkdirSync(dataDir, { recursive: true });
  const dynamo = await startLocalDynamo({ path: dataDir, port: dynamoPort }).catch((error: Error) => {
    throw new Error(`could not start the local DynamoDB (dynalite) in ${dataDir}: ${error.message}`);
  });
  const client = createDynamoClient({ endpoint: dynamo.endpoint });
  const table = await ensureTable(client, tableName);
  client.destroy();
  console.log(`local DynamoDB at ${dynamo.endpoint}, table "${tableName}" ${table}, data in ${path.relative(root, dataDir)}/`);

  const server = spawn(process.execPath, ["--import", "tsx", path.join(root, "app", "src", "server.ts")], {
    stdio: "inherit",
    env: { ...process.env, PORT: port, BOYACKY_TABLE: tableName, DYNAMODB_ENDPOINT: dynamo.endpoint },
  });
  const stop = () => server.kill("SIGTERM");
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  const url = `http://localhost:${port}`;
  void announceWhenUp(url, server);
  const code = await new Promise<number>((resolve) => server.on("exit", (exitCode) => resolve(exitCode ?? 0)));
  await dynamo.stop();
  if (code !== 0) {
    console.error(`boyacky exited with code ${code}${code === 1 ? ` (is port ${port} already in use? set PORT=... to pick another)` : ""}`);
  }
  process.exit(code);
}

// Prints the URL once the app answers its health check (bounded: about 30 s).
async function announceWhenUp(url: string, server: ReturnType<typeof spawn>): Promise<void> {
  for (let attempt = 0; attempt < 300 && server.exitCode === null; attempt++) {
    try {
      const response = await fetch(`${url}/healthz`);
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
