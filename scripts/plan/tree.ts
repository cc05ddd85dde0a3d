/**
 * The resource tree: the stack, its components, and each component's resources (grouped by the
 * `parent` the program gave them), each with the properties a reviewer checks.
 */
import { mockIdOf, type OfflineResource, type OfflineStack } from "../offlineStack";
import { T } from "../resourceTypes";

export type DetailValue = string | number | boolean | string[];

export interface TreeNode {
  type: string;
  name: string;
  details: Record<string, DetailValue>;
  children: TreeNode[];
}

/** Display order of types inside a component; others follow alphabetically. */
const TYPE_ORDER = [
  T.vpc,
  T.subnet,
  T.internetGateway,
  T.natGateway,
  T.eip,
  T.routeTable,
  T.route,
  T.routeTableAssociation,
  T.vpcEndpoint,
  T.flowLog,
  T.defaultSecurityGroup,
  T.securityGroup,
  T.ingress,
  T.egress,
  T.loadBalancer,
  T.listener,
  T.targetGroup,
  T.bucket,
  T.bucketV2,
  T.bucketPolicy,
  T.bucketPublicAccessBlock,
  T.bucketOwnershipControls,
  T.bucketEncryption,
  T.bucketLifecycle,
  T.repository,
  T.lifecyclePolicy,
  T.image,
  T.table,
  T.role,
  T.rolePolicy,
  T.rolePolicyAttachment,
  T.cluster,
  T.capacityProviders,
  T.logGroup,
  T.taskDefinition,
  T.service,
  T.scalingTarget,
  T.scalingPolicy,
  T.listenerRule,
  T.metricAlarm,
  T.schedule,
  T.vpcOrigin,
  T.distribution,
  T.cachePolicy,
  T.webAcl,
  T.certificate,
  T.certificateValidation,
  T.record,
];

/** `aws:ec2/vpc:Vpc` -> `ec2.Vpc`; `docker:index/image:Image` -> `docker.Image`; components keep their type. */
export function shortType(type: string): string {
  const match = /^([\w-]+):([\w-]+)(?:\/[\w-]+)?:(\w+)$/.exec(type);
  if (!match || match[1] === "pulumi" || match[1] === "boyacky") return type;
  const [, pkg, module, name] = match;
  if (pkg === "aws") return `${module}.${name}`;
  return module === "index" ? `${pkg}.${name}` : `${pkg}.${module}.${name}`;
}

/** Looks up resources by the ids and ARNs the mocks gave them, to show names instead of ids. */
class References {
  private readonly names = new Map<string, string>();
  constructor(stack: OfflineStack) {
    for (const resource of stack.resources) {
      this.names.set(mockIdOf(resource), resource.name);
      if (typeof resource.state.arn === "string") this.names.set(resource.state.arn, resource.name);
    }
    // Physical names (role.name, cluster.name...) last, so that they never shadow an id or ARN.
    for (const resource of stack.resources) {
      const physical = resource.state.name;
      if (typeof physical === "string" && physical !== resource.name && !this.names.has(physical)) this.names.set(physical, resource.name);
    }
  }
  name(value: unknown): string {
    return this.names.get(String(value)) ?? String(value);
  }
  names_(values: unknown): string[] {
    return ((values as unknown[] | undefined) ?? []).map((value) => this.name(value));
  }
}

function ruleText(rule: OfflineResource, refs: References): string {
  const direction = rule.type.includes("Ingress") ? "in" : "out";
  const ports = rule.inputs.fromPort === rule.inputs.toPort ? `${rule.inputs.fromPort}` : `${rule.inputs.fromPort}-${rule.inputs.toPort}`;
  const peer = rule.inputs.cidrIpv4 ?? rule.inputs.cidrIpv6 ?? (rule.inputs.prefixListId ? `prefix list ${rule.inputs.prefixListId}` : undefined) ?? (rule.inputs.referencedSecurityGroupId ? `sg ${refs.name(rule.inputs.referencedSecurityGroupId)}` : "?");
  const protocol = rule.inputs.ipProtocol === "-1" ? "all" : `${rule.inputs.ipProtocol}/${ports}`;
  return `${direction} ${protocol} ${direction === "in" ? "from" : "to"} ${peer}`;
}

