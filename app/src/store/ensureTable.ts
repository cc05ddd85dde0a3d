import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { TABLE_KEYS, TTL_ATTRIBUTE } from "./tableDesign";

/**
 * Creates the table with the app's key design if it does not exist yet. For local servers only:
 * in AWS the Pulumi program owns the table.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<"created" | "existing"> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return "existing";
  } catch (error) {
    if (!(error instanceof Error && error.name === "ResourceNotFoundException")) throw error;
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: TABLE_KEYS.partitionKey, AttributeType: "S" },
        { AttributeName: TABLE_KEYS.sortKey, AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: "HASH" },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: "RANGE" },
      ],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 0.1, maxDelay: 1 }, { TableName: tableName });
  await client
    .send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }))
    // dynalite does not implement TTL; the attribute is still written, so nothing is lost.
    .catch(() => undefined);
  return "created";
}
