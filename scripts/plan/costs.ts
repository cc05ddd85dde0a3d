/**
 * The cost model: what the stack costs per month whether or not anyone uses it (hourly resources
 * over `hoursPerMonth`), for the desired task count and for the autoscaling maximum; and the
 * usage-based charges, listed with their unit prices and never estimated.
 */
import { byMockId, mockIdOf, type OfflineResource, type OfflineStack, ofType } from "../offlineStack";
import { T } from "../resourceTypes";
import { PlanError } from "./errors";
import type { PriceKey, RegionPrices } from "./prices";

export interface Pair {
  /** With the service's desired count of tasks. */
  desired: number;
  /** With autoscaling at its maximum. */
  max: number;
}

export interface CostLine {
  /** Logical name of the resource that costs. */
  resource: string;
  type: string;
  item: string;
  /** How the quantity is made up, e.g. "2 addresses x 730 h". */
  basis: string;
  /** Billed units per month (hours, vCPU-hours, GB-hours...). */
  quantity: Pair;
  unit: string;
  priceKey: PriceKey;
  unitPrice: number;
  source: string;
  monthly: Pair;
}

export interface PerUseCharge {
  item: string;
  /** The resource that incurs it. */
  resource: string;
  priceKey: PriceKey;
  unitPrice: number;
  unit: string;
  source: string;
  note?: string;
}

export interface CostReport {
  currency: "USD";
  hoursPerMonth: number;
  lines: CostLine[];
  totals: Pair;
  perUse: PerUseCharge[];
  notes: string[];
}

export interface TaskCounts {
  desired: number;
  max: number;
}

/** Tasks on on-demand Fargate and on FARGATE_SPOT for a running count. */
export interface CapacitySplit {
  onDemand: number;
  spot: number;
}

