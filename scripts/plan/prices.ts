/**
 * The price table (prices.json): one block per region, each figure with its unit, the AWS pricing
 * page it comes from and the date it was recorded. Loaded and checked here; nothing else reads
 * the file, and nothing guesses a price for a region it lacks.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { PlanError } from "./errors";

export const PRICES_FILE = path.join(__dirname, "prices.json");

export const PRICE_KEYS = [
  "fargateVcpuHour",
  "fargateGbHour",
  "fargateSpotVcpuHour",
  "fargateSpotGbHour",
  "albHour",
  "albLcuHour",
  "publicIpv4Hour",
  "natGatewayHour",
  "natGatewayGb",
  "interfaceEndpointAzHour",
  "interfaceEndpointGb",
  "dynamodbWriteMillion",
  "dynamodbReadMillion",
  "dynamodbStorageGbMonth",
  "dynamodbPitrGbMonth",
  "logsIngestGb",
  "logsStorageGbMonth",
  "customMetricMonth",
  "ecrStorageGbMonth",
  "vendedLogsS3Gb",
  "s3StorageGbMonth",
  "cloudfrontDataOutGb",
  "cloudfrontHttpsRequests10k",
  "wafWebAclMonth",
  "wafRuleMonth",
  "wafRequestsMillion",
  "comprehendUnit",
  "schedulerInvocationsMillion",
] as const;
export type PriceKey = (typeof PRICE_KEYS)[number];

export interface Price {
  /** US dollars per `unit`. */
  usd: number;
  unit: string;
  /** The AWS pricing page the figure comes from. */
  source: string;
  /** Date the figure was recorded (YYYY-MM-DD). */
  asOf: string;
  note?: string;
}

export type RegionPrices = Record<PriceKey, Price>;

export interface PriceTable {
  currency: "USD";
  hoursPerMonth: number;
  notes: string[];
  regions: Record<string, RegionPrices>;
}

/** Reads and checks the table: every region has every key, with a number, a source URL and a date. */
export function loadPriceTable(file = PRICES_FILE): PriceTable {
  const table = JSON.parse(readFileSync(file, "utf8")) as PriceTable;
  const problems: string[] = [];
  if (table.currency !== "USD") problems.push(`currency must be USD, not ${table.currency}`);
  if (!(table.hoursPerMonth > 0)) problems.push("hoursPerMonth must be a positive number");
  for (const [region, prices] of Object.entries(table.regions ?? {})) {
    for (const key of PRICE_KEYS) {
      const price = prices[key];
      if (!price) problems.push(`${region}.${key} is missing`);
      else {
        if (typeof price.usd !== "number" || !(price.usd >= 0)) problems.push(`${region}.${key}.usd must be a number >= 0`);
        if (!/^https:\/\/aws\.amazon\.com\//.test(price.source ?? ""))
          problems.push(`${region}.${key}.source must be an https://aws.amazon.com/ pricing page`);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(price.asOf ?? "")) problems.push(`${region}.${key}.asOf must be a YYYY-MM-DD date`);
        if (!price.unit) problems.push(`${region}.${key}.unit is missing`);
      }
    }
    for (const key of Object.keys(prices))
      if (!(PRICE_KEYS as readonly string[]).includes(key)) problems.push(`${region}.${key} is not a known price`);
  }
  if (problems.length) throw new PlanError(`${path.basename(file)} is invalid: ${problems.join("; ")}`);
  return table;
}

/** The prices of one region; a clear error (never a guess) for a region the table lacks. */
export function pricesFor(region: string, table: PriceTable = loadPriceTable()): RegionPrices {
  const prices = table.regions[region];
  if (!prices) throw new PlanError(`no prices for region ${region || "(none)"}; known: ${Object.keys(table.regions).sort().join(", ")}`);
  return prices;
}
