/**
 * What the daily export touches in AWS, shared with the Pulumi program (as `tableDesign.ts` is for
 * the table), so that its task role grants exactly these and nothing more.
 */

/** Every AWS action the export job calls, by service. */
export const EXPORT_ACTIONS = {
  dynamodb: ["dynamodb:Query"], // the day's partition, on the table's ARN
  comprehend: ["comprehend:BatchDetectSentiment"], // has no resource-level permissions: "*"
  s3: ["s3:PutObject"], // on `<bucket ARN>/${EXPORT_KEY_PREFIX}*` only
} as const;

/** Every object the job writes is below this prefix of the export bucket. */
export const EXPORT_KEY_PREFIX = "exports/";

/** The object key of one day's export: `exports/2026-12-01.csv`. */
export function exportKey(day: string): string {
  return `${EXPORT_KEY_PREFIX}${day}.csv`;
}
