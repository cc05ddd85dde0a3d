/** CloudWatch Logs (custom control: every log group expires its events). */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import type { Guardrail } from "./support";

export const logsPolicies: Guardrail[] = [
  {
    name: "cloudwatch-log-retention",
    controls: ["custom"],
    description: "CloudWatch log groups should have a retention period, so logs neither pile up nor cost without end.",
    remediationSteps: "Set retentionInDays (logRetentionDays in the stack's config).",
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (logGroup, _args, reportViolation) => {
      if (!logGroup.retentionInDays) reportViolation("retentionInDays is not set: the logs are kept forever.");
    }),
  },
];
