/** DynamoDB tables (FSBP DynamoDB.1, .2, .6). */
import * as aws from "@pulumi/aws";
import { type PolicyResource, validateResourceOfType } from "@pulumi/policy";
import { type Guardrail, peek, refersTo, reportOn, resourcesOf } from "./support";

/** The capacity dimensions a provisioned table must scale on. */
const SCALED_DIMENSIONS = ["dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"];

/** How an Application Auto Scaling target names a table. */
const tableResourceId = (table: PolicyResource) => [`table/${peek(table.props, "name")}`];

export const dynamodbPolicies: Guardrail[] = [
  {
    name: "dynamodb-capacity-scales",
    controls: ["DynamoDB.1"],
    description: "DynamoDB tables should automatically scale capacity with demand (on-demand, or provisioned with autoscaling).",
    remediationSteps: "Use billingMode PAY_PER_REQUEST, or add read and write Application Auto Scaling targets for the table.",
    validateStack: (args, reportViolation) => {
      const targets = resourcesOf(args, aws.appautoscaling.Target);
      for (const table of resourcesOf(args, aws.dynamodb.Table)) {
        if (table.props.billingMode === "PAY_PER_REQUEST") continue;
        const missing = SCALED_DIMENSIONS.filter(
          (dimension) =>
            !targets.some(
              (target) => target.props.scalableDimension === dimension && refersTo(target, "resourceId", table, tableResourceId),
            ),
        );
        if (missing.length)
          reportOn(reportViolation, table)(`table ${table.name} has provisioned capacity without autoscaling on ${missing.join(" and ")}.`);
      }
    },
  },
  {
    name: "dynamodb-pitr",
    controls: ["DynamoDB.2"],
    description: "DynamoDB tables should have point-in-time recovery enabled.",
    remediationSteps: "Set pointInTimeRecovery: { enabled: true } (on in every stack: it costs per GB of table).",
    validateResource: validateResourceOfType(aws.dynamodb.Table, (table, _args, reportViolation) => {
      if (table.pointInTimeRecovery?.enabled !== true) reportViolation("point-in-time recovery is not enabled.");
    }),
  },
  {
    name: "dynamodb-deletion-protection",
    controls: ["DynamoDB.6"],
    description: "DynamoDB tables should have deletion protection enabled.",
    remediationSteps: "Set deletionProtectionEnabled: true (protectData in the stack's config).",
    validateResource: validateResourceOfType(aws.dynamodb.Table, (table, _args, reportViolation) => {
      if (table.deletionProtectionEnabled !== true) reportViolation("deletion protection is not enabled.");
    }),
  },
];