/** Where a subnet's traffic to the internet goes: its route table's default route, or VPC endpoints only. */
function subnetEgress(subnet: OfflineResource, stack: OfflineStack, refs: References): string {
  const id = mockIdOf(subnet);
  const association = stack.resources.find((resource) => resource.type === T.routeTableAssociation && resource.inputs.subnetId === id);
  if (!association) return "main route table";
  const tableId = association.inputs.routeTableId;
  const defaultRoute = stack.resources.find((resource) => resource.type === T.route && resource.inputs.routeTableId === tableId && resource.inputs.destinationCidrBlock === "0.0.0.0/0");
  if (defaultRoute?.inputs.natGatewayId) return `NAT gateway ${refs.name(defaultRoute.inputs.natGatewayId)}`;
  if (defaultRoute?.inputs.gatewayId) return `internet gateway ${refs.name(defaultRoute.inputs.gatewayId)}`;
  const endpoints = stack.resources.filter(
    (resource) =>
      resource.type === T.vpcEndpoint &&
      ((resource.inputs.routeTableIds ?? []).includes(tableId) || (resource.inputs.subnetIds ?? []).includes(id)),
  );
  return endpoints.length ? `no internet route; VPC endpoints (${endpoints.map((endpoint) => String(endpoint.inputs.serviceName).split(".").slice(3).join(".")).join(", ")})` : "none (no internet route)";
}

/** What runs in a subnet: the ALB, the service's tasks, NAT gateways, interface endpoints. */
function subnetUsers(subnet: OfflineResource, stack: OfflineStack): string[] {
  const id = mockIdOf(subnet);
  const users: string[] = [];
  for (const resource of stack.resources) {
    if (resource.type === T.loadBalancer && (resource.inputs.subnets ?? []).includes(id)) users.push("ALB");
    if (resource.type === T.service && (resource.inputs.networkConfiguration?.subnets ?? []).includes(id)) users.push("tasks");
    if (resource.type === T.natGateway && resource.inputs.subnetId === id) users.push("NAT gateway");
    if (resource.type === T.vpcEndpoint && (resource.inputs.subnetIds ?? []).includes(id)) users.push(`endpoint ${String(resource.inputs.serviceName).split(".").slice(3).join(".")}`);
  }
  return users;
}

function listenerAction(action: any, refs: References): string {
  if (action?.type === "forward") return `forward to ${refs.name(action.targetGroupArn)}`;
  if (action?.type === "redirect") {
    const redirect = action.redirect ?? {};
    return `redirect to ${redirect.protocol ?? "#{protocol}"}:${redirect.port ?? "#{port}"} (${redirect.statusCode})`;
  }
  return String(action?.type);
}

function parseJson(text: unknown): any {
  try {
    return JSON.parse(String(text));
  } catch {
    return undefined;
  }
}

