/** The VPC and what is in it: subnets, routes, gateways, endpoints, flow logs, security groups. */
import { mockIdOf, type OfflineResource, type OfflineStack } from "../../offlineStack";
import { T } from "../../resourceTypes";
import type { Describer, References } from "./describe";

function ruleText(rule: OfflineResource, refs: References): string {
  const direction = rule.type === T.ingress ? "in" : "out";
  const ports = rule.inputs.fromPort === rule.inputs.toPort ? `${rule.inputs.fromPort}` : `${rule.inputs.fromPort}-${rule.inputs.toPort}`;
  const peer =
    rule.inputs.cidrIpv4 ??
    rule.inputs.cidrIpv6 ??
    (rule.inputs.prefixListId ? `prefix list ${rule.inputs.prefixListId}` : undefined) ??
    (rule.inputs.referencedSecurityGroupId ? `sg ${refs.name(rule.inputs.referencedSecurityGroupId)}` : "?");
  const protocol = rule.inputs.ipProtocol === "-1" ? "all" : `${rule.inputs.ipProtocol}/${ports}`;
  return `${direction} ${protocol} ${direction === "in" ? "from" : "to"} ${peer}`;
}

/** `com.amazonaws.<region>.ecr.api` -> `ecr.api`. */
const endpointService = (endpoint: OfflineResource) => String(endpoint.inputs.serviceName).split(".").slice(3).join(".");

/** Where a subnet's traffic to the internet goes: its route table's default route, or VPC endpoints only. */
function subnetEgress(subnet: OfflineResource, stack: OfflineStack, refs: References): string {
  const id = mockIdOf(subnet);
  const association = stack.resources.find((resource) => resource.type === T.routeTableAssociation && resource.inputs.subnetId === id);
  if (!association) return "main route table";
  const tableId = association.inputs.routeTableId;
  const defaultRoute = stack.resources.find(
    (resource) =>
      resource.type === T.route && resource.inputs.routeTableId === tableId && resource.inputs.destinationCidrBlock === "0.0.0.0/0",
  );
  if (defaultRoute?.inputs.natGatewayId) return `NAT gateway ${refs.name(defaultRoute.inputs.natGatewayId)}`;
  if (defaultRoute?.inputs.gatewayId) return `internet gateway ${refs.name(defaultRoute.inputs.gatewayId)}`;
  const endpoints = stack.resources.filter(
    (resource) =>
      resource.type === T.vpcEndpoint &&
      ((resource.inputs.routeTableIds ?? []).includes(tableId) || (resource.inputs.subnetIds ?? []).includes(id)),
  );
  return endpoints.length ? `no internet route; VPC endpoints (${endpoints.map(endpointService).join(", ")})` : "none (no internet route)";
}

/** What runs in a subnet: the ALB, the service's tasks, NAT gateways, interface endpoints. */
function subnetUsers(subnet: OfflineResource, stack: OfflineStack): string[] {
  const id = mockIdOf(subnet);
  const users: string[] = [];
  for (const resource of stack.resources) {
    if (resource.type === T.loadBalancer && (resource.inputs.subnets ?? []).includes(id)) users.push("ALB");
    if (resource.type === T.service && (resource.inputs.networkConfiguration?.subnets ?? []).includes(id)) users.push("tasks");
    if (resource.type === T.natGateway && resource.inputs.subnetId === id) users.push("NAT gateway");
    if (resource.type === T.vpcEndpoint && (resource.inputs.subnetIds ?? []).includes(id))
      users.push(`endpoint ${endpointService(resource)}`);
  }
  return users;
}

const securityGroupRule: Describer = (rule, { refs }) => ({ group: refs.name(rule.inputs.securityGroupId), rule: ruleText(rule, refs) });

export const NETWORK: Record<string, Describer> = {
  [T.vpc]: ({ inputs }) => ({
    cidr: inputs.cidrBlock,
    dnsHostnames: inputs.enableDnsHostnames ?? false,
    dnsSupport: inputs.enableDnsSupport ?? true,
  }),
  [T.subnet]: (subnet, { stack, refs }) => ({
    tier: subnet.inputs.tags?.tier ?? "?",
    cidr: subnet.inputs.cidrBlock,
    az: subnet.inputs.availabilityZone,
    egress: subnetEgress(subnet, stack, refs),
    hosts: subnetUsers(subnet, stack),
    publicIpOnLaunch: subnet.inputs.mapPublicIpOnLaunch ?? false,
  }),
  [T.route]: ({ inputs }, { refs }) => ({
    table: refs.name(inputs.routeTableId),
    destination: inputs.destinationCidrBlock ?? inputs.destinationIpv6CidrBlock,
    via: inputs.natGatewayId
      ? `NAT gateway ${refs.name(inputs.natGatewayId)}`
      : inputs.gatewayId
        ? `gateway ${refs.name(inputs.gatewayId)}`
        : "?",
  }),
  [T.routeTableAssociation]: ({ inputs }, { refs }) => ({ subnet: refs.name(inputs.subnetId), table: refs.name(inputs.routeTableId) }),
  [T.natGateway]: ({ inputs }, { refs }) => ({
    subnet: refs.name(inputs.subnetId),
    eip: refs.name(inputs.allocationId),
    connectivity: inputs.connectivityType ?? "public",
  }),
  [T.eip]: ({ inputs }) => ({ domain: inputs.domain, publicIpv4: true }),
  [T.vpcEndpoint]: ({ inputs }, { refs }) => ({
    service: inputs.serviceName,
    type: inputs.vpcEndpointType ?? "Gateway",
    ...(inputs.vpcEndpointType === "Interface"
      ? {
          subnets: refs.names_(inputs.subnetIds),
          azs: (inputs.subnetIds ?? []).length,
          privateDns: inputs.privateDnsEnabled ?? false,
          securityGroups: refs.names_(inputs.securityGroupIds),
        }
      : { routeTables: refs.names_(inputs.routeTableIds) }),
  }),
  [T.flowLog]: ({ inputs }, { refs }) => ({
    of: refs.name(inputs.vpcId ?? inputs.subnetId ?? inputs.eniId),
    traffic: inputs.trafficType,
    to: `${inputs.logDestinationType ?? "cloud-watch-logs"} ${refs.name(inputs.logDestination ?? inputs.logGroupName)}`,
    aggregation: `${inputs.maxAggregationInterval ?? 600} s`,
  }),
  [T.defaultSecurityGroup]: ({ inputs }) => ({
    ingress: inputs.ingress?.length ? `${inputs.ingress.length} rules` : "none",
    egress: inputs.egress?.length ? `${inputs.egress.length} rules` : "none",
  }),
  [T.securityGroup]: (group, { stack, refs }) => {
    const { inputs } = group;
    const rules = stack.resources.filter(
      (rule) => (rule.type === T.ingress || rule.type === T.egress) && rule.inputs.securityGroupId === mockIdOf(group),
    );
    return {
      description: inputs.description ?? "",
      rules: rules.map((rule) => ruleText(rule, refs)).sort(),
      ...(inputs.ingress?.length || inputs.egress?.length
        ? { inlineRules: `${inputs.ingress?.length ?? 0} in, ${inputs.egress?.length ?? 0} out` }
        : {}),
    };
  },
  [T.ingress]: securityGroupRule,
  [T.egress]: securityGroupRule,
};
