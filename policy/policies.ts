/**
 * Every policy of the boyacky-guardrails pack, with its enforcement level for the stack being
 * checked. Shared by the pack (index.ts, under the Pulumi CLI) and the offline evaluation
 * (offline.ts, in tests and `npm run plan`), so both judge with exactly the same policies.
 */
import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { cloudfrontPolicies } from "./cloudfront";
import { type PackContext, enforcementFor, exceptionFor } from "./context";
import { dynamodbPolicies } from "./dynamodb";
import { ecrPolicies } from "./ecr";
import { ecsPolicies } from "./ecs";
import { elbPolicies } from "./elb";
import { iamPolicies } from "./iam";
import { logsPolicies } from "./logs";
import { networkPolicies } from "./network";
import { s3Policies } from "./s3";
import type { Guardrail } from "./support";

export const PACK_NAME = "boyacky-guardrails";

/** All guardrails, by area. */
export const GUARDRAILS: readonly Guardrail[] = [
  ...ecsPolicies,
  ...elbPolicies,
  ...cloudfrontPolicies,
  ...ecrPolicies,
  ...dynamodbPolicies,
  ...networkPolicies,
  ...iamPolicies,
  ...logsPolicies,
  ...s3Policies,
];

const FSBP = "AWS Foundational Security Best Practices";

/** A guardrail as a @pulumi/policy policy, mandatory unless a dev exception applies. */
export function toPolicy(guardrail: Guardrail, context: PackContext): ResourceValidationPolicy | StackValidationPolicy {
  const exception = exceptionFor(guardrail.name, context);
  const fsbp = guardrail.controls.filter((control) => control !== "custom");
  const common = {
    name: guardrail.name,
    description: `${fsbp.length ? `[${fsbp.join(", ")}] ` : ""}${guardrail.description}${exception ? ` Advisory on ${context.stack}: ${exception.reason}` : ""}`,
    enforcementLevel: enforcementFor(guardrail.name, context),
    remediationSteps: guardrail.remediationSteps,
    ...(fsbp.length
      ? { framework: { name: FSBP, version: "1.0.0", reference: fsbp.join(", "), specification: guardrail.description } }
      : {}),
  };
  return guardrail.validateStack
    ? { ...common, validateStack: guardrail.validateStack }
    : { ...common, validateResource: guardrail.validateResource };
}

/** The pack's policies for a stack. */
export function buildPolicies(context: PackContext): Policies {
  return GUARDRAILS.map((guardrail) => toPolicy(guardrail, context));
}
