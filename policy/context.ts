/**
 * Which stack the pack is judging, and the few places where the dev stack may differ from prod.
 * Every policy is mandatory; on the `dev` stack, and only while its configuration really is the
 * cheap dev layout, exactly the exceptions below are downgraded to advisory (reported, not
 * blocking). Each carries its reason.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { EnforcementLevel } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

/** The stack being checked and its configuration (full keys, e.g. `boyacky:egressMode`). */
export interface PackContext {
  stack: string;
  config: Record<string, string>;
}

/** The only stack allowed exceptions. */
export const DEV_STACK = "dev";

export interface DevException {
  /** The policy downgraded to advisory on the dev stack. */
  policy: string;
  /** Whether the dev stack's configuration is the one the exception is for. */
  applies: (config: Record<string, string>) => boolean;
  /** Why dev may do this; shown with the violation. */
  reason: string;
}

const setting = (config: Record<string, string>, key: string) => config[`boyacky:${key}`];

export const DEV_EXCEPTIONS: readonly DevException[] = [
  {
    policy: "ecs-no-public-ip",
    applies: (config) => setting(config, "egressMode") === "public",
    reason:
      "dev's egressMode `public` runs tasks in public subnets with a public IP to reach ECR, CloudWatch Logs and DynamoDB " +
      "without NAT gateways or interface endpoints (tens of dollars a month each); the tasks' security group still admits " +
      "only the ALB, so the public IP opens no inbound path. prod uses `endpoints` and private subnets.",
  },
  {
    policy: "elb-http-redirects-to-https",
    applies: (config) => !setting(config, "certificateArn"),
    reason:
      "dev has no domain, so no ACM certificate and no HTTPS listener to redirect to: it serves plain HTTP on port 80. " +
      "Setting certificateArn adds HTTPS with the redirect, and then this policy is mandatory on dev too.",
  },
  {
    policy: "elb-deletion-protection",
    applies: (config) => setting(config, "protectData") !== "true",
    reason: "dev must be removable with `pulumi destroy` (protectData false); it holds no data worth protecting.",
  },
  {
    policy: "dynamodb-deletion-protection",
    applies: (config) => setting(config, "protectData") !== "true",
    reason: "dev must be removable with `pulumi destroy` (protectData false); its table holds only test grumbles.",
  },
];

/** The dev exception that applies to `policy` in this context, if any. */
export function exceptionFor(policy: string, context: PackContext): DevException | undefined {
  if (context.stack !== DEV_STACK) return undefined;
  return DEV_EXCEPTIONS.find((exception) => exception.policy === policy && exception.applies(context.config));
}

/** Mandatory, except for a dev exception that applies. */
export function enforcementFor(policy: string, context: PackContext): EnforcementLevel {
  return exceptionFor(policy, context) ? "advisory" : "mandatory";
}

/** The project's declared defaults from Pulumi.yaml (next to this folder), as full config keys. */
function projectDefaults(): Record<string, string> {
  const file = path.resolve(__dirname, "..", "Pulumi.yaml");
  if (!existsSync(file)) return {};
  const project = parse(readFileSync(file, "utf8")) as { name: string; config?: Record<string, { default?: unknown }> };
  const defaults: Record<string, string> = {};
  for (const [key, declaration] of Object.entries(project.config ?? {})) {
    if (declaration?.default !== undefined) defaults[`${project.name}:${key}`] = String(declaration.default);
  }
  return defaults;
}

/**
 * The context when the Pulumi CLI runs the pack: the CLI passes the stack name and the stack's
 * configuration to the policy pack's process, as it does to a program. Project defaults fill in
 * what the stack does not set. No stack name (e.g. `pulumi policy publish`) means no exceptions.
 */
export function contextFromEngine(): PackContext {
  return { stack: pulumi.getStack(), config: { ...projectDefaults(), ...pulumi.runtime.allConfig() } };
}
