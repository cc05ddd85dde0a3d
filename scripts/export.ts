/**
 * `npm run export -- [--day YYYY-MM-DD] [--encoding shift_jis]`: the daily export on this machine
 * with no AWS account. Reads the same local DynamoDB data as `npm run dev` (dynalite on
 * .data/dynalite, the table created if missing) and runs the job from its sources, which writes
 * .data/exports/<day>.csv (replacing an earlier one). Sentiment comes from Amazon Comprehend only
 * when COMPREHEND_ENDPOINT or AWS credentials are set; otherwise its columns stay empty and the
 * log says so. Exit code: the job's (0 done, 2 bad arguments, 1 failed).
 *
 * While `npm run dev` runs, its dynalite holds .data/dynalite: pass the endpoint it printed
 * ("local DynamoDB at ...") as DYNAMODB_ENDPOINT to read through it. BOYACKY_DATA_DIR puts the
 * data and the exports elsewhere than .data/ (the tests use a temporary folder).
 */
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { Level } from "level";
import { DEFAULT_TABLE_NAME } from "../app/src/config";
import { createDynamoClient } from "../app/src/store/dynamoClient";
import { ensureTable } from "../app/src/store/ensureTable";
import { startLocalDynamo, type LocalDynamo } from "../app/harness/localDynamo";

// The SDK warns that its 2027 releases will need Node 22; on this Node 20 project it is noise
// between the job's log lines (the image runs Node 24).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const root = path.resolve(__dirname, "..");
const dataDir = path.resolve(process.env.BOYACKY_DATA_DIR || path.join(root, ".data"));
const tableName = process.env.BOYACKY_TABLE || DEFAULT_TABLE_NAME;

// dynalite opens its folder lazily and, when another process holds it, crashes on the first
// request: find out first, and say what to do instead.
async function checkDataFree(folder: string): Promise<void> {
  const db = new Level(folder);
  try {
    await db.open();
  } catch {
    throw new Error(
      `the local DynamoDB data in ${folder} is in use, probably by npm run dev: run again with DYNAMODB_ENDPOINT=<the "local DynamoDB at" URL it printed>, or stop it first`,
    );
  } finally {
    await db.close();
  }
}

async function localDynamo(): Promise<Pick<LocalDynamo, "endpoint" | "stop">> {
  if (process.env.DYNAMODB_ENDPOINT) return { endpoint: process.env.DYNAMODB_ENDPOINT, stop: async () => undefined };
  const folder = path.join(dataDir, "dynalite");
  mkdirSync(folder, { recursive: true });
  await checkDataFree(folder);
  return startLocalDynamo({ path: folder });
}

async function main(): Promise<number> {
  const dynamo = await localDynamo();
  try {
    const client = createDynamoClient({ endpoint: dynamo.endpoint });
    await ensureTable(client, tableName).finally(() => client.destroy());
    const job = spawn(process.execPath, ["--import", "tsx", path.join(root, "app", "src", "export.ts"), ...process.argv.slice(2)], {
      stdio: "inherit",
      env: {
        ...process.env,
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        BOYACKY_TABLE: tableName,
        BOYACKY_EXPORT_DIR: dataDir,
        BOYACKY_EXPORT_BUCKET: "", // a local run never uploads
      },
    });
    return await new Promise<number>((resolve) => job.on("exit", (code) => resolve(code ?? 1)));
  } finally {
    await dynamo.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`npm run export: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
