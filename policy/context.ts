/**
 * Which stack the pack is judging, and the few places where the dev stack may differ from prod.
 * Every policy is mandatory; on the `dev` stack, and only while its configuration really is the
 * cheap dev layout, exactly the exceptions below are downgraded to advisory (reported, not
 * blocking). Each carries its reason.
 */
import type { EnforcementLevel } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { readProject } from "../scripts/project";

/** The stack being checked and its configuration (full keys, e.g. `boyacky:egressMode`). */
export interface PackContext {
  stack: string;
  config: Record<string, string>;
}

/** The stack allowed the dev exceptions. */
export const DEV_STACK = "dev";
/** The short-lived review stacks of pull requests (review-stack.yml): dev's layout, so dev's exceptions. */
export const REVIEW_STACK = /^pr-[1-9][0-9]*$/;

/** Whether the stack is dev or a review stack, which the dev exceptions cover. */
export function isDevLike(stack: string): boolean {
  return stack === DEV_STACK || REVIEW_STACK.test(stack);
}

export interface DevException {
  /** The policy downgraded to advisory on the dev stack. */
  policy: string;
  /** Whether the dev stack's configuration is the one the exception is for. */
  applies: (config: Record<string, string>) => boolean;
  /** Why dev may do this; shown with the violation. */
  reason: string;
}

/** An exception that holds on every stack, prod included, while its configuration does. */
export type DocumentedException = DevException;

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
    applies: (config) => setting(config, "edge") === "none" && !setting(config, "certificateArn") && !setting(config, "domainName"),
    reason:
      "dev with edge none has no domain, so no ACM certificate and no HTTPS listener to redirect to: it serves plain HTTP on port 80. " +
      "The CloudFront edge (the default), domainName or certificateArn each give HTTPS, and then this policy is mandatory on dev too.",
  },
  {
    policy: "cloudfront-waf",
    applies: (config) => setting(config, "edge") === "cloudfront" && setting(config, "waf") !== "true",
    reason:
      "a web ACL costs about $7 a month with its two rules, more than dev's whole edge; dev's traffic is its own team's, and the app still " +
      "limits each client per task. prod sets waf: true.",
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

/**
 * Exceptions on every stack: where an FSBP control cannot literally pass with the configuration
 * chosen, and says so rather than blocking.
 */
export const DOCUMENTED_EXCEPTIONS: readonly DocumentedException[] = [
  {
    policy: "cloudfront-custom-certificate",
    applies: (config) => setting(config, "edge") === "cloudfront" && !setting(config, "domainName"),
    reason:
      "without a domain the distribution's only name is its *.cloudfront.net one, which only CloudFront's default certificate covers, " +
      "and CloudFront then fixes the minimum viewer TLS version at TLSv1 (browsers negotiate TLS 1.2 or 1.3 anyway). " +
      "Setting domainName issues a certificate served with TLSv1.2_2021, and this policy becomes mandatory.",
  },
];

/** The exceptions that apply in this context: the documented ones everywhere, the dev ones on dev and the review stacks. */
export function exceptionsIn(context: PackContext): DevException[] {
  return [...DOCUMENTED_EXCEPTIONS, ...(isDevLike(context.stack) ? DEV_EXCEPTIONS : [])].filter((exception) =>
    exception.applies(context.config),
  );
}

/** The exception that applies to `policy` in this context, if any: a documented one, or a dev one on dev. */
export function exceptionFor(policy: string, context: PackContext): DevException | undefined {
  return exceptionsIn(context).find((exception) => exception.policy === policy);
}

/** Mandatory, except for a dev exception that applies. */
export function enforcementFor(policy: string, context: PackContext): EnforcementLevel {
  return exceptionFor(policy, context) ? "advisory" : "mandatory";
}

/**
 * The context when the Pulumi CLI runs the pack: the CLI passes the stack name and the stack's
 * configuration to the policy pack's process, as it does to a program. Pulumi.yaml's defaults fill
 * in what the stack does not set. No stack name (e.g. `pulumi policy publish`) means no exceptions.
 */
export function contextFromEngine(): PackContext {
  return { stack: pulumi.getStack(), config: { ...readProject().defaults, ...pulumi.runtime.allConfig() } };
}
