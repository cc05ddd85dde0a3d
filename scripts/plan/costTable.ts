/**
 * The README's cost table: the fixed monthly cost of each egress mode in ap-northeast-1 at dev's
 * sizing, and of each stack as configured. `renderCostTable()` builds the markdown from the real
 * program and prices.json; `npm run docs:costs` writes it between the README's markers, and a test
 * checks that the README holds what this renders.
 */
import { loadStackConfig, type StackConfig } from "../../infra/config";
import { type OfflineStack, resolveStackConfig, runOfflineStack } from "../offlineStack";
import { listStacks } from "../project";
import { T } from "../resourceTypes";
import type { CostLine, CostReport } from "./costs";
import { PlanError } from "./errors";
import { usd } from "./format";
import { loadPriceTable, type PriceTable } from "./prices";
import { costsOf } from "./report";

export const COSTS_START = "<!-- costs:start -->";
export const COSTS_END = "<!-- costs:end -->";
export const TABLE_REGION = "ap-northeast-1";
/** The stack whose sizing (task size and counts) the egress-mode rows use. */
export const SIZING_STACK = "dev";

export const EGRESS_SCENARIOS: { label: string; overrides: Record<string, string> }[] = [
  { label: "public, no edge (internet-facing ALB)", overrides: { egressMode: "public", edge: "none" } },
  { label: "public", overrides: { egressMode: "public" } },
  { label: "endpoints", overrides: { egressMode: "endpoints" } },
  { label: "nat, single", overrides: { egressMode: "nat", natGateways: "single" } },
  { label: "nat, perAz", overrides: { egressMode: "nat", natGateways: "perAz" } },
];

const CATEGORIES = ["alb", "tasks", "taskIpv4", "nat", "endpoints", "waf"] as const;
type Category = (typeof CATEGORIES)[number];

function categoryOf(line: CostLine): Category | undefined {
  if (line.type === T.loadBalancer) return "alb";
  if (line.type === T.service) return line.priceKey === "publicIpv4Hour" ? "taskIpv4" : "tasks";
  if (line.type === T.natGateway || line.type === T.eip) return "nat";
  if (line.type === T.vpcEndpoint) return "endpoints";
  if (line.type === T.webAcl) return "waf";
  return undefined;
}

/** Sum of the desired-count cost per category (and the max, for the tasks). */
export function costByCategory(costs: CostReport): Record<Category, { desired: number; max: number }> {
  const sums = Object.fromEntries(CATEGORIES.map((category) => [category, { desired: 0, max: 0 }])) as Record<
    Category,
    { desired: number; max: number }
  >;
  for (const line of costs.lines) {
    const category = categoryOf(line);
    if (!category) throw new PlanError(`cost table: no column for ${line.type} (${line.item}); add one in scripts/plan/costTable.ts`);
    sums[category].desired += line.monthly.desired;
    sums[category].max += line.monthly.max;
  }
  return sums;
}

// One run per distinct resolved configuration: dev with egressMode=public is dev itself.
const runs = new Map<string, Promise<OfflineStack>>();
async function run(stack: string, overrides: Record<string, string> = {}): Promise<OfflineStack> {
  const key = JSON.stringify([stack, Object.entries(resolveStackConfig(stack, overrides).config).sort()]);
  const previous = [...runs.values()].pop();
  if (!runs.has(key))
    runs.set(
      key,
      (previous ?? Promise.resolve()).catch(() => undefined).then(() => runOfflineStack(stack, overrides)),
    );
  return runs.get(key) as Promise<OfflineStack>;
}

function money(value: number): string {
  return value ? usd(value) : "–";
}

/** The settings as the program reads them (infra/config.ts), not re-parsed here. */
function settingsOf(config: Record<string, string>): StackConfig {
  return loadStackConfig((key) => config[`boyacky:${key}`], config["aws:region"]);
}

function sizing(config: Record<string, string>): string {
  const settings = settingsOf(config);
  return `${settings.desiredCount} × ${settings.cpu / 1024} vCPU / ${settings.memory / 1024} GB (max ${settings.maxCount})${settings.spot ? `, FARGATE_SPOT beyond ${settings.onDemandBase}` : ""}`;
}

