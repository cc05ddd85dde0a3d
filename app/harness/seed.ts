/** Fills a table directly through the SDK (not the app), with the app's key design. */
import { randomBytes } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { calendarDay } from "../src/domain/calendar";
import { TABLE_KEYS } from "../src/store/tableDesign";

const BATCH = 25; // DynamoDB's BatchWriteItem maximum
const PARALLEL = 8;

function item(postedAt: Date, timeZone: string, index: number) {
  return {
    [TABLE_KEYS.partitionKey]: calendarDay(postedAt, timeZone),
    [TABLE_KEYS.sortKey]: `${String(postedAt.getTime()).padStart(13, "0")}-${randomBytes(5).toString("hex")}`,
    text: `ボヤキ ${index}`,
    postedAt: postedAt.toISOString(),
  };
}

async function writeAll(client: DynamoDBClient, tableName: string, items: Record<string, unknown>[]): Promise<void> {
  const documents = DynamoDBDocumentClient.from(client);
  const batches: Record<string, unknown>[][] = [];
  for (let start = 0; start < items.length; start += BATCH) batches.push(items.slice(start, start + BATCH));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let pending = batches[next++].map((Item) => ({ PutRequest: { Item } }));
      // Bounded retries of what the server did not process (none expected locally).
      for (let attempt = 0; pending.length && attempt < 10; attempt++) {
        const result = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
      }
      if (pending.length) throw new Error(`seeding ${tableName}: ${pending.length} items left unprocessed`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}

/** `count` grumbles posted today in `timeZone`, a second apart, ending now. */
export function seedToday(client: DynamoDBClient, tableName: string, timeZone: string, count: number): Promise<void> {
  const now = Date.now();
  const today = calendarDay(new Date(now), timeZone);
  // Stay inside today even just after midnight: step back at most to the day's start.
  const items = Array.from({ length: count }, (_, index) => item(new Date(now - index * 10), timeZone, index)).filter(
    (entry) => entry[TABLE_KEYS.partitionKey] === today,
  );
  return writeAll(client, tableName, items);
}

/** `count` grumbles spread over the `days` days before today. */
export function seedHistory(client: DynamoDBClient, tableName: string, timeZone: string, count: number, days: number): Promise<void> {
  const dayMs = 86_400_000;
  const items = Array.from({ length: count }, (_, index) =>
    item(new Date(Date.now() - dayMs * (1 + (index % days)) - (index % 1000) * 1000), timeZone, index),
  );
  return writeAll(client, tableName, items);
}