interface Strategy {
  capacityProvider: string;
  base?: number;
  weight?: number;
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

/** Monthly on-demand (or spot) price of one Fargate Linux/x86 task of `cpu` units and `memory` MiB. */
export function fargateTaskMonthly(cpu: number, memory: number, prices: RegionPrices, hoursPerMonth: number, spot = false): number {
  const vcpu = cpu / 1024;
  const gb = memory / 1024;
  const vcpuPrice = prices[spot ? "fargateSpotVcpuHour" : "fargateVcpuHour"].usd;
  const gbPrice = prices[spot ? "fargateSpotGbHour" : "fargateGbHour"].usd;
  return vcpu * vcpuPrice * hoursPerMonth + gb * gbPrice * hoursPerMonth;
}

/**
 * How ECS places `count` tasks over a capacity provider strategy: each provider's base first (in
 * order), the rest by weight. Without a strategy (launchType FARGATE) every task is on-demand.
 */
export function splitCapacity(count: number, strategies: Strategy[] | undefined): CapacitySplit {
  if (!strategies?.length) return { onDemand: count, spot: 0 };
  const placed = new Map<string, number>();
  let remaining = count;
  for (const strategy of strategies) {
    const base = Math.min(strategy.base ?? 0, remaining);
    placed.set(strategy.capacityProvider, (placed.get(strategy.capacityProvider) ?? 0) + base);
    remaining -= base;
  }
  const totalWeight = strategies.reduce((sum, strategy) => sum + (strategy.weight ?? 0), 0);
  if (remaining > 0 && totalWeight <= 0)
    throw new PlanError("the service's capacity provider strategy has no weight: ECS could not place tasks beyond the base");
  for (const strategy of strategies) {
    const share = remaining > 0 ? (remaining * (strategy.weight ?? 0)) / totalWeight : 0;
    placed.set(strategy.capacityProvider, (placed.get(strategy.capacityProvider) ?? 0) + share);
  }
  for (const provider of placed.keys()) {
    if (provider !== "FARGATE" && provider !== "FARGATE_SPOT")
      throw new PlanError(`no prices for capacity provider ${provider}; known: FARGATE, FARGATE_SPOT`);
  }
  return { onDemand: placed.get("FARGATE") ?? 0, spot: placed.get("FARGATE_SPOT") ?? 0 };
}

function sameParent(a: OfflineResource, b: OfflineResource): boolean {
  return a.parent === b.parent && a.parentName === b.parentName;
}

/** Desired count of the service and the autoscaling maximum (the desired count without autoscaling). */
export function taskCounts(stack: OfflineStack, service: OfflineResource): TaskCounts {
  const desired = Number(service.inputs.desiredCount ?? 1);
  const target = ofType(stack, T.scalingTarget).find((candidate) => sameParent(candidate, service));
  return { desired, max: target ? Math.max(desired, Number(target.inputs.maxCapacity)) : desired };
}

function formatNumber(value: number): string {
  return String(round(value));
}

export function estimateCosts(stack: OfflineStack, prices: RegionPrices, hoursPerMonth: number): CostReport {
  const lines: CostLine[] = [];
  const perUse: PerUseCharge[] = [];
  const hours = hoursPerMonth;

  function line(resource: OfflineResource, item: string, basis: string, quantity: Pair, unit: string, priceKey: PriceKey) {
    const price = prices[priceKey];
    lines.push({
      resource: resource.name,
      type: resource.type,
      item,
      basis,
      quantity: { desired: round(quantity.desired), max: round(quantity.max) },
      unit,
      priceKey,
      unitPrice: price.usd,
      source: price.source,
      monthly: { desired: round(quantity.desired * price.usd), max: round(quantity.max * price.usd) },
    });
  }
  const fixed = (value: number): Pair => ({ desired: value, max: value });
  function usage(resource: OfflineResource, item: string, priceKey: PriceKey, note?: string) {
    const price = prices[priceKey];
    perUse.push({
      item,
      resource: resource.name,
      priceKey,
      unitPrice: price.usd,
      unit: price.unit,
      source: price.source,
      ...(note ? { note } : {}),
    });
  }

  for (const alb of ofType(stack, T.loadBalancer)) {
    const azs = (alb.inputs.subnets ?? []).length;
    line(alb, "load balancer hours", `${hours} h`, fixed(hours), "h", "albHour");
    // An internal ALB's nodes have private addresses only.
    if (!alb.inputs.internal)
      line(alb, "public IPv4, one per AZ", `${azs} addresses x ${hours} h`, fixed(azs * hours), "address-h", "publicIpv4Hour");
    usage(
      alb,
      "ALB capacity units",
      "albLcuHour",
      "new connections, active connections, bytes and rule evaluations; the highest dimension counts",
    );
  }

  for (const service of ofType(stack, T.service)) {
    const taskDefinition = ofType(stack, T.taskDefinition).find((candidate) => sameParent(candidate, service));
    if (!taskDefinition) throw new PlanError(`service ${service.name} has no task definition in its component`);
    const platform = taskDefinition.inputs.runtimePlatform ?? {};
    const os = platform.operatingSystemFamily ?? "LINUX";
    const arch = platform.cpuArchitecture ?? "X86_64";
    if (os !== "LINUX" || arch !== "X86_64") throw new PlanError(`no Fargate prices for ${os}/${arch}; known: LINUX/X86_64`);
    const vcpu = Number(taskDefinition.inputs.cpu) / 1024;
    const gb = Number(taskDefinition.inputs.memory) / 1024;
    const counts = taskCounts(stack, service);
    const desired = splitCapacity(counts.desired, service.inputs.capacityProviderStrategies);
    const max = splitCapacity(counts.max, service.inputs.capacityProviderStrategies);
    const tasks = (split: Pair) => `${formatNumber(split.desired)} (max ${formatNumber(split.max)}) tasks`;
    const onDemand = { desired: desired.onDemand, max: max.onDemand };
    const spot = { desired: desired.spot, max: max.spot };
    const kinds = [
      { kind: "on-demand", split: onDemand, vcpuKey: "fargateVcpuHour", gbKey: "fargateGbHour" },
      { kind: "FARGATE_SPOT", split: spot, vcpuKey: "fargateSpotVcpuHour", gbKey: "fargateSpotGbHour" },
    ] as const;
    for (const { kind, split, vcpuKey, gbKey } of kinds) {
      if (split.max <= 0) continue;
      const per = (size: number) => ({ desired: split.desired * size * hours, max: split.max * size * hours });
      line(service, `Fargate vCPU (${kind})`, `${tasks(split)} x ${vcpu} vCPU x ${hours} h`, per(vcpu), "vCPU-h", vcpuKey);
      line(service, `Fargate memory (${kind})`, `${tasks(split)} x ${gb} GB x ${hours} h`, per(gb), "GB-h", gbKey);
    }
    if (service.inputs.networkConfiguration?.assignPublicIp) {
      line(
        service,
        "public IPv4, one per task",
        `${counts.desired} (max ${counts.max}) addresses x ${hours} h`,
        { desired: counts.desired * hours, max: counts.max * hours },
        "address-h",
        "publicIpv4Hour",
      );
    }
  }

  // Each NAT gateway with its Elastic IP; then any other Elastic IP.
  const eips = ofType(stack, T.eip);
  const eipLine = (eip: OfflineResource) =>
    line(eip, "Elastic IP (public IPv4)", `1 address x ${hours} h`, fixed(hours), "address-h", "publicIpv4Hour");
  for (const nat of ofType(stack, T.natGateway)) {
    line(nat, "NAT gateway hours", `${hours} h`, fixed(hours), "h", "natGatewayHour");
    const eip = byMockId(stack, T.eip, nat.inputs.allocationId);
    if (eip) eipLine(eip);
    usage(
      nat,
      "NAT gateway data processing",
      "natGatewayGb",
      "every GB the tasks send or receive through it (image pulls, logs, DynamoDB)",
    );
  }
  for (const eip of eips) if (!ofType(stack, T.natGateway).some((nat) => nat.inputs.allocationId === mockIdOf(eip))) eipLine(eip);
  const interfaceEndpoints = ofType(stack, T.vpcEndpoint).filter((endpoint) => endpoint.inputs.vpcEndpointType === "Interface");
  for (const endpoint of interfaceEndpoints) {
    const azs = (endpoint.inputs.subnetIds ?? []).length;
    line(
      endpoint,
      `interface endpoint ${String(endpoint.inputs.serviceName).split(".").slice(3).join(".")}`,
      `${azs} AZs x ${hours} h`,
      fixed(azs * hours),
      "endpoint-AZ-h",
      "interfaceEndpointAzHour",
    );
  }
  if (interfaceEndpoints.length) {
    const price = prices.interfaceEndpointGb;
    perUse.push({
      item: "interface endpoint data processing",
      resource: interfaceEndpoints.map((endpoint) => endpoint.name).join(", "),
      priceKey: "interfaceEndpointGb",
      unitPrice: price.usd,
      unit: price.unit,
      source: price.source,
      note: "all interface endpoints of the region together",
    });
  }

  for (const distribution of ofType(stack, T.distribution)) {
    usage(distribution, "CloudFront data out to viewers", "cloudfrontDataOutGb", "no fixed monthly charge; the first 1 TB a month is free");
    usage(distribution, "CloudFront HTTPS requests", "cloudfrontHttpsRequests10k", "the first 10 million a month are free");
  }
  for (const webAcl of ofType(stack, T.webAcl)) {
    const rules = (webAcl.inputs.rules ?? []).length;
    line(webAcl, "WAF web ACL", "1 web ACL", fixed(1), "web ACL-month", "wafWebAclMonth");
    line(webAcl, "WAF rules", `${rules} rules`, fixed(rules), "rule-month", "wafRuleMonth");
    usage(webAcl, "WAF requests inspected", "wafRequestsMillion");
  }

  for (const schedule of ofType(stack, T.schedule)) {
    usage(
      schedule,
      "EventBridge Scheduler invocations",
      "schedulerInvocationsMillion",
      `${schedule.inputs.scheduleExpression}; plus a Fargate task of about a minute a run`,
    );
  }
  for (const taskRole of stack.resources.filter(
    (resource) => resource.type === T.rolePolicy && String(resource.inputs.policy).includes("comprehend:BatchDetectSentiment"),
  )) {
    usage(
      taskRole,
      "Comprehend sentiment, per grumble exported",
      "comprehendUnit",
      "a grumble is at most 20 characters: 3 units, the minimum per document",
    );
  }

  for (const table of ofType(stack, T.table)) {
    if (table.inputs.billingMode === "PAY_PER_REQUEST") {
      usage(table, "DynamoDB writes", "dynamodbWriteMillion");
      usage(table, "DynamoDB reads", "dynamodbReadMillion", "an eventually consistent read of up to 4 KB is half a unit");
    }
    usage(table, "DynamoDB storage", "dynamodbStorageGbMonth");
    if (table.inputs.pointInTimeRecovery?.enabled) usage(table, "DynamoDB point-in-time recovery", "dynamodbPitrGbMonth");
  }
  for (const logGroup of ofType(stack, T.logGroup)) {
    usage(logGroup, "CloudWatch Logs ingestion", "logsIngestGb");
    usage(logGroup, "CloudWatch Logs storage", "logsStorageGbMonth", `kept ${logGroup.inputs.retentionInDays ?? "forever"} days`);
  }
  for (const repository of ofType(stack, T.repository)) {
    usage(repository, "ECR image storage", "ecrStorageGbMonth", "pulls inside the region are free");
  }
  for (const flowLog of ofType(stack, T.flowLog)) {
    if (flowLog.inputs.logDestinationType === "s3")
      usage(flowLog, "flow logs delivered to S3", "vendedLogsS3Gb", "vended logs; then S3 storage of the bucket");
    else usage(flowLog, "flow logs ingested into CloudWatch Logs", "logsIngestGb", "vended-logs tiers lower this above 10 TB a month");
  }
  for (const bucket of stack.resources.filter((resource) => resource.type === T.bucket || resource.type === T.bucketV2)) {
    usage(bucket, "S3 storage", "s3StorageGbMonth", "plus S3 request charges");
  }
  for (const cluster of ofType(stack, T.cluster)) {
    const insights = (cluster.inputs.settings ?? []).find((setting: { name: string }) => setting.name === "containerInsights")?.value;
    if (insights === "enabled" || insights === "enhanced") {
      usage(
        cluster,
        "Container Insights metrics",
        "customMetricMonth",
        "metrics per cluster, service and task family, billed as custom metrics",
      );
      usage(cluster, "Container Insights performance events", "logsIngestGb", "performance log events, billed as log ingestion");
    }
  }

  const totals = lines.reduce((sum, entry) => ({ desired: sum.desired + entry.monthly.desired, max: sum.max + entry.monthly.max }), {
    desired: 0,
    max: 0,
  });
  const notes = [
    "Monthly = hourly price x billed hours for resources that cost while they exist; 'max' has autoscaling at its maximum all month.",
    "Not counted: the per-use charges below, data transfer out to the internet and between AZs, and deployments briefly running up to twice the tasks.",
  ];
  if (ofType(stack, T.vpcEndpoint).some((endpoint) => endpoint.inputs.vpcEndpointType === "Gateway"))
    notes.push("Gateway endpoints (DynamoDB, S3) have no charge.");
  if (lines.some((entry) => entry.priceKey.startsWith("fargateSpot")))
    notes.push("FARGATE_SPOT prices vary; the figures used are noted in prices.json.");
  return { currency: "USD", hoursPerMonth, lines, totals: { desired: round(totals.desired), max: round(totals.max) }, perUse, notes };
}
