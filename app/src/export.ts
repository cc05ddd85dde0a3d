/**
 * The export job's entry point, in the same image as the server (`node dist/export.js --day
 * 2026-12-01`): exports one day's grumbles with their sentiment to `exports/<day>.csv`, then exits.
 * Exit codes: 0 exported; 2 bad arguments or settings (a one-line message, no log); 1 a step
 * failed (a JSON log line with the step, the error and what to check).
 */
import pino from "pino";
import { ConfigError } from "./config";
import { calendarDay } from "./domain/calendar";
import { exportKey } from "./export/actions";
import { exportDay, parseExportArgs, USAGE, UsageError, type ExportArgs } from "./export/args";
import { createComprehendClient, createS3Client, findCredentials } from "./export/awsClients";
import { ComprehendSentiment } from "./export/comprehendSentiment";
import { DirectoryDestination, S3Destination, type ExportDestination } from "./export/destinations";
import { loadExportConfig, type ExportConfig } from "./export/exportConfig";
import { ExportStepError, runExport, type ExportJob } from "./export/job";
import { createDynamoClient, DEFAULT_REGION, LOCAL_CREDENTIALS } from "./store/dynamoClient";
import { GrumbleStore } from "./store/grumbleStore";

/** A part of the job and how to release its SDK client (if it has one). */
interface Part<T> {
  part: T;
  close(): void;
}

function destinationFor(config: ExportConfig, region: string): Part<ExportDestination> {
  if ("directory" in config.destination) return { part: new DirectoryDestination(config.destination.directory), close: () => undefined };
  const client = createS3Client({ region, endpoint: config.s3Endpoint });
  return { part: new S3Destination(client, config.destination.bucket), close: () => client.destroy() };
}

/**
 * Comprehend, unless this is a local run (a directory, not the bucket) with neither
 * COMPREHEND_ENDPOINT nor AWS credentials: then the scores are skipped, never made up. Uploading
 * to the bucket never skips them: without credentials the job fails instead.
 */
async function sentimentFor(config: ExportConfig, region: string): Promise<Part<ExportJob["sentiment"]>> {
  const endpoint = config.comprehendEndpoint;
  const found = "bucket" in config.destination && !endpoint ? undefined : await findCredentials();
  if (found && "missing" in found && !endpoint) {
    return { part: { skipped: `no COMPREHEND_ENDPOINT and no AWS credentials (${found.missing})` }, close: () => undefined };
  }
  // A local stand-in checks no credentials: it gets placeholder ones when there are none.
  const credentials = found === undefined ? undefined : "provider" in found ? found.provider : LOCAL_CREDENTIALS;
  const client = createComprehendClient({ region, endpoint, credentials });
  return { part: new ComprehendSentiment(client, { name: `Amazon Comprehend (${endpoint ?? region})` }), close: () => client.destroy() };
}

async function main(argv: readonly string[]): Promise<number> {
  let config: ExportConfig;
  let args: Exclude<ExportArgs, { help: true }>;
  let day: string;
  try {
    const parsed = parseExportArgs(argv);
    if (parsed.help) {
      console.log(USAGE);
      return 0;
    }
    args = parsed;
    config = loadExportConfig();
    day = exportDay(args.day, calendarDay(new Date(), config.timeZone));
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof UsageError)) throw error;
    console.error(`boyacky export: ${error.message}${error instanceof UsageError ? " (--help for usage)" : ""}`);
    return 2;
  }

  const region = config.region ?? DEFAULT_REGION;
  const log = pino({ level: config.logLevel }).child({ day });
  const dynamo = createDynamoClient({ region, endpoint: config.dynamoEndpoint });
  const destination = destinationFor(config, region);
  const sentiment = await sentimentFor(config, region);
  try {
    log.info(
      {
        table: config.tableName,
        encoding: args.encoding,
        sentiment: "skipped" in sentiment.part ? "skipped" : sentiment.part.name,
        location: destination.part.locate(exportKey(day)),
      },
      "export started",
    );
    const store = new GrumbleStore({ client: dynamo, tableName: config.tableName, timeZone: config.timeZone });
    const summary = await runExport(
      { store, sentiment: sentiment.part, destination: destination.part, encoding: args.encoding, timeZone: config.timeZone, log },
      day,
    );
    log.info(summary, "export done");
    return 0;
  } catch (error) {
    if (!(error instanceof ExportStepError)) throw error;
    log.error({ step: error.step, error: error.message, hint: error.hint }, `export failed at the ${error.step} step`);
    return 1;
  } finally {
    dynamo.destroy();
    destination.close();
    sentiment.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Not expected (each step's failure is an ExportStepError); still one line, no stack trace.
    console.error(`boyacky export failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