/** The reviewer-relevant properties of one resource. */
export function resourceDetails(resource: OfflineResource, stack: OfflineStack): Record<string, DetailValue> {
  const refs = new References(stack);
  const inputs = resource.inputs;
  const details: Record<string, DetailValue> = {};
  const sameComponent = (type: string) => stack.resources.filter((other) => other.type === type && other.parent === resource.parent && other.parentName === resource.parentName);
  switch (resource.type) {
    case T.vpc:
      Object.assign(details, { cidr: inputs.cidrBlock, dnsHostnames: inputs.enableDnsHostnames ?? false, dnsSupport: inputs.enableDnsSupport ?? true });
      break;
    case T.subnet:
      Object.assign(details, {
        tier: inputs.tags?.tier ?? "?",
        cidr: inputs.cidrBlock,
        az: inputs.availabilityZone,
        egress: subnetEgress(resource, stack, refs),
        hosts: subnetUsers(resource, stack),
        publicIpOnLaunch: inputs.mapPublicIpOnLaunch ?? false,
      });
      break;
    case T.route:
      Object.assign(details, {
        table: refs.name(inputs.routeTableId),
        destination: inputs.destinationCidrBlock ?? inputs.destinationIpv6CidrBlock,
        via: inputs.natGatewayId ? `NAT gateway ${refs.name(inputs.natGatewayId)}` : inputs.gatewayId ? `gateway ${refs.name(inputs.gatewayId)}` : "?",
      });
      break;
    case T.routeTableAssociation:
      Object.assign(details, { subnet: refs.name(inputs.subnetId), table: refs.name(inputs.routeTableId) });
      break;
    case T.natGateway:
      Object.assign(details, { subnet: refs.name(inputs.subnetId), eip: refs.name(inputs.allocationId), connectivity: inputs.connectivityType ?? "public" });
      break;
    case T.eip:
      Object.assign(details, { domain: inputs.domain, publicIpv4: true });
      break;
    case T.vpcEndpoint:
      Object.assign(details, { service: inputs.serviceName, type: inputs.vpcEndpointType ?? "Gateway" });
      if (inputs.vpcEndpointType === "Interface") {
        Object.assign(details, { subnets: refs.names_(inputs.subnetIds), azs: (inputs.subnetIds ?? []).length, privateDns: inputs.privateDnsEnabled ?? false, securityGroups: refs.names_(inputs.securityGroupIds) });
      } else {
        Object.assign(details, { routeTables: refs.names_(inputs.routeTableIds) });
      }
      break;
    case T.defaultSecurityGroup:
      Object.assign(details, { ingress: inputs.ingress?.length ? `${inputs.ingress.length} rules` : "none", egress: inputs.egress?.length ? `${inputs.egress.length} rules` : "none" });
      break;
    case T.securityGroup: {
      const rules = stack.resources.filter((rule) => /securityGroup(Ingress|Egress)Rule:/.test(rule.type) && rule.inputs.securityGroupId === mockIdOf(resource));
      Object.assign(details, {
        description: inputs.description ?? "",
        rules: rules.map((rule) => ruleText(rule, refs)).sort(),
        ...(inputs.ingress?.length || inputs.egress?.length ? { inlineRules: `${inputs.ingress?.length ?? 0} in, ${inputs.egress?.length ?? 0} out` } : {}),
      });
      break;
    }
    case T.ingress:
    case T.egress:
      Object.assign(details, { group: refs.name(inputs.securityGroupId), rule: ruleText(resource, refs) });
      break;
    case T.loadBalancer:
      Object.assign(details, {
        kind: inputs.loadBalancerType ?? "application",
        scheme: inputs.internal ? "internal" : "internet-facing",
        azs: (inputs.subnets ?? []).length,
        subnets: refs.names_(inputs.subnets),
        securityGroups: refs.names_(inputs.securityGroups),
        deletionProtection: inputs.enableDeletionProtection ?? false,
        dropInvalidHeaderFields: inputs.dropInvalidHeaderFields ?? false,
        desyncMitigation: inputs.desyncMitigationMode ?? "defensive",
        accessLogs: inputs.accessLogs?.enabled ? `to bucket ${refs.name(inputs.accessLogs.bucket)}${inputs.accessLogs.prefix ? `/${inputs.accessLogs.prefix}` : ""}` : "off",
      });
      break;
    case T.targetGroup: {
      const check = inputs.healthCheck ?? {};
      Object.assign(details, {
        targets: `${inputs.targetType ?? "instance"} ${inputs.protocol}:${inputs.port}`,
        healthCheck: `${check.protocol ?? "HTTP"} ${check.path ?? "/"} -> ${check.matcher ?? "200"}, every ${check.interval ?? 30} s, timeout ${check.timeout ?? 5} s, healthy after ${check.healthyThreshold ?? 5}, unhealthy after ${check.unhealthyThreshold ?? 2}`,
        deregistrationDelay: `${inputs.deregistrationDelay ?? 300} s`,
      });
      break;
    }
    case T.listener:
      Object.assign(details, {
        listen: `${inputs.protocol}:${inputs.port}`,
        action: (inputs.defaultActions ?? []).map((action: unknown) => listenerAction(action, refs)),
        ...(inputs.sslPolicy ? { tlsPolicy: inputs.sslPolicy } : {}),
        ...(inputs.certificateArn ? { certificate: inputs.certificateArn } : {}),
      });
      break;
    case T.repository:
      Object.assign(details, {
        tagMutability: inputs.imageTagMutability ?? "MUTABLE",
        scanOnPush: inputs.imageScanningConfiguration?.scanOnPush ?? false,
        forceDelete: inputs.forceDelete ?? false,
        encryption: inputs.encryptionConfigurations?.[0]?.encryptionType ?? "AES256",
      });
      break;
    case T.lifecyclePolicy: {
      const rules = parseJson(inputs.policy)?.rules ?? [];
      Object.assign(details, { rules: rules.map((rule: any) => `${rule.action?.type} ${rule.selection?.tagStatus} when ${rule.selection?.countType} ${rule.selection?.countNumber}`) });
      break;
    }
    case T.image:
      Object.assign(details, { image: inputs.imageName, platform: inputs.build?.platform ?? "?", pushedAs: resource.state.repoDigest ?? "?" });
      break;
    case T.table:
      Object.assign(details, {
        billing: inputs.billingMode ?? "PROVISIONED",
        keys: [inputs.hashKey, inputs.rangeKey].filter(Boolean).join(" + "),
        pitr: inputs.pointInTimeRecovery?.enabled ?? false,
        deletionProtection: inputs.deletionProtectionEnabled ?? false,
        retainOnDelete: resource.options.retainOnDelete ?? false,
        ttl: inputs.ttl?.enabled ? inputs.ttl.attributeName : "off",
        encryption: inputs.serverSideEncryption?.enabled ? `KMS ${inputs.serverSideEncryption.kmsKeyArn ?? "aws/dynamodb"}` : "AWS owned key",
      });
      break;
    case T.role: {
      const statements = parseJson(inputs.assumeRolePolicy)?.Statement ?? [];
      Object.assign(details, {
        trusts: statements.map((statement: any) => `${JSON.stringify(statement.Principal)}${statement.Condition ? ` if ${JSON.stringify(statement.Condition)}` : ""}`),
      });
      break;
    }
    case T.rolePolicy: {
      const statements = parseJson(inputs.policy)?.Statement ?? [];
      Object.assign(details, {
        role: refs.name(inputs.role),
        allows: statements.map((statement: any) => `${[statement.Action].flat().join(" ")} on ${[statement.Resource].flat().join(" ")}`),
      });
      break;
    }
    case T.rolePolicyAttachment:
      Object.assign(details, { role: refs.name(inputs.role), policy: inputs.policyArn });
      break;
    case T.cluster:
      Object.assign(details, { containerInsights: (inputs.settings ?? []).find((setting: any) => setting.name === "containerInsights")?.value ?? "disabled" });
      break;
    case T.capacityProviders:
      Object.assign(details, { providers: inputs.capacityProviders ?? [] });
      break;
    case T.logGroup:
      Object.assign(details, { retentionDays: inputs.retentionInDays ?? "never expire", ...(inputs.kmsKeyId ? { kms: inputs.kmsKeyId } : {}) });
      break;
    case T.taskDefinition: {
      const containers = parseJson(inputs.containerDefinitions) ?? [];
      const platform = inputs.runtimePlatform ?? {};
      Object.assign(details, {
        size: `${Number(inputs.cpu) / 1024} vCPU / ${Number(inputs.memory) / 1024} GB (cpu ${inputs.cpu}, memory ${inputs.memory})`,
        platform: `${platform.operatingSystemFamily ?? "LINUX"}/${platform.cpuArchitecture ?? "X86_64"}`,
        image: containers.map((container: any) => `${container.name}: ${container.image}`),
        user: containers.map((container: any) => container.user ?? "root"),
        readonlyRootFilesystem: containers.every((container: any) => container.readonlyRootFilesystem === true),
      });
      break;
    }
    case T.service: {
      const target = sameComponent(T.scalingTarget)[0];
      const strategies = inputs.capacityProviderStrategies as { capacityProvider: string; base?: number; weight?: number }[] | undefined;
      const network = inputs.networkConfiguration ?? {};
      Object.assign(details, {
        desiredCount: inputs.desiredCount ?? 1,
        ...(target ? { autoscaling: `${target.inputs.minCapacity}..${target.inputs.maxCapacity}` } : {}),
        capacity: strategies?.length
          ? strategies.map((strategy) => `${strategy.capacityProvider} base ${strategy.base ?? 0} weight ${strategy.weight ?? 0}`)
          : `launchType ${inputs.launchType ?? "EC2"}`,
        publicIp: network.assignPublicIp ?? false,
        subnets: refs.names_(network.subnets),
        securityGroups: refs.names_(network.securityGroups),
        deployment: `min ${inputs.deploymentMinimumHealthyPercent ?? 100}% / max ${inputs.deploymentMaximumPercent ?? 200}%, circuit breaker ${inputs.deploymentCircuitBreaker?.enable ? (inputs.deploymentCircuitBreaker.rollback ? "with rollback" : "without rollback") : "off"}`,
        healthCheckGrace: `${inputs.healthCheckGracePeriodSeconds ?? 0} s`,
        strategy: deploymentText(inputs.deploymentConfiguration),
        alarms: inputs.alarms?.enable ? `${(inputs.alarms.alarmNames ?? []).length} alarms${inputs.alarms.rollback ? ", roll back" : ""}` : "none",
        executeCommand: inputs.enableExecuteCommand ?? false,
      });
      break;
    }
    case T.flowLog:
      Object.assign(details, {
        of: refs.name(inputs.vpcId ?? inputs.subnetId ?? inputs.eniId),
        traffic: inputs.trafficType,
        to: `${inputs.logDestinationType ?? "cloud-watch-logs"} ${refs.name(inputs.logDestination ?? inputs.logGroupName)}`,
        aggregation: `${inputs.maxAggregationInterval ?? 600} s`,
      });
      break;
    case T.bucket:
    case T.bucketV2:
      Object.assign(details, { forceDestroy: inputs.forceDestroy ?? false, retainOnDelete: resource.options.retainOnDelete ?? false });
      break;
    case T.bucketEncryption:
    case T.bucketEncryptionV2:
      Object.assign(details, {
        bucket: refs.name(inputs.bucket),
        encryption: (inputs.rules ?? []).map((rule: any) => `${rule.applyServerSideEncryptionByDefault?.sseAlgorithm}${rule.applyServerSideEncryptionByDefault?.kmsMasterKeyId ? ` ${rule.applyServerSideEncryptionByDefault.kmsMasterKeyId}` : ""}`),
      });
      break;
    case T.bucketPublicAccessBlock: {
      const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
      const off = flags.filter((flag) => inputs[flag] !== true);
      Object.assign(details, { bucket: refs.name(inputs.bucket), publicAccess: off.length ? `NOT blocked: ${off.join(", ")}` : "all blocked" });
      break;
    }
    case T.bucketOwnershipControls:
      Object.assign(details, { bucket: refs.name(inputs.bucket), objectOwnership: inputs.rule?.objectOwnership ?? "?" });
      break;
    case T.bucketLifecycle:
    case T.bucketLifecycleV2:
      Object.assign(details, {
        bucket: refs.name(inputs.bucket),
        rules: (inputs.rules ?? []).map((rule: any) => `${rule.id ?? "rule"} (${rule.status})${rule.expiration?.days ? `: expire after ${rule.expiration.days} days` : ""}`),
      });
      break;
    case T.bucketPolicy: {
      const statements = parseJson(inputs.policy)?.Statement ?? [];
      Object.assign(details, {
        bucket: refs.name(inputs.bucket),
        statements: statements.map((statement: any) => `${statement.Sid ?? "?"}: ${statement.Effect} ${[statement.Action].flat().join(" ")} to ${typeof statement.Principal === "string" ? statement.Principal : JSON.stringify(statement.Principal)}`),
      });
      break;
    }
    case T.scalingTarget:
      Object.assign(details, { min: inputs.minCapacity, max: inputs.maxCapacity });
      break;
    case T.schedule:
      Object.assign(details, {
        when: `${inputs.scheduleExpression} (${inputs.scheduleExpressionTimezone ?? "UTC"})`,
        runs: `${refs.name(inputs.target?.ecsParameters?.taskDefinitionArn)} on ${refs.name(inputs.target?.arn)}`,
      });
      break;
    case T.metricAlarm:
      Object.assign(details, {
        when: inputs.alarmDescription ?? "",
        evaluation: `${inputs.datapointsToAlarm ?? inputs.evaluationPeriods} of ${inputs.evaluationPeriods} periods of ${inputs.period ?? inputs.metricQueries?.[0]?.metric?.period ?? "?"} s`,
      });
      break;
    case T.listenerRule:
      Object.assign(details, {
        priority: inputs.priority,
        when: (inputs.conditions ?? []).map((condition: any) => condition.pathPattern ? `path ${condition.pathPattern.values.join(" ")}` : condition.httpHeader ? `header ${condition.httpHeader.httpHeaderName}: ${condition.httpHeader.values.join(" ")}` : "?"),
        forward: (inputs.actions?.[0]?.forward?.targetGroups ?? []).map((group: any) => `${refs.name(group.arn)} ${group.weight}`),
      });
      break;
    case T.vpcOrigin: {
      const endpoint = inputs.vpcOriginEndpointConfig ?? {};
      Object.assign(details, { to: refs.name(endpoint.arn), protocol: endpoint.originProtocolPolicy });
      break;
    }
    case T.distribution: {
      const behaviour = (entry: any) => `${entry.pathPattern ?? "default"}: ${entry.viewerProtocolPolicy}, cache ${refs.name(entry.cachePolicyId) === entry.cachePolicyId ? managedPolicyName(entry.cachePolicyId) : refs.name(entry.cachePolicyId)}`;
      const certificate = inputs.viewerCertificate ?? {};
      Object.assign(details, {
        url: `https://${(inputs.aliases ?? [])[0] ?? resource.state.domainName}`,
        origins: (inputs.origins ?? []).map((origin: any) => `${origin.originId} via ${origin.vpcOriginConfig ? `VPC origin ${refs.name(origin.vpcOriginConfig.vpcOriginId)}` : origin.domainName}`),
        behaviours: [inputs.defaultCacheBehavior, ...(inputs.orderedCacheBehaviors ?? [])].filter(Boolean).map(behaviour),
        http: inputs.httpVersion,
        certificate: certificate.cloudfrontDefaultCertificate ? "CloudFront default (*.cloudfront.net)" : `${refs.name(certificate.acmCertificateArn)} (${certificate.minimumProtocolVersion})`,
        waf: inputs.webAclId ? refs.name(inputs.webAclId) : "none",
      });
      break;
    }
    case T.webAcl:
      Object.assign(details, {
        scope: `${inputs.scope} (${inputs.region})`,
        rules: (inputs.rules ?? []).map((rule: any) =>
          rule.statement?.rateBasedStatement
            ? `${rule.name}: block above ${rule.statement.rateBasedStatement.limit} requests per ${rule.statement.rateBasedStatement.evaluationWindowSec ?? 300} s per IP`
            : `${rule.name}: ${rule.statement?.managedRuleGroupStatement?.name ?? "?"}${rule.statement?.managedRuleGroupStatement?.ruleActionOverrides?.length ? ` (count only: ${rule.statement.managedRuleGroupStatement.ruleActionOverrides.map((override: any) => override.name).join(", ")})` : ""}`),
      });
      break;
    case T.certificate:
      Object.assign(details, { domain: inputs.domainName, validation: inputs.validationMethod, region: inputs.region ?? stack.config["aws:region"] });
      break;
    case T.record:
      Object.assign(details, { record: `${inputs.name} ${inputs.type}`, to: inputs.aliases?.length ? `alias ${refs.name(inputs.aliases[0].name)}` : (inputs.records ?? []).join(" ") });
      break;
    case T.scalingPolicy: {
      const config = inputs.targetTrackingScalingPolicyConfiguration ?? {};
      Object.assign(details, {
        tracks: `${config.predefinedMetricSpecification?.predefinedMetricType ?? "?"} at ${config.targetValue}`,
        cooldowns: `out ${config.scaleOutCooldown ?? "?"} s, in ${config.scaleInCooldown ?? "?"} s`,
      });
      break;
    }
  }
  if (resource.options.protect) details.protect = true;
  if (resource.options.retainOnDelete && !("retainOnDelete" in details)) details.retainOnDelete = true;
  return details;
}

