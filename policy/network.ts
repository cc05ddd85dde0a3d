/** VPC networking: default security group, flow logs, world-open ingress (FSBP EC2.2, .6, .18, .19). */
import * as aws from "@pulumi/aws";
import { type PolicyResource, type ReportViolation, validateResourceOfType } from "@pulumi/policy";
import { anyOf, type Guardrail, listAt, peek, refersTo, reportOn, resourcesOf } from "./support";

/** The CIDRs that mean "anyone on the internet". */
export const WORLD_CIDRS = ["0.0.0.0/0", "::/0"];
/** The only ports that may be open to the world (EC2.18's authorized ports): HTTP and HTTPS. */
export const PUBLIC_PORTS = [80, 443];

/** One ingress permission, whichever resource declares it. */
interface Ingress {
  protocol?: string;
  fromPort?: number;
  toPort?: number;
  cidrs: unknown[];
}

const isWorldOpen = (rule: Ingress) => rule.cidrs.some((cidr) => WORLD_CIDRS.includes(cidr as string));
const isOnePublicWebPort = (rule: Ingress) =>
  (rule.protocol === "tcp" || rule.protocol === "6") && rule.fromPort === rule.toPort && PUBLIC_PORTS.includes(rule.fromPort ?? -1);
const describe = (rule: Ingress) =>
  `${rule.protocol === "-1" ? "all traffic" : `${rule.protocol} ${rule.fromPort}-${rule.toPort}`} from ${rule.cidrs.filter((cidr) => WORLD_CIDRS.includes(cidr as string)).join(" and ")}`;

/** Ingress of an aws.vpc.SecurityGroupIngressRule (CIDRs read with peek: a computed CIDR is never the world). */
const ingressOfRule = (props: Record<string, any>): Ingress => ({
  protocol: props.ipProtocol,
  fromPort: props.fromPort,
  toPort: props.toPort,
  cidrs: [peek(props, "cidrIpv4"), peek(props, "cidrIpv6")],
});
/** Ingress of an aws.ec2.SecurityGroupRule of type ingress. */
const ingressOfLegacyRule = (props: Record<string, any>): Ingress[] =>
  props.type === "ingress"
    ? [
        {
          protocol: props.protocol,
          fromPort: props.fromPort,
          toPort: props.toPort,
          cidrs: [...listAt(props, "cidrBlocks"), ...listAt(props, "ipv6CidrBlocks")],
        },
      ]
    : [];
/** Inline ingress of an aws.ec2.SecurityGroup. */
const ingressOfGroup = (props: Record<string, any>): Ingress[] =>
  listAt(props, "ingress").map((rule: Record<string, any>) => ({
    protocol: rule.protocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    cidrs: [...listAt(rule, "cidrBlocks"), ...listAt(rule, "ipv6CidrBlocks")],
  }));

/** Reports every world-open permission that is not a single public web port. */
function onlyWebPortsOpenToWorld(rules: Ingress[], reportViolation: ReportViolation) {
  for (const rule of rules) {
    if (isWorldOpen(rule) && !isOnePublicWebPort(rule))
      reportViolation(`ingress ${describe(rule)}: only TCP ${PUBLIC_PORTS.join(" or ")} may be open to the world.`);
  }
}

/** Whether a default security group has no rules (unknown during preview means none were declared). */
const hasNoRules = (group: PolicyResource) => ["ingress", "egress"].every((key) => listAt(group.props, key).length === 0);

export const networkPolicies: Guardrail[] = [
  {
    name: "ec2-default-sg-no-rules",
    controls: ["EC2.2"],
    description: "The default security group of every VPC should allow no inbound or outbound traffic.",
    remediationSteps: "Adopt each VPC's default security group with aws.ec2.DefaultSecurityGroup and no rules (Network does).",
    validateStack: (args, reportViolation) => {
      const defaultGroups = resourcesOf(args, aws.ec2.DefaultSecurityGroup);
      for (const vpc of resourcesOf(args, aws.ec2.Vpc)) {
        if (!defaultGroups.some((group) => refersTo(group, "vpcId", vpc))) {
          reportOn(reportViolation, vpc)(`VPC ${vpc.name}'s default security group is not managed, so its default rules stay.`);
        }
      }
      for (const group of defaultGroups) {
        if (!hasNoRules(group)) reportOn(reportViolation, group)(`default security group ${group.name} has rules.`);
      }
    },
  },
  {
    name: "ec2-vpc-flow-logs",
    controls: ["EC2.6"],
    description: "VPC flow logging should be enabled in all VPCs.",
    remediationSteps: "Add an aws.ec2.FlowLog for the VPC with trafficType ALL (or REJECT).",
    validateStack: (args, reportViolation) => {
      const flowLogs = resourcesOf(args, aws.ec2.FlowLog).filter((flowLog) => ["ALL", "REJECT"].includes(flowLog.props.trafficType));
      for (const vpc of resourcesOf(args, aws.ec2.Vpc)) {
        if (!flowLogs.some((flowLog) => refersTo(flowLog, "vpcId", vpc)))
          reportOn(reportViolation, vpc)(`VPC ${vpc.name} has no flow log of ALL or REJECT traffic.`);
      }
    },
  },
  {
    name: "ec2-restricted-world-ingress",
    controls: ["EC2.18", "EC2.19"],
    description: `Security groups should allow unrestricted inbound traffic only on authorized ports (TCP ${PUBLIC_PORTS.join(", ")}), and never on high-risk ports.`,
    remediationSteps: "Open only TCP 80/443 to 0.0.0.0/0 and ::/0; restrict anything else to a CIDR or a security group.",
    validateResource: anyOf(
      validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, _args, reportViolation) =>
        onlyWebPortsOpenToWorld([ingressOfRule(rule)], reportViolation),
      ),
      validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, _args, reportViolation) =>
        onlyWebPortsOpenToWorld(ingressOfLegacyRule(rule), reportViolation),
      ),
      validateResourceOfType(aws.ec2.SecurityGroup, (group, _args, reportViolation) =>
        onlyWebPortsOpenToWorld(ingressOfGroup(group), reportViolation),
      ),
    ),
  },
  {
    name: "ec2-tasks-not-world-reachable",
    controls: ["custom"],
    description: "No security group of an ECS service may be open to the world, on any port: tasks are reached through the ALB only.",
    remediationSteps: "Admit the container port from the ALB's security group only (Service does).",
    validateStack: (args, reportViolation) => {
      const services = resourcesOf(args, aws.ecs.Service);
      const taskGroups = resourcesOf(args, aws.ec2.SecurityGroup).filter((group) =>
        services.some((service) => refersTo(service, "networkConfiguration", group)),
      );
      const rules: [PolicyResource, Ingress[]][] = [
        ...resourcesOf(args, aws.vpc.SecurityGroupIngressRule).map((rule): [PolicyResource, Ingress[]] => [
          rule,
          [ingressOfRule(rule.props)],
        ]),
        ...resourcesOf(args, aws.ec2.SecurityGroupRule).map((rule): [PolicyResource, Ingress[]] => [rule, ingressOfLegacyRule(rule.props)]),
      ];
      for (const group of taskGroups) {
        if (ingressOfGroup(group.props).some(isWorldOpen))
          reportOn(reportViolation, group)(`tasks' security group ${group.name} has inline ingress open to the world.`);
        for (const [rule, ingress] of rules) {
          if (ingress.some(isWorldOpen) && refersTo(rule, "securityGroupId", group)) {
            reportOn(reportViolation, rule)(`ingress rule ${rule.name} opens the tasks' security group ${group.name} to the world.`);
          }
        }
      }
    },
  },
];
