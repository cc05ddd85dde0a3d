/**
 * The plan of a stack: the real program run offline for it, as a resource tree, the fixed monthly
 * cost (desired count and autoscaling maximum) with per-use prices, the rollout floor, and the
 * guardrails' verdict. `buildPlan` gathers it; `renderPlan` prints it (`--json` prints the object).
 */
import { loadStackConfig } from "../../infra/config";
import { type OfflineStack, resolveStackConfig, runOfflineStack } from "../offlineStack";
import { type CostReport, estimateCosts } from "./costs";
import { columns, unitPrice, usd } from "./format";
import { evaluateGuardrails, type GuardrailReport } from "./guardrails";
import { loadPriceTable, type PriceTable, pricesFor, type RegionPrices } from "./prices";
import { describeDeployment, describeRollout, type Rollout, rolloutOf } from "./rollout";
import { buildTree, flattenTree, renderTree, type TreeNode } from "./tree";

export interface PlanSummary {
  egressMode: string;
  natGateways?: string;
  cpu: number;
  memory: number;
  desiredCount: number;
  minCount: number;
  maxCount: number;
  spot: boolean;
  onDemandBase?: number;
  protectData: boolean;
  /** What viewers reach: the CloudFront edge or the ALB itself. */
  edge: string;
  waf: boolean;
  /** The stack's `url` output. */
  url: string;
  https: boolean;
}

export interface Plan {
  stack: string;
  region: string;
  overrides: Record<string, string>;
  /** The resolved configuration (Pulumi.yaml defaults, stack file, overrides). */
  config: Record<string, string>;
  summary: PlanSummary;
  resourceCount: number;
  tree: TreeNode;
  costs: CostReport & { region: string; pricesAsOf: string; pricesFile: string };
  rollout: Rollout;
  guardrails: GuardrailReport;
}

export interface PlanOptions {
  prices?: PriceTable;
  /** Run the policy pack if there is one. Default true. */
  guardrails?: boolean;
}

/** The settings a reviewer reads first, as the program itself reads them (infra/config.ts). */
function summaryOf(stack: OfflineStack): PlanSummary {
  const config = loadStackConfig((key) => stack.config[`boyacky:${key}`], stack.config["aws:region"]);
  const url = String(stack.outputs.url ?? "");
  return {
    egressMode: config.egressMode,
    ...(config.egressMode === "nat" ? { natGateways: config.natGateways } : {}),
    cpu: config.cpu,
    memory: config.memory,
    desiredCount: config.desiredCount,
    minCount: config.minCount,
    maxCount: config.maxCount,
    spot: config.spot,
    ...(config.spot ? { onDemandBase: config.onDemandBase } : {}),
    protectData: config.protectData,
    edge: config.edge,
    waf: config.waf,
    url,
    https: url.startsWith("https://"),
  };
}

function asOfRange(prices: RegionPrices): string {
  const dates = [...new Set(Object.values(prices).map((price) => price.asOf))].sort();
  return dates.length === 1 ? dates[0] : `${dates[0]}..${dates[dates.length - 1]}`;
}

/** The costs of an offline stack at its region's prices (fails for a region without prices). */
export function costsOf(stack: OfflineStack, table: PriceTable = loadPriceTable()): Plan["costs"] {
  const region = stack.config["aws:region"] ?? "";
  const prices = pricesFor(region, table);
  return {
    ...estimateCosts(stack, prices, table.hoursPerMonth),
    region,
    pricesAsOf: asOfRange(prices),
    pricesFile: "scripts/plan/prices.json",
  };
}

export async function buildPlan(stackName: string, overrides: Record<string, string> = {}, options: PlanOptions = {}): Promise<Plan> {
  const table = options.prices ?? loadPriceTable();
  // Fail on an unknown stack or a region without prices before spending time on the program.
  const { config } = resolveStackConfig(stackName, overrides);
  pricesFor(config["aws:region"] ?? "", table);
  const stack = await runOfflineStack(stackName, overrides);
  const tree = buildTree(stack);
  return {
    stack: stackName,
    region: stack.config["aws:region"],
    overrides,
    config: stack.config,
    summary: summaryOf(stack),
    resourceCount: flattenTree(tree).length - 1,
    tree,
    costs: costsOf(stack, table),
    rollout: rolloutOf(stack),
    guardrails: options.guardrails === false ? { available: false, reason: "not evaluated" } : await evaluateGuardrails(stack),
  };
}

