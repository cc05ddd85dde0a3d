import { DynamoDBClient } from "@aws-sdk/client-dynamodb";

export interface DynamoClientOptions {
  /** Region; on Fargate the SDK also finds it in AWS_REGION. */
  region?: string;
  /** Endpoint override for a local DynamoDB (dynalite, DynamoDB Local). */
  endpoint?: string;
}

/**
 * One client per process: it keeps its keep-alive connections between requests. Timeouts are
 * short so that an unreachable DynamoDB becomes a 503 in about a second, not a hung request.
 */
export function createDynamoClient({ region, endpoint }: DynamoClientOptions): DynamoDBClient {
  return new DynamoDBClient({
    region: region ?? process.env.AWS_REGION ?? "ap-northeast-1",
    endpoint,
    // A local server accepts any credentials; without this the SDK would look for real ones.
    ...(endpoint ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
}
