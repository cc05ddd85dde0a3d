/** Just enough of IAM's policy evaluation for the tests: Allow statements, actions and resources with wildcards. */

export interface AllowStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** IAM wildcards: `*` any run of characters (`/` included), `?` one character. */
function wildcard(pattern: string, flags = ""): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, flags);
}

/** Whether a Resource element (`arn:aws:s3:::boyacky-*`) covers the ARN. */
export function arnMatches(pattern: string, arn: string): boolean {
  return wildcard(pattern).test(arn);
}

/** Whether an Action element (`ec2:Describe*`) covers the action; IAM compares actions case-insensitively. */
export function actionMatches(pattern: string, action: string): boolean {
  return wildcard(pattern, "i").test(action);
}

/**
 * The Allow statements granting `action` (on `resource` when given; `*` covers every resource).
 * Conditions are not evaluated: the tests that need them check them separately.
 */
export function grantsOf(statements: readonly AllowStatement[], action: string, resource?: string): AllowStatement[] {
  return statements.filter(
    (statement) =>
      statement.Effect === "Allow" &&
      [statement.Action].flat().some((pattern) => actionMatches(pattern, action)) &&
      (resource === undefined || [statement.Resource].flat().some((pattern) => arnMatches(pattern, resource))),
  );
}

/** Whether the statement's `aws:RequestedRegion` condition (if any) admits a call to `region`. */
export function allowsRegion(statement: AllowStatement, region: string): boolean {
  const regions = statement.Condition?.StringEquals?.["aws:RequestedRegion"];
  return regions === undefined || [regions].flat().includes(region);
}