function renderCosts(costs: Plan["costs"]): string[] {
  const rows = [["resource", "item", "quantity", "unit price", "desired", "max"]];
  for (const line of costs.lines) {
    rows.push([
      line.resource,
      line.item,
      line.basis,
      `${unitPrice(line.unitPrice)}/${line.unit}`,
      usd(line.monthly.desired),
      usd(line.monthly.max),
    ]);
  }
  rows.push(["total", "", "", "", usd(costs.totals.desired), usd(costs.totals.max)]);
  const table = columns(rows, [false, false, false, false, true, true]);
  const rule = "-".repeat(Math.max(...table.map((line) => line.length)));
  const perUse = columns([
    ["charge", "resource", "unit price", "per", "note"],
    ...costs.perUse.map((charge) => [charge.item, charge.resource, unitPrice(charge.unitPrice), charge.unit, charge.note ?? ""]),
  ]);
  return [
    `Fixed monthly cost, ${costs.currency}, ${costs.hoursPerMonth} h/month, ${costs.region} prices as of ${costs.pricesAsOf} (${costs.pricesFile})`,
    `  ${table[0]}`,
    `  ${rule}`,
    ...table.slice(1, -1).map((line) => `  ${line}`),
    `  ${rule}`,
    `  ${table[table.length - 1]}`,
    ...costs.notes.map((note) => `  ${note}`),
    "",
    "Per use (not in the totals; unit prices only)",
    ...perUse.map((line) => `  ${line}`),
    `  sources: ${[...new Set([...costs.lines, ...costs.perUse].map((entry) => entry.source))].join(" ")}`,
  ];
}

function renderGuardrails(report: GuardrailReport): string[] {
  if (!report.available) return [`Guardrails: ${report.reason}`];
  if ("error" in report) return [`Guardrails (${report.module}): could not evaluate: ${report.error}`];
  if (!report.violations.length) return [`Guardrails (${report.module}): no violations`];
  return [
    `Guardrails (${report.module}): ${report.violations.length} violation(s)`,
    ...report.violations.map(
      (violation) =>
        `  [${violation.level}] ${violation.policy}${violation.resource ? ` ${violation.resource}` : ""}: ${violation.message}`,
    ),
  ];
}

export function renderPlan(plan: Plan): string {
  const s = plan.summary;
  const overrides = Object.entries(plan.overrides).map(([key, value]) => `${key}=${value}`);
  const header = [
    `Plan for stack ${plan.stack} (${plan.region})${overrides.length ? ` with ${overrides.join(" ")}` : ""}`,
    `  egress ${s.egressMode}${s.natGateways ? ` (${s.natGateways} NAT)` : ""}; tasks ${s.cpu / 1024} vCPU / ${s.memory / 1024} GB, desired ${s.desiredCount}, autoscaling ${s.minCount}..${s.maxCount}` +
      `${s.spot ? `, FARGATE_SPOT beyond ${s.onDemandBase} on-demand` : ", on-demand"}; data ${s.protectData ? "protected" : "destroyable"}; ${s.https ? "HTTPS" : "HTTP only"}`,
    `  url ${s.url} (${s.edge === "cloudfront" ? `CloudFront edge${s.waf ? " with WAF" : ""}, internal ALB` : "internet-facing ALB"})`,
  ];
  return [
    ...header,
    "",
    `Resources (${plan.resourceCount})`,
    renderTree(plan.tree),
    "",
    ...renderCosts(plan.costs),
    "",
    `Rollout floor: ${describeRollout(plan.rollout)}`,
    ...describeDeployment(plan.rollout),
    "",
    ...renderGuardrails(plan.guardrails),
    "",
  ].join("\n");
}
