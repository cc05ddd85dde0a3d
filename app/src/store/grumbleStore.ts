import { randomBytes } from "node:crypto";
import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/client-dynamodb";
import { TABLE_KEYS, TTL_ATTRIBUTE } from "./tableDesign";
import { calendarDay } from "../domain/calendar";

/** A stored grumble as the rest of the app sees it. */
export interface Grumble {
  /** Opaque, URL-safe id: `<day>_<seq>`, enough to find the item without a lookup. */
  id: string;
  text: string;
  /** When it was posted, ISO 8601 in UTC. */
  postedAt: string;
}

export interface GrumblePage {
  items: Grumble[];
  /** Opaque cursor to the next older page, absent on the last page. */
  nextCursor?: string;
}

/** DynamoDB could not be reached or refused the request: the caller answers 503. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`DynamoDB is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "StoreUnavailableError";
  }
}

/** A cursor that this store did not produce for the requested day. */
export class InvalidCursorError extends Error {
  constructor(reason: string) {
    super(`invalid cursor: ${reason}`);
    this.name = "InvalidCursorError";
  }
}

export interface GrumbleStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  timeZone: string;
  /** Days to keep each grumble (DynamoDB TTL); undefined keeps them forever. */
  retentionDays?: number;
  /** Source of the current time; tests pass a fixed clock. */
  now?: () => Date;
}

const ID_PATTERN = /^(\d{4}-\d{2}-\d{2})_(\d{13}-[0-9a-f]{10})$/;
const SEQ_PATTERN = /^\d{13}-[0-9a-f]{10}$/;

/** Parses a grumble id into its table key, or returns undefined when it is not one of ours. */
export function parseGrumbleId(id: string): { day: string; seq: string } | undefined {
  const match = ID_PATTERN.exec(id);
  return match ? { day: match[1], seq: match[2] } : undefined;
}

/**
 * An item as DynamoDB's protocol writes it (`{ "text": { "S": "..." } }`). Items have one fixed
 * shape (strings, and the TTL's number), so the store converts them itself: the document client's
 * generic marshalling cost about a third of a list's CPU (npm run bench: 0.92 → 0.65 ms per Query
 * of 100 items, the rest being the SDK's own per-call work).
 */
type Item = Record<string, AttributeValue>;

function stringOf(item: Item, name: string): string {
  return item[name]?.S ?? "";
}

// The attributes a list reads: not the TTL, which nothing shows.
const LISTED = { "#day": TABLE_KEYS.partitionKey, "#seq": TABLE_KEYS.sortKey, "#text": "text", "#postedAt": "postedAt" };
const LISTED_PROJECTION = Object.keys(LISTED).join(", ");

function encodeCursor(key: Item): string {
  return Buffer.from(JSON.stringify([stringOf(key, TABLE_KEYS.partitionKey), stringOf(key, TABLE_KEYS.sortKey)])).toString("base64url");
}

function decodeCursor(cursor: string, day: string): Item {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursorError("not a cursor returned by this API");
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || typeof decoded[1] !== "string" || !SEQ_PATTERN.test(decoded[1])) {
    throw new InvalidCursorError("not a cursor returned by this API");
  }
  if (decoded[0] !== day) throw new InvalidCursorError("it belongs to another day; start again without a cursor");
  return { [TABLE_KEYS.partitionKey]: { S: day }, [TABLE_KEYS.sortKey]: { S: decoded[1] } };
}

