import * as pulumi from "@pulumi/pulumi";
import { isValidTimeZone } from "../app/src/domain/calendar";

/**
 * Every stack setting, typed and validated in one place. Names, types, descriptions and defaults
 * are declared in Pulumi.yaml; stacks differ only in their Pulumi.<stack>.yaml.
 */

export const EGRESS_MODES = ["public", "endpoints", "nat"] as const;
/**
 * How tasks reach AWS APIs (ECR, CloudWatch Logs, DynamoDB):
 * - `public`: tasks in public subnets with a public IP (their SG still admits only the ALB). Cheapest.
 * - `endpoints`: private subnets, no NAT; VPC endpoints for DynamoDB, S3, ECR and Logs.
 * - `nat`: private subnets behind NAT gateways.
 */
export type EgressMode = (typeof EGRESS_MODES)[number];

export const NAT_GATEWAY_LAYOUTS = ["single", "perAz"] as const;
export type NatGatewayLayout = (typeof NAT_GATEWAY_LAYOUTS)[number];

export const DEPLOY_STRATEGIES = ["rolling", "canary", "linear", "blue-green"] as const;
/** How ECS moves traffic to a new revision (ECS Developer Guide, "Amazon ECS deployment strategies"). */
export type DeployStrategy = (typeof DEPLOY_STRATEGIES)[number];

/** A deployment's shape: the strategy and its timings, and the alarms that roll it back. */
export interface DeploymentSettings {
  strategy: DeployStrategy;
  canaryPercent: number;
  canaryBakeMinutes: number;
  linearStepPercent: number;
  linearStepBakeMinutes: number;
  bakeMinutes: number;
  alarms: { target5xxPercent: number; elb5xxPerMinute: number; p99LatencyMs: number; unhealthyMinutes: number };
}

export const EDGE_MODES = ["cloudfront", "none"] as const;
/**
 * What the internet reaches:
 * - `cloudfront`: a CloudFront distribution (HTTPS on its *.cloudfront.net name, or your domain),
 *   reaching an internal ALB through a CloudFront VPC origin. No public IP on the ALB.
 * - `none`: the hands-on's shape, an internet-facing ALB (HTTPS with a certificate or a domain).
 */
export type EdgeMode = (typeof EDGE_MODES)[number];

/** Fargate's allowed memory sizes (MiB) for each CPU size (units of 1/1024 vCPU). */
export const FARGATE_SIZES: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export interface StackConfig {
  /** aws:region: the region everything is created in. */
  region: string;
  vpcCidr: string;
  egressMode: EgressMode;
  natGateways: NatGatewayLayout;
  cpu: number;
  memory: number;
  desiredCount: number;
  minCount: number;
  maxCount: number;
  cpuTargetPercent: number;
  requestsPerTarget: number;
  logRetentionDays: number;
  edge: EdgeMode;
  /** With edge cloudfront: a WAF web ACL on the distribution. */
  waf: boolean;
  /** With waf: requests per client IP per 5 minutes before WAF blocks. */
  wafRequestsPer5Minutes: number;
  /** Your domain; its certificate and records are created. Undefined: the AWS-provided name. */
  domainName?: string;
  /** With domainName: the hosted zone; undefined looks it up by the parent domain. */
  hostedZoneId?: string;
  /** With edge none: your ACM certificate for the ALB; undefined serves plain HTTP (unless domainName). */
  certificateArn?: string;
  timeZone: string;
  pageSize: number;
  /** Days before a grumble expires (DynamoDB TTL); undefined keeps them. */
  grumbleRetentionDays?: number;
  /** Prod-grade data protection: deletion protection, retained table, images and log buckets (PITR is always on). */
  protectData: boolean;
  keepImages: number;
  enableExecuteCommand: boolean;
  /** Run tasks on FARGATE_SPOT (with an on-demand base of `onDemandBase` tasks). */
  spot: boolean;
  onDemandBase: number;
  deployment: DeploymentSettings;
  /** The daily export's schedule expression; undefined: manual runs only. */
  exportSchedule?: string;
  exportEncoding: "utf8" | "shift_jis";
  exportExpireDays: number;
}

/** Reads one raw value; `new pulumi.Config()` in a program, a map in tests and tools. */
export type ConfigSource = (key: string) => string | undefined;