/** A service's deploymentConfiguration in words. */
function deploymentText(configuration: any): string {
  const strategy = configuration?.strategy ?? "ROLLING";
  if (strategy === "CANARY") return `CANARY ${configuration.canaryConfiguration?.canaryPercent}% for ${configuration.canaryConfiguration?.canaryBakeTimeInMinutes} min, bake ${configuration.bakeTimeInMinutes} min`;
  if (strategy === "LINEAR") return `LINEAR ${configuration.linearConfiguration?.stepPercent}% steps, ${configuration.linearConfiguration?.stepBakeTimeInMinutes} min each, bake ${configuration.bakeTimeInMinutes} min`;
  if (strategy === "BLUE_GREEN") return `BLUE_GREEN, bake ${configuration.bakeTimeInMinutes} min`;
  return strategy;
}

/** AWS-managed CloudFront policies by id, as the console names them. */
const MANAGED_POLICIES: Record<string, string> = {
  "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": "Managed-CachingDisabled",
  "33f36d7e-f396-46d9-90e0-52428a34d9dc": "Managed-AllViewerAndCloudFrontHeaders-2022-06",
};
const managedPolicyName = (id: string) => MANAGED_POLICIES[id] ?? id;

function order(node: { type: string; name: string }): [number, string, string] {
  const index = TYPE_ORDER.indexOf(node.type);
  const component = node.type.startsWith("boyacky:");
  return [component ? TYPE_ORDER.length + 1 : index < 0 ? TYPE_ORDER.length : index, node.type, node.name];
}

