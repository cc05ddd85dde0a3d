/** The application load balancer, its listeners and their rules, and the target group. */
import { T } from "../../resourceTypes";
import type { Describer, References } from "./describe";

function listenerAction(action: any, refs: References): string {
  if (action?.type === "forward") return `forward to ${refs.name(action.targetGroupArn)}`;
  if (action?.type === "redirect") {
    const redirect = action.redirect ?? {};
    return `redirect to ${redirect.protocol ?? "#{protocol}"}:${redirect.port ?? "#{port}"} (${redirect.statusCode})`;
  }
  return String(action?.type);
}

function conditionText(condition: any): string {
  if (condition.pathPattern) return `path ${condition.pathPattern.values.join(" ")}`;
  if (condition.httpHeader) return `header ${condition.httpHeader.httpHeaderName}: ${condition.httpHeader.values.join(" ")}`;
  return "?";
}

export const LOAD_BALANCING: Record<string, Describer> = {
  [T.loadBalancer]: ({ inputs }, { refs }) => ({
    kind: inputs.loadBalancerType ?? "application",
    scheme: inputs.internal ? "internal" : "internet-facing",
    azs: (inputs.subnets ?? []).length,
    subnets: refs.names_(inputs.subnets),
    securityGroups: refs.names_(inputs.securityGroups),
    deletionProtection: inputs.enableDeletionProtection ?? false,
    dropInvalidHeaderFields: inputs.dropInvalidHeaderFields ?? false,
    desyncMitigation: inputs.desyncMitigationMode ?? "defensive",
    accessLogs: inputs.accessLogs?.enabled
      ? `to bucket ${refs.name(inputs.accessLogs.bucket)}${inputs.accessLogs.prefix ? `/${inputs.accessLogs.prefix}` : ""}`
      : "off",
  }),
  [T.listener]: ({ inputs }, { refs }) => ({
    listen: `${inputs.protocol}:${inputs.port}`,
    action: (inputs.defaultActions ?? []).map((action: unknown) => listenerAction(action, refs)),
    ...(inputs.sslPolicy ? { tlsPolicy: inputs.sslPolicy } : {}),
    ...(inputs.certificateArn ? { certificate: inputs.certificateArn } : {}),
  }),
  [T.listenerRule]: ({ inputs }, { refs }) => ({
    priority: inputs.priority,
    when: (inputs.conditions ?? []).map(conditionText),
    forward: (inputs.actions?.[0]?.forward?.targetGroups ?? []).map((group: any) => `${refs.name(group.arn)} ${group.weight}`),
  }),
  [T.targetGroup]: ({ inputs }) => {
    const check = inputs.healthCheck ?? {};
    return {
      targets: `${inputs.targetType ?? "instance"} ${inputs.protocol}:${inputs.port}`,
      healthCheck: `${check.protocol ?? "HTTP"} ${check.path ?? "/"} -> ${check.matcher ?? "200"}, every ${check.interval ?? 30} s, timeout ${check.timeout ?? 5} s, healthy after ${check.healthyThreshold ?? 5}, unhealthy after ${check.unhealthyThreshold ?? 2}`,
      deregistrationDelay: `${inputs.deregistrationDelay ?? 300} s`,
    };
  },
};