/** The markdown that goes between the README's markers (without them). */
export async function renderCostTable(prices: PriceTable = loadPriceTable()): Promise<string> {
  const modeRows: string[] = [];
  let sizingConfig: Record<string, string> = {};
  let asOf = "";
  for (const scenario of EGRESS_SCENARIOS) {
    const stack = await run(SIZING_STACK, { "aws:region": TABLE_REGION, ...scenario.overrides });
    const costs = costsOf(stack, prices);
    const sums = costByCategory(costs);
    sizingConfig = stack.config;
    asOf = costs.pricesAsOf;
    modeRows.push(
      `| ${scenario.label} | ${money(sums.alb.desired)} | ${money(sums.tasks.desired)} | ${money(sums.taskIpv4.desired)} | ${money(sums.nat.desired)} | ${money(sums.endpoints.desired)} | **${usd(costs.totals.desired)}** | ${usd(costs.totals.max)} |`,
    );
    if (sums.waf.desired) throw new PlanError(`cost table: the egress rows use ${SIZING_STACK}'s settings, which should have no WAF`);
  }
  const stackRows: string[] = [];
  for (const name of listStacks()) {
    const stack = await run(name);
    const costs = costsOf(stack, prices);
    const settings = settingsOf(stack.config);
    const egress = settings.egressMode + (settings.egressMode === "nat" ? `, ${settings.natGateways}` : "");
    const edge = settings.edge === "cloudfront" ? `CloudFront${settings.waf ? " + WAF" : ""}` : "none";
    const waf = costByCategory(costs).waf.desired;
    stackRows.push(
      `| ${name} | ${costs.region} | ${egress} | ${edge} | ${sizing(stack.config)} | ${money(waf)} | **${usd(costs.totals.desired)}** | ${usd(costs.totals.max)} |`,
    );
  }
  return [
    "<!-- generated by `npm run docs:costs` from the program and scripts/plan/prices.json: do not edit by hand -->",
    `Fixed monthly cost in USD (730 h a month, list prices as of ${asOf}; re-check them on the AWS pages named in scripts/plan/prices.json). ` +
      "Per-use charges (CloudFront data and requests, beyond its free 1 TB and 10 million requests a month; WAF requests; ALB LCUs, NAT and endpoint data, DynamoDB requests and storage, log ingestion and storage, ECR storage, Container Insights) come on top: `npm run plan -- <stack>` lists their unit prices. CloudFront has no fixed monthly charge; behind it the ALB is internal and has no public IPv4 addresses.",
    "",
    `By egress mode in ${TABLE_REGION}, with ${SIZING_STACK}'s sizing: ${sizing(sizingConfig)} tasks.`,
    "",
    "| Egress mode (CloudFront edge unless said) | ALB (+ 2 public IPv4 without the edge) | Fargate tasks | Task public IPv4 | NAT gateways + EIPs | Interface endpoints (5 × 2 AZs) | Total | At max tasks |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...modeRows,
    "",
    "By stack, as configured:",
    "",
    "| Stack | Region | Egress | Edge | Tasks | WAF | Total | At max tasks |",
    "|---|---|---|---|---|---:|---:|---:|",
    ...stackRows,
  ].join("\n");
}

function markerPositions(text: string, file: string): [number, number] {
  const start = text.indexOf(COSTS_START);
  const end = text.indexOf(COSTS_END);
  if (start < 0 || end < 0 || end < start) {
    throw new PlanError(`${file} has no ${COSTS_START} ... ${COSTS_END} markers (in that order); put them where the cost table goes`);
  }
  if (text.indexOf(COSTS_START, start + 1) >= 0 || text.indexOf(COSTS_END, end + 1) >= 0)
    throw new PlanError(`${file} has the cost markers more than once`);
  return [start + COSTS_START.length, end];
}

/** What is between the markers, trimmed. */
export function readBetweenMarkers(text: string, file = "README.md"): string {
  const [from, to] = markerPositions(text, file);
  return text.slice(from, to).trim();
}

/** `text` with `content` between the markers (one blank line on either side). */
export function replaceBetweenMarkers(text: string, content: string, file = "README.md"): string {
  const [from, to] = markerPositions(text, file);
  return `${text.slice(0, from)}\n${content.trim()}\n${text.slice(to)}`;
}