function sortNodes(nodes: TreeNode[]): TreeNode[] {
  nodes.sort((a, b) => {
    const [ia, ta, na] = order(a);
    const [ib, tb, nb] = order(b);
    return ia - ib || ta.localeCompare(tb) || na.localeCompare(nb);
  });
  for (const node of nodes) sortNodes(node.children);
  return nodes;
}

/** Stack -> components -> resources. Components keep the order the program created them in. */
export function buildTree(stack: OfflineStack): TreeNode {
  const stackResource = stack.resources.find((resource) => resource.type === "pulumi:pulumi:Stack");
  const root: TreeNode = { type: "pulumi:pulumi:Stack", name: stackResource?.name ?? stack.stack, details: {}, children: [] };
  // Parents are recorded by type and name; by type alone only if the name is missing.
  const byTypeAndName = new Map<string, TreeNode>();
  const byType = new Map<string, TreeNode>();
  const nodes = stack.resources
    .filter((resource) => resource !== stackResource)
    .map((resource) => {
      const node: TreeNode = { type: resource.type, name: resource.name, details: resourceDetails(resource, stack), children: [] };
      byTypeAndName.set(`${resource.type}::${resource.name}`, node);
      if (!byType.has(resource.type)) byType.set(resource.type, node);
      return { resource, node };
    });
  for (const { resource, node } of nodes) {
    const parent = resource.parent ? (byTypeAndName.get(`${resource.parent}::${resource.parentName}`) ?? byType.get(resource.parent) ?? root) : root;
    parent.children.push(node);
  }
  for (const component of root.children) sortNodes(component.children);
  return root;
}

