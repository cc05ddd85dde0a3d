/**
 * The DynamoDB table's key design, shared by the app, its local set-up and the Pulumi program
 * (which imports this file), so the deployed table can never drift from what the code queries.
 *
 * - Partition key `day`: the calendar day of the post in the app's time zone (`2026-11-22`).
 * - Sort key `seq`: `<epoch ms, 13 digits>-<10 hex random>`; sorts by time, unique per post.
 *
 * Today's list is one Query on one partition, newest first, with ConsistentRead: its cost does
 * not grow with older days' data. See app/README.md for the scaling limit.
 */
export const TABLE_KEYS = {
  partitionKey: "day",
  sortKey: "seq",
} as const;

/** Attribute holding the expiry time (epoch seconds) for DynamoDB TTL. */
export const TTL_ATTRIBUTE = "expiresAt";

/**
 * Every DynamoDB action the app calls, and nothing more: the task role grants exactly these on
 * the table's ARN.
 */
export const DYNAMODB_ACTIONS = [
  "dynamodb:DescribeTable", // /readyz
  "dynamodb:Query", // today's list
  "dynamodb:PutItem", // post
  "dynamodb:DeleteItem", // purify
] as const;
