/** IAM policy documents written by this project (FSBP IAM.1 and IAM.21). */
import * as aws from "@pulumi/aws";
import { type ReportViolation, validateResourceOfType } from "@pulumi/policy";
import { anyOf, type Guardrail, listOf, statementsOf } from "./support";

/**
 * Actions that AWS authorizes on no resource narrower than `*` (the Service Authorization
 * Reference lists no resource type for them): ECS Exec's agent channels, granted only when
 * enableExecuteCommand is on (off by default), and Comprehend's batch sentiment detection, which
 * the export job calls. `Resource: "*"` with any other action is a violation.
 */
export const RESOURCELESS_ACTIONS = [
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  "comprehend:BatchDetectSentiment",
];
const resourceless = new Set(RESOURCELESS_ACTIONS.map((action) => action.toLowerCase()));

/** `*` or `service:*`: every action, or every action of a service. */
const FULL_WILDCARD = /^(\*|[\w-]+:\*)$/;

/** Reports each Allow statement that grants more than the least privilege. */
function leastPrivilege(document: unknown, reportViolation: ReportViolation) {
  for (const [index, statement] of statementsOf(document).entries()) {
    if (statement.Effect !== "Allow") continue;
    const where = `statement ${statement.Sid ?? index}`;
    if (statement.NotAction !== undefined) reportViolation(`${where}: Allow with NotAction grants every other action.`);
    if (statement.NotResource !== undefined) reportViolation(`${where}: Allow with NotResource grants every other resource.`);
    const actions = listOf(statement.Action);
    for (const action of actions.filter((action) => FULL_WILDCARD.test(action)))
      reportViolation(`${where}: action ${action} grants every action${action === "*" ? "" : " of the service"}.`);
    const narrowable = actions.filter((action) => !resourceless.has(action.toLowerCase()));
    if (listOf(statement.Resource).includes("*") && narrowable.length > 0) {
      reportViolation(`${where}: Resource "*" for ${narrowable.join(", ")}, which AWS can scope to specific resources.`);
    }
  }
}

export const iamPolicies: Guardrail[] = [
  {
    name: "iam-least-privilege",
    controls: ["IAM.1", "IAM.21"],
    description: "IAM policies should not allow `*` or `service:*` actions, nor `*` resources where AWS allows a narrower one.",
    remediationSteps: "List the exact actions the code calls (as TaskRoles does from DYNAMODB_ACTIONS) on the exact resource ARNs.",
    validateResource: anyOf(
      validateResourceOfType(aws.iam.RolePolicy, (policy, _args, reportViolation) => leastPrivilege(policy.policy, reportViolation)),
      validateResourceOfType(aws.iam.Policy, (policy, _args, reportViolation) => leastPrivilege(policy.policy, reportViolation)),
      validateResourceOfType(aws.iam.UserPolicy, (policy, _args, reportViolation) => leastPrivilege(policy.policy, reportViolation)),
      validateResourceOfType(aws.iam.GroupPolicy, (policy, _args, reportViolation) => leastPrivilege(policy.policy, reportViolation)),
    ),
  },
];