function toGrumble(item: Item): Grumble {
  return {
    id: `${stringOf(item, TABLE_KEYS.partitionKey)}_${stringOf(item, TABLE_KEYS.sortKey)}`,
    text: stringOf(item, "text"),
    postedAt: stringOf(item, "postedAt"),
  };
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/**
 * Grumbles in DynamoDB. The only module that builds DynamoDB requests; routes call its methods.
 */
export class GrumbleStore {
  private readonly now: () => Date;

  constructor(private readonly options: GrumbleStoreOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Today's calendar day in the store's time zone. */
  today(): string {
    return calendarDay(this.now(), this.options.timeZone);
  }

  /** Today's grumbles, newest first, at most `limit`, continuing after `cursor` when given. */
  async listToday(limit: number, cursor?: string): Promise<GrumblePage> {
    const day = this.today();
    const exclusiveStartKey = cursor === undefined ? undefined : decodeCursor(cursor, day);
    const result = await this.queryDay(day, {
      ScanIndexForward: false,
      // One more than asked: DynamoDB returns a LastEvaluatedKey whenever it stops at Limit,
      // even with nothing left, which would give the last page a cursor to an empty page.
      Limit: limit + 1,
      ExclusiveStartKey: exclusiveStartKey,
    });
    const found = result.Items ?? [];
    const page = found.slice(0, limit);
    const lastKey = found.length > limit ? page[page.length - 1] : result.LastEvaluatedKey;
    const items = page.map(toGrumble);
    return {
      items,
      nextCursor: lastKey ? encodeCursor(lastKey) : undefined,
    };
  }

  /**
   * Every grumble of `day` (`YYYY-MM-DD`), oldest first: Queries on that one partition, following
   * `LastEvaluatedKey` page by page (DynamoDB returns at most 1 MB a Query). For the daily export;
   * consistent, so that exporting today right after a post includes it.
   */
  async readDay(day: string): Promise<Grumble[]> {
    const grumbles: Grumble[] = [];
    let exclusiveStartKey: Item | undefined;
    // Ends: each page starts after the last one, and a partition holds finitely many items.
    do {
      const result = await this.queryDay(day, { ExclusiveStartKey: exclusiveStartKey });
      grumbles.push(...(result.Items ?? []).map(toGrumble));
      exclusiveStartKey = result.LastEvaluatedKey;
    } while (exclusiveStartKey);
    return grumbles;
  }

  /** Stores an already validated text as a new grumble of today. */
  async add(text: string): Promise<Grumble> {
    const postedAt = this.now();
    const day = calendarDay(postedAt, this.options.timeZone);
    const seq = `${String(postedAt.getTime()).padStart(13, "0")}-${randomBytes(5).toString("hex")}`;
    const postedAtText = postedAt.toISOString();
    const { retentionDays } = this.options;
    await this.send(() =>
      this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            [TABLE_KEYS.partitionKey]: { S: day },
            [TABLE_KEYS.sortKey]: { S: seq },
            text: { S: text },
            postedAt: { S: postedAtText },
            ...(retentionDays === undefined
              ? {}
              : { [TTL_ATTRIBUTE]: { N: String(Math.floor(postedAt.getTime() / 1000) + retentionDays * 86_400) } }),
          },
          // Never overwrite another post: a (vanishingly unlikely) seq collision fails instead of
          // losing one. But the same post again is fine: when an attempt times out after DynamoDB
          // stored it, the SDK retries, and that retry must not turn a stored post into an error.
          ConditionExpression: "attribute_not_exists(#seq) OR (#text = :text AND #postedAt = :postedAt)",
          ExpressionAttributeNames: { "#seq": TABLE_KEYS.sortKey, "#text": "text", "#postedAt": "postedAt" },
          ExpressionAttributeValues: { ":text": { S: text }, ":postedAt": { S: postedAtText } },
        }),
      ),
    );
    return { id: `${day}_${seq}`, text, postedAt: postedAtText };
  }

  /**
   * Deletes one of today's grumbles. Returns false when today has no such grumble (unknown, already
   * purified, or of another day: only today's are ever shown, so only today's can be purified).
   */
  async purify(id: string): Promise<boolean> {
    const key = parseGrumbleId(id);
    if (!key || key.day !== this.today()) return false;
    try {
      await this.send(() =>
        this.options.client.send(
          new DeleteItemCommand({
            TableName: this.options.tableName,
            Key: { [TABLE_KEYS.partitionKey]: { S: key.day }, [TABLE_KEYS.sortKey]: { S: key.seq } },
            ConditionExpression: "attribute_exists(#seq)",
            ExpressionAttributeNames: { "#seq": TABLE_KEYS.sortKey },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Checks that the table exists and is reachable (for /readyz). */
  async ping(): Promise<void> {
    await this.send(() => this.options.client.send(new DescribeTableCommand({ TableName: this.options.tableName })));
  }

  // One Query on the partition of `day`, consistent (a post is seen at once); `page` says the
  // order, the limit and where to start.
  private queryDay(day: string, page: Pick<QueryCommandInput, "ScanIndexForward" | "Limit" | "ExclusiveStartKey">) {
    return this.send(() =>
      this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: "#day = :day",
          ProjectionExpression: LISTED_PROJECTION,
          ExpressionAttributeNames: LISTED,
          ExpressionAttributeValues: { ":day": { S: day } },
          ConsistentRead: true,
          ...page,
        }),
      ),
    );
  }

  // Every failure other than a failed condition means DynamoDB is not serving us right now.
  private async send<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (isConditionFailure(error)) throw error;
      throw new StoreUnavailableError(error);
    }
  }
}
