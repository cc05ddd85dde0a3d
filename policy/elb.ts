/** Elastic Load Balancing v2: load balancers and listeners (FSBP ELB.1, .4, .5, .6, .12, .13, .17). */
import * as aws from "@pulumi/aws";
import { type PolicyResource, type ReportViolation, type ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import type { Unwrap } from "@pulumi/pulumi";
import { anyOf, type Guardrail, listAt, peek, refersTo, reportOn, resourcesOf } from "./support";

/**
 * ELB.17's recommended policies, TLS 1.2 and up only: the TLS 1.3 families of 2021-06, their FIPS
 * variants of 2023-04 and the post-quantum ones of 2025-09. No policy that still allows TLS 1.0/1.1.
 */
export const ALLOWED_TLS_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
] as const;

type LoadBalancerProps = Unwrap<aws.lb.LoadBalancerArgs>;
type ListenerProps = Unwrap<aws.lb.ListenerArgs>;
type Check<TProps> = (props: TProps, args: ResourceValidationArgs, reportViolation: ReportViolation) => void;

/** A check on load balancers, whether declared as aws.lb or as its aws.alb alias. */
function loadBalancers(check: Check<LoadBalancerProps>) {
  return anyOf(
    validateResourceOfType(aws.lb.LoadBalancer, check),
    validateResourceOfType(aws.alb.LoadBalancer, check as Check<Unwrap<aws.alb.LoadBalancerArgs>>),
  );
}
/** The same check, on Application Load Balancers only (the type defaults to application). */
function applicationLoadBalancers(check: Check<LoadBalancerProps>) {
  return loadBalancers((props, args, reportViolation) => {
    if ((props.loadBalancerType ?? "application") === "application") check(props, args, reportViolation);
  });
}
/** A check on listeners, aws.lb or aws.alb. */
function listeners(check: Check<ListenerProps>) {
  return anyOf(
    validateResourceOfType(aws.lb.Listener, check),
    validateResourceOfType(aws.alb.Listener, check as Check<Unwrap<aws.alb.ListenerArgs>>),
  );
}

export const elbPolicies: Guardrail[] = [
  {
    name: "elb-http-redirects-to-https",
    controls: ["ELB.1"],
    description:
      "Application Load Balancers should redirect all HTTP requests to HTTPS. An internal ALB that is a CloudFront VPC origin meets the " +
      "control's intent with an HTTP listener: viewers reach it only through CloudFront, which redirects them to HTTPS (cloudfront-viewer-https), " +
      "and the hop from CloudFront stays inside the VPC.",
    remediationSteps:
      "Use the CloudFront edge (edge: cloudfront), or set domainName or certificateArn: port 80 then only redirects (301) to the HTTPS listener.",
    validateStack: (args, reportViolation) => {
      const albs = [...resourcesOf(args, aws.lb.LoadBalancer), ...resourcesOf(args, aws.alb.LoadBalancer)];
      const vpcOrigins = resourcesOf(args, aws.cloudfront.VpcOrigin);
      const behindCloudFront = (listener: PolicyResource) =>
        albs.some(
          (alb) =>
            refersTo(listener, "loadBalancerArn", alb) &&
            alb.props.internal === true &&
            vpcOrigins.some((origin) => refersTo(origin, "vpcOriginEndpointConfig", alb)),
        );
      for (const listener of [...resourcesOf(args, aws.lb.Listener), ...resourcesOf(args, aws.alb.Listener)]) {
        if (listener.props.protocol !== "HTTP") continue;
        const actions = listAt(listener.props, "defaultActions");
        const redirectsAll =
          actions.length > 0 && actions.every((action) => action.type === "redirect" && action.redirect?.protocol === "HTTPS");
        if (!redirectsAll && !behindCloudFront(listener)) {
          reportOn(
            reportViolation,
            listener,
          )(`the HTTP listener on port ${listener.props.port ?? "?"} serves requests instead of redirecting them to HTTPS.`);
        }
      }
    },
  },
  {
    name: "elb-drop-invalid-headers",
    controls: ["ELB.4"],
    description: "Application Load Balancers should drop invalid HTTP headers.",
    remediationSteps: "Set dropInvalidHeaderFields: true.",
    validateResource: applicationLoadBalancers((alb, _args, reportViolation) => {
      if (alb.dropInvalidHeaderFields !== true)
        reportViolation("dropInvalidHeaderFields is not true: malformed headers reach the targets.");
    }),
  },
  {
    name: "elb-access-logs",
    controls: ["ELB.5"],
    description: "Application Load Balancer access logging should be enabled.",
    remediationSteps: "Set accessLogs: { bucket, enabled: true } with a bucket the ELB log delivery may write to.",
    validateResource: applicationLoadBalancers((alb, _args, reportViolation) => {
      // peek: the bucket's name is unknown during a preview of a new stack, and that is fine.
      const logs = alb.accessLogs;
      const bucket = peek(logs, "bucket");
      if (logs?.enabled !== true || bucket === undefined || bucket === "")
        reportViolation("access logs are not enabled (accessLogs.enabled with a bucket).");
    }),
  },
  {
    name: "elb-deletion-protection",
    controls: ["ELB.6"],
    description: "Load balancers should have deletion protection enabled.",
    remediationSteps: "Set enableDeletionProtection: true (protectData in the stack's config).",
    validateResource: loadBalancers((lb, _args, reportViolation) => {
      if (lb.enableDeletionProtection !== true) reportViolation("enableDeletionProtection is not true.");
    }),
  },
  {
    name: "elb-desync-mitigation",
    controls: ["ELB.12"],
    description: "Application Load Balancers should use the defensive or strictest desync mitigation mode.",
    remediationSteps: "Set desyncMitigationMode to defensive (the AWS default) or strictest.",
    validateResource: applicationLoadBalancers((alb, _args, reportViolation) => {
      if (alb.desyncMitigationMode === "monitor") reportViolation("desyncMitigationMode is monitor: request smuggling is not mitigated.");
    }),
  },
  {
    name: "elb-multi-az",
    controls: ["ELB.13"],
    description: "Load balancers should span multiple Availability Zones.",
    remediationSteps: "Give the load balancer a subnet in each of at least two AZs.",
    validateResource: loadBalancers((lb, _args, reportViolation) => {
      const subnets = Math.max(lb.subnets?.length ?? 0, lb.subnetMappings?.length ?? 0);
      if (subnets < 2) reportViolation(`the load balancer is in ${subnets} subnet(s); it needs subnets in at least two AZs.`);
    }),
  },
  {
    name: "elb-tls-policy",
    controls: ["ELB.17"],
    description: "HTTPS and TLS listeners should use a recommended (TLS 1.2+) security policy.",
    remediationSteps: `Set sslPolicy to one of ${ALLOWED_TLS_POLICIES.join(", ")}.`,
    validateResource: listeners((listener, _args, reportViolation) => {
      if (listener.protocol !== "HTTPS" && listener.protocol !== "TLS") return;
      if (!(ALLOWED_TLS_POLICIES as readonly string[]).includes(listener.sslPolicy ?? "")) {
        reportViolation(
          `sslPolicy ${listener.sslPolicy ?? "(AWS default, ELBSecurityPolicy-2016-08)"} is not a recommended TLS 1.2+ policy.`,
        );
      }
    }),
  },
];