function formatValue(value: DetailValue): string {
  return Array.isArray(value) ? (value.length ? value.join("; ") : "none") : String(value);
}

const INLINE_WIDTH = 140;

/** Box-drawing tree; a resource's details inline when short, one per line below it otherwise. */
export function renderTree(root: TreeNode): string {
  const lines: string[] = [];
  function label(node: TreeNode): string {
    return node.type.startsWith("pulumi:") || node.type.startsWith("boyacky:") ? `${node.type}  ${node.name}` : `${shortType(node.type)}  ${node.name}`;
  }
  function visit(node: TreeNode, prefix: string, childPrefix: string) {
    const entries = Object.entries(node.details).map(([key, value]) => `${key}: ${formatValue(value)}`);
    const inline = `${label(node)}${entries.length ? `  (${entries.join(", ")})` : ""}`;
    if ((prefix + inline).length <= INLINE_WIDTH || !entries.length) lines.push(prefix + inline);
    else {
      lines.push(prefix + label(node));
      const detailPrefix = childPrefix + (node.children.length ? "│    " : "     ");
      for (const entry of entries) lines.push(detailPrefix + entry);
    }
    node.children.forEach((child, index) => {
      const last = index === node.children.length - 1;
      visit(child, childPrefix + (last ? "└─ " : "├─ "), childPrefix + (last ? "   " : "│  "));
    });
  }
  visit(root, "", "");
  return lines.join("\n");
}

/** Every resource in the tree, depth first. */
export function flattenTree(root: TreeNode): TreeNode[] {
  return [root, ...root.children.flatMap(flattenTree)];
}