/** Bad configuration: a message naming each bad key, its value and what is allowed. */
export class StackConfigError extends pulumi.RunError {
  constructor(readonly problems: string[]) {
    super(`invalid stack configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "StackConfigError";
  }
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}

/**
 * Reads and validates every setting. Collects all problems before failing, so one preview shows
 * everything that is wrong.
 */
export function loadStackConfig(get: ConfigSource, region: string | undefined): StackConfig {
  const problems: string[] = [];
  const key = (name: string) => `boyacky:${name}`;

  function raw(name: string): string | undefined {
    const value = get(name);
    if (value === undefined)
      problems.push(`${key(name)} is not set: declare it in Pulumi.yaml or set it with \`pulumi config set ${name} <value>\``);
    return value;
  }
  function oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = raw(name);
    if (value !== undefined && !allowed.includes(value as T))
      problems.push(`${key(name)}=${value} is not allowed; use one of ${allowed.join(", ")}`);
    return value as T;
  }
  function integer(name: string, min: number, max: number, allowed?: readonly number[], hint?: string): number {
    const value = raw(name);
    const parsed = Number(value);
    if (value === undefined) return NaN;
    if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
      problems.push(`${key(name)}=${value} is not valid; use a whole number from ${min} to ${max}`);
    } else if (allowed && !allowed.includes(parsed)) {
      problems.push(`${key(name)}=${value} ${hint ?? "is not allowed"}; use ${allowed.join(", ")}`);
    }
    return parsed;
  }
  function bool(name: string): boolean {
    const value = raw(name);
    if (value !== undefined && value !== "true" && value !== "false")
      problems.push(`${key(name)}=${value} is not valid; use true or false`);
    return value === "true";
  }
  function text(name: string, pattern: RegExp, what: string): string {
    const value = raw(name) ?? "";
    if (!pattern.test(value)) problems.push(`${key(name)}=${value} is not valid; ${what}`);
    return value;
  }

  if (!region || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    problems.push(`aws:region=${region ?? ""} is not an AWS region; set it with \`pulumi config set aws:region ap-northeast-1\``);
  }
  const vpcCidr = text(
    "vpcCidr",
    /^(10|172|192)\.\d{1,3}\.\d{1,3}\.\d{1,3}\/(1[6-9]|20)$/,
    "use a private IPv4 range from /16 to /20, e.g. 10.0.0.0/16",
  );
  const egressMode = oneOf("egressMode", EGRESS_MODES);
  const natGateways = oneOf("natGateways", NAT_GATEWAY_LAYOUTS);
  const cpu = integer("cpu", 256, 16384, Object.keys(FARGATE_SIZES).map(Number), "is not a Fargate size");
  const memory = integer("memory", 512, 122880);
  if (FARGATE_SIZES[cpu] && Number.isInteger(memory) && !FARGATE_SIZES[cpu].includes(memory)) {
    problems.push(`${key("memory")}=${memory} is not allowed with ${key("cpu")}=${cpu}; use ${FARGATE_SIZES[cpu].join(", ")}`);
  }
  const desiredCount = integer("desiredCount", 0, 100);
  const minCount = integer("minCount", 0, 100);
  const maxCount = integer("maxCount", 1, 100);
  if (minCount > maxCount)
    problems.push(`${key("minCount")}=${minCount} is above ${key("maxCount")}=${maxCount}; make minCount <= maxCount`);
  if (desiredCount < minCount || desiredCount > maxCount) {
    problems.push(
      `${key("desiredCount")}=${desiredCount} is outside minCount..maxCount (${minCount}..${maxCount}); autoscaling would move it at once`,
    );
  }
  const cpuTargetPercent = integer("cpuTargetPercent", 10, 90);
  const requestsPerTarget = integer("requestsPerTarget", 10, 100_000);
  const logRetentionDays = integer("logRetentionDays", 1, 3653, LOG_RETENTION_DAYS, "is not a CloudWatch Logs retention");
  const edge = oneOf("edge", EDGE_MODES);
  const waf = bool("waf");
  // AWS WAF's rate-based rule limit: 10 to 2,000,000,000 (WAF API reference, RateBasedStatement).
  const wafRequestsPer5Minutes = integer("wafRequestsPer5Minutes", 10, 2_000_000_000);
  const domainName = text(
    "domainName",
    /^$|^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    "use a lower-case DNS name such as boyacky.example.com, or leave it empty",
  );
  const hostedZoneId = text(
    "hostedZoneId",
    /^$|^Z[A-Z0-9]{1,31}$/,
    "use a Route 53 hosted zone id (Z...), or leave it empty to look the zone up by name",
  );
  const certificateArn = text(
    "certificateArn",
    /^$|^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/,
    "use an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>) or leave it empty for HTTP only",
  );
  if (certificateArn && domainName) {
    problems.push(
      `${key("certificateArn")} and ${key("domainName")} are both set; use one: domainName issues and renews the certificate itself, certificateArn brings your own (edge none)`,
    );
  } else if (certificateArn && edge === "cloudfront") {
    problems.push(
      `${key("certificateArn")} is for edge none (the ALB's own certificate); with edge cloudfront set domainName instead, and the certificate is issued in us-east-1 for you`,
    );
  }
  if (hostedZoneId && !domainName)
    problems.push(`${key("hostedZoneId")}=${hostedZoneId} is set without ${key("domainName")}; set the domain too, or remove the zone`);
  if (waf && edge !== "cloudfront")
    problems.push(`${key("waf")}=true needs ${key("edge")}=cloudfront (the web ACL is attached to the distribution)`);
  const timeZone = text("timeZone", /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, "use an IANA time zone such as Asia/Tokyo");
  if (/^[A-Za-z_/0-9+-]+$/.test(timeZone) && !isValidTimeZone(timeZone))
    problems.push(`${key("timeZone")}=${timeZone} is not a known IANA time zone; use e.g. Asia/Tokyo or UTC`);
  const pageSize = integer("pageSize", 1, 100);
  const grumbleRetentionDays = integer("grumbleRetentionDays", 0, 36_500);
  const protectData = bool("protectData");
  const keepImages = integer("keepImages", 1, 1000);
  const enableExecuteCommand = bool("enableExecuteCommand");
  const spot = bool("spot");
  const onDemandBase = integer("onDemandBase", 0, 100);
  // Ranges ECS accepts (CreateService API reference: CanaryConfiguration, LinearConfiguration, bakeTimeInMinutes 0-1440).
  const deployment: DeploymentSettings = {
    strategy: oneOf("deployStrategy", DEPLOY_STRATEGIES),
    canaryPercent: integer("canaryPercent", 1, 99),
    canaryBakeMinutes: integer("canaryBakeMinutes", 0, 1440),
    linearStepPercent: integer("linearStepPercent", 3, 99),
    linearStepBakeMinutes: integer("linearStepBakeMinutes", 0, 1440),
    bakeMinutes: integer("bakeMinutes", 0, 1440),
    alarms: {
      target5xxPercent: integer("alarmTarget5xxPercent", 1, 100),
      elb5xxPerMinute: integer("alarmElb5xxPerMinute", 1, 100_000),
      p99LatencyMs: integer("alarmP99LatencyMs", 10, 60_000),
      unhealthyMinutes: integer("alarmUnhealthyMinutes", 1, 60),
    },
  };

  // EventBridge Scheduler's forms (Scheduler User Guide, "Schedule types"): cron(6 fields), rate(n unit), at(...).
  const exportSchedule = text(
    "exportSchedule",
    /^(off|cron\(\S+( \S+){5}\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/,
    "use a cron(min hour day month weekday year) or rate(n unit) expression, or off",
  );
  const exportEncoding = oneOf("exportEncoding", ["utf8", "shift_jis"] as const);
  const exportExpireDays = integer("exportExpireDays", 1, 3650);

  if (problems.length) throw new StackConfigError(problems);
  return {
    region: region as string,
    vpcCidr,
    egressMode,
    natGateways,
    cpu,
    memory,
    desiredCount,
    minCount,
    maxCount,
    cpuTargetPercent,
    requestsPerTarget,
    logRetentionDays,
    edge,
    waf,
    wafRequestsPer5Minutes,
    domainName: domainName || undefined,
    hostedZoneId: hostedZoneId || undefined,
    certificateArn: certificateArn || undefined,
    timeZone,
    pageSize,
    grumbleRetentionDays: grumbleRetentionDays || undefined,
    protectData,
    keepImages,
    enableExecuteCommand,
    spot,
    onDemandBase,
    deployment,
    exportSchedule: exportSchedule === "off" ? undefined : exportSchedule,
    exportEncoding,
    exportExpireDays,
  };
}
