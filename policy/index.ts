/**
 * The boyacky-guardrails policy pack, as the Pulumi CLI runs it:
 *   pulumi preview --policy-pack policy      (see policy/README.md)
 * Every policy is mandatory; on the dev stack, the exceptions of context.ts are advisory.
 */
import { PolicyPack } from "@pulumi/policy";
import { contextFromEngine } from "./context";
import { buildPolicies, PACK_NAME } from "./policies";

const context = contextFromEngine();

new PolicyPack(PACK_NAME, {
  description: "AWS Foundational Security Best Practices for Boyacky on ECS Fargate, plus project guardrails.",
  provider: "aws",
  enforcementLevel: "mandatory",
  policies: buildPolicies(context),
});
