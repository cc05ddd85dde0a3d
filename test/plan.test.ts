import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { TARGET_HEALTH } from "../infra/loadBalancer";
import { HEALTH_CHECK_GRACE_SECONDS } from "../infra/service";
import type { OfflineStack } from "../scripts/offlineStack";
import { parsePlanArgs } from "../scripts/plan/args";
import { oneLine } from "../scripts/plan/cli";
import { COSTS_END, COSTS_START, readBetweenMarkers, renderCostTable, replaceBetweenMarkers } from "../scripts/plan/costTable";
import { estimateCosts, fargateTaskMonthly, splitCapacity } from "../scripts/plan/costs";
import { PlanError } from "../scripts/plan/errors";
import { evaluateGuardrails } from "../scripts/plan/guardrails";
import { loadPriceTable, pricesFor } from "../scripts/plan/prices";
import { buildPlan, type Plan, renderPlan } from "../scripts/plan/report";
import { AWS_DEFAULT_TIMING, rolloutFloorSeconds } from "../scripts/plan/rollout";
import { flattenTree, type TreeNode } from "../scripts/plan/tree";
import { PROJECT_ROOT } from "../scripts/project";
import { T } from "../scripts/resourceTypes";

const run = promisify(execFile);
const table = loadPriceTable();
const tokyo = pricesFor("ap-northeast-1", table);
const HOURS = 730;

/** Runs the CLI as users do; resolves with the exit code and both streams. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "scripts/plan.ts", ...args], {
      cwd: PROJECT_ROOT,
      maxBuffer: 20 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

function nodes(plan: Plan, type: string): TreeNode[] {
  return flattenTree(plan.tree).filter((node) => node.type === type);
}

function component(plan: Plan, type: string): TreeNode {
  const found = plan.tree.children.filter((node) => node.type === type);
  assert.equal(found.length, 1, type);
  return found[0];
}

function cents(value: number): number {
  return Math.round(value * 100) / 100;
}

describe("npm run plan", function () {
  let dev: Plan;
  let prod: Plan;

  before(async () => {
    dev = await buildPlan("dev", {}, { guardrails: false });
    prod = await buildPlan("prod", {}, { guardrails: false });
  });

  describe("resource tree", () => {
    it("dev: the components, with the resources the infra tests expect under them", () => {
      for (const type of ["Network", "AppImage", "Data", "LoadBalancer", "TaskRoles", "Service"]) component(dev, `boyacky:infra:${type}`);
      const network = component(dev, "boyacky:infra:Network");
      assert.equal(network.children.filter((node) => node.type === T.vpc).length, 1);
      assert.equal(network.children.filter((node) => node.type === T.subnet).length, 4);
      assert.equal(component(dev, "boyacky:infra:LoadBalancer").children.filter((node) => node.type === T.loadBalancer).length, 1);
      assert.equal(component(dev, "boyacky:infra:LoadBalancer").children.filter((node) => node.type === T.targetGroup).length, 1);
      assert.equal(component(dev, "boyacky:infra:Service").children.filter((node) => node.type === T.service).length, 1);
      assert.equal(component(dev, "boyacky:infra:Data").children.filter((node) => node.type === T.table).length, 1);
      assert.equal(nodes(dev, T.vpcEndpoint).length, 0, "no endpoints in dev");
      assert.equal(nodes(dev, T.natGateway).length, 0);
      assert.equal(dev.resourceCount, flattenTree(dev.tree).length - 1);
    });

    it("prod: VPC endpoints (2 gateway, 5 interface over both AZs: SSM's for the secrets, Comprehend's for the export job) and no NAT", () => {
      const endpoints = nodes(prod, T.vpcEndpoint);
      assert.equal(endpoints.length, 7);
      assert.ok(
        endpoints.every(
          (endpoint) => endpoint.type === T.vpcEndpoint && component(prod, "boyacky:infra:Network").children.includes(endpoint),
        ),
      );
      const interfaces = endpoints.filter((endpoint) => endpoint.details.type === "Interface");
      assert.deepEqual(
        interfaces.map((endpoint) => endpoint.details.azs),
        [2, 2, 2, 2, 2],
      );
      assert.ok(interfaces.every((endpoint) => endpoint.details.privateDns === true));
      assert.equal(nodes(prod, T.natGateway).length, 0);
    });

    it("shows subnets with CIDR, AZ and egress, and where the tasks run", () => {
      const subnets = (plan: Plan) =>
        Object.fromEntries(nodes(plan, T.subnet).map((node) => [node.name.replace(/^boyacky-\w+-/, ""), node.details]));
      const devSubnets = subnets(dev);
      assert.equal(devSubnets["public-0"].cidr, "10.0.0.0/24");
      assert.equal(devSubnets["public-0"].az, "ap-northeast-1a");
      assert.match(String(devSubnets["public-0"].egress), /^internet gateway/);
      assert.deepEqual(devSubnets["public-0"].hosts, ["tasks"]);
      assert.deepEqual(devSubnets["private-0"].hosts, ["ALB"], "behind the edge the ALB is internal, in the private subnets");
      assert.equal(devSubnets["private-0"].egress, "none (no internet route)");
      const prodSubnets = subnets(prod);
      assert.match(String(prodSubnets["private-1"].egress), /^no internet route; VPC endpoints \(.*ecr\.dkr.*\)/);
      assert.ok((prodSubnets["private-1"].hosts as string[]).includes("tasks"));
    });

    it("shows security group rules, health check, draining, task size, image and scaling", () => {
      const albGroup = nodes(dev, T.securityGroup).find((node) => node.name.endsWith("-alb"));
      assert.deepEqual(albGroup?.details.rules, ["in tcp/80 from prefix list pl-58a04531", "out tcp/8080 to 10.0.0.0/16"]);
      const tasksGroup = nodes(dev, T.securityGroup).find((node) => node.name.endsWith("-tasks"));
      assert.ok((tasksGroup?.details.rules as string[]).includes("in tcp/8080 from sg boyacky-dev-alb"));
      const targetGroup = nodes(dev, T.targetGroup)[0];
      assert.equal(targetGroup.details.deregistrationDelay, `${TARGET_HEALTH.deregistrationDelaySeconds} s`);
      assert.match(
        String(targetGroup.details.healthCheck),
        new RegExp(`/healthz .* every ${TARGET_HEALTH.intervalSeconds} s, .*healthy after ${TARGET_HEALTH.healthyThreshold}`),
      );
      const task = nodes(dev, T.taskDefinition)[0];
      assert.match(String(task.details.size), /^0\.25 vCPU \/ 0\.5 GB/);
      assert.match(String(task.details.image), /^web: 123456789012\.dkr\.ecr\.ap-northeast-1\.amazonaws\.com\/.+@sha256:[0-9a-f]{64}$/);
      const service = nodes(prod, T.service)[0];
      assert.deepEqual(
        [service.details.desiredCount, service.details.autoscaling, service.details.capacity, service.details.publicIp],
        [2, "2..4", ["FARGATE base 0 weight 1"], false],
      );
      assert.equal(nodes(dev, T.service)[0].details.publicIp, true);
      assert.deepEqual(
        nodes(dev, T.listener).map((node) => [node.details.listen, node.details.action]),
        [["HTTP:80", ["forward to boyacky-dev-tg"]]],
      );
    });

    it("shows the data protections, which differ between dev and prod", () => {
      const table = (plan: Plan) => nodes(plan, T.table)[0].details;
      assert.deepEqual([table(prod).deletionProtection, table(prod).retainOnDelete], [true, true]);
      assert.deepEqual([table(dev).deletionProtection, table(dev).retainOnDelete], [false, false]);
      assert.deepEqual([table(prod).pitr, table(dev).pitr], [true, true]);
      assert.deepEqual(
        [nodes(dev, T.repository)[0].details.tagMutability, nodes(dev, T.repository)[0].details.forceDelete],
        ["IMMUTABLE", true],
      );
      assert.equal(nodes(prod, T.repository)[0].details.forceDelete, true, "images are rebuilt from git: prod's destroy removes them too");
      assert.deepEqual(
        nodes(prod, T.bucket).map((node) => [node.details.forceDestroy, node.details.retainOnDelete]),
        [
          [false, true],
          [false, true],
          [false, true],
          [false, true],
        ],
      );
      assert.deepEqual(
        nodes(dev, T.bucket).map((node) => [node.details.forceDestroy, node.details.retainOnDelete]),
        [
          [true, false],
          [true, false],
          [true, false],
          [true, false],
        ],
      );
    });

    it("shows the edge: the distribution, its VPC origin, WAF and the HTTPS URL; the header says who viewers reach", () => {
      const [distribution] = nodes(prod, T.distribution);
      assert.match(String(distribution.details.url), /^https:\/\/d\w+\.cloudfront\.net$/);
      assert.deepEqual(distribution.details.origins, ["alb via VPC origin boyacky-prod-origin"]);
      assert.equal(distribution.details.waf, "boyacky-prod-waf");
      const [webAcl] = nodes(prod, T.webAcl);
      assert.ok((webAcl.details.rules as string[]).some((rule) => /block above 2000 requests per 300 s per IP/.test(rule)));
      assert.match(renderPlan(prod), /\n {2}url https:\/\/d\w+\.cloudfront\.net \(CloudFront edge with WAF, internal ALB\)\n/);
      assert.match(renderPlan(dev), /\(CloudFront edge, internal ALB\)/);
    });

    it("renders as text with every section", () => {
      const text = renderPlan(dev);
      for (const heading of [
        "Plan for stack dev (ap-northeast-1)",
        "Resources (",
        "Fixed monthly cost",
        "Per use",
        "Rollout floor:",
        "Guardrails:",
      ])
        assert.ok(text.includes(heading), heading);
      assert.ok(text.includes("├─ boyacky:infra:Network  boyacky-dev"));
      assert.ok(text.includes("ec2.Vpc  boyacky-dev-vpc"));
    });
  });

  describe("costs", () => {
    it("prices.json has both regions, each figure with an AWS source page and a date", () => {
      assert.deepEqual(Object.keys(table.regions).sort(), ["ap-northeast-1", "us-east-1"]);
      assert.equal(table.hoursPerMonth, 730);
      const useast = pricesFor("us-east-1", table);
      assert.deepEqual(
        [tokyo.fargateVcpuHour.usd, tokyo.fargateGbHour.usd, useast.fargateVcpuHour.usd, useast.fargateGbHour.usd],
        [0.05056, 0.00553, 0.04048, 0.004445],
      );
      assert.deepEqual(
        [tokyo.albHour.usd, useast.albHour.usd, tokyo.natGatewayHour.usd, useast.natGatewayHour.usd],
        [0.0243, 0.0225, 0.062, 0.045],
      );
      assert.deepEqual(
        [tokyo.interfaceEndpointAzHour.usd, useast.interfaceEndpointAzHour.usd, tokyo.publicIpv4Hour.usd, useast.publicIpv4Hour.usd],
        [0.014, 0.01, 0.005, 0.005],
      );
      assert.equal(tokyo.fargateVcpuHour.source, "https://aws.amazon.com/fargate/pricing/");
      assert.match(tokyo.natGatewayHour.asOf, /^\d{4}-\d{2}-\d{2}$/);
    });

    it("one 0.25 vCPU / 0.5 GB x86 task in ap-northeast-1 for 730 h is $11.25 (9.2272 + 2.01845)", () => {
      const monthly = fargateTaskMonthly(256, 512, tokyo, HOURS);
      assert.ok(Math.abs(monthly - 11.24565) < 1e-9, String(monthly));
      assert.equal(cents(monthly), 11.25);
    });

    it("the same task alone in a stack costs exactly its vCPU and GB hours", () => {
      const stack: OfflineStack = {
        stack: "fixed",
        config: { "aws:region": "ap-northeast-1" },
        outputs: {},
        invokes: [],
        resources: [
          {
            type: T.taskDefinition,
            name: "task",
            parent: "c",
            inputs: { cpu: "256", memory: "512", runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" } },
            state: {},
            options: { dependsOn: [] },
          },
          {
            type: T.service,
            name: "service",
            parent: "c",
            inputs: { desiredCount: 1, launchType: "FARGATE", networkConfiguration: { assignPublicIp: false } },
            state: {},
            options: { dependsOn: [] },
          },
        ],
      };
      const costs = estimateCosts(stack, tokyo, HOURS);
      assert.deepEqual(
        costs.lines.map((line) => [line.item, line.monthly.desired]),
        [
          ["Fargate vCPU (on-demand)", 9.2272],
          ["Fargate memory (on-demand)", 2.01845],
        ],
      );
      assert.equal(cents(costs.totals.desired), 11.25);
    });

    it("dev: the internal ALB (no public IPv4 behind the edge) + one task with its public IPv4; max has two tasks; below the internet-facing layout", async () => {
      const alb = tokyo.albHour.usd * HOURS;
      const task = fargateTaskMonthly(256, 512, tokyo, HOURS) + tokyo.publicIpv4Hour.usd * HOURS;
      assert.equal(cents(dev.costs.totals.desired), cents(alb + task));
      assert.equal(cents(dev.costs.totals.max), cents(alb + 2 * task));
      assert.equal(cents(dev.costs.totals.desired), 32.63);
      const direct = await buildPlan("dev", { edge: "none" }, { guardrails: false });
      assert.equal(
        cents(direct.costs.totals.desired),
        cents(alb + 2 * tokyo.publicIpv4Hour.usd * HOURS + task),
        "the internet-facing ALB pays for two public IPv4",
      );
      assert.ok(dev.costs.totals.desired < direct.costs.totals.desired);
    });

    it("prod: interface endpoints are billed per AZ (5 services x 2 AZs), tasks have no public IP, WAF's web ACL and its two rules", () => {
      const endpoints = prod.costs.lines.filter((line) => line.priceKey === "interfaceEndpointAzHour");
      assert.equal(endpoints.length, 5);
      assert.equal(cents(endpoints.reduce((sum, line) => sum + line.monthly.desired, 0)), cents(5 * 2 * 0.014 * HOURS));
      assert.ok(!prod.costs.lines.some((line) => line.type === T.service && line.priceKey === "publicIpv4Hour"));
      const waf = tokyo.wafWebAclMonth.usd + 2 * tokyo.wafRuleMonth.usd;
      const fixed = tokyo.albHour.usd * HOURS + 5 * 2 * 0.014 * HOURS + waf;
      assert.equal(cents(prod.costs.totals.desired), cents(fixed + 2 * fargateTaskMonthly(256, 512, tokyo, HOURS)));
      assert.equal(cents(prod.costs.totals.max), cents(fixed + 4 * fargateTaskMonthly(256, 512, tokyo, HOURS)));
      assert.ok(
        ["cloudfrontDataOutGb", "cloudfrontHttpsRequests10k", "wafRequestsMillion"].every((key) =>
          prod.costs.perUse.some((charge) => charge.priceKey === key),
        ),
        "CloudFront and WAF per use",
      );
    });

    it("usage-based charges are listed with unit prices and never added to the totals", () => {
      const items = prod.costs.perUse.map((charge) => charge.priceKey);
      for (const key of [
        "albLcuHour",
        "interfaceEndpointGb",
        "dynamodbWriteMillion",
        "dynamodbReadMillion",
        "logsIngestGb",
        "logsStorageGbMonth",
        "ecrStorageGbMonth",
        "customMetricMonth",
      ]) {
        assert.ok(items.includes(key as never), key);
      }
      assert.ok(!items.includes("natGatewayGb"), "no NAT in prod");
      const lineTotal = prod.costs.lines.reduce((sum, line) => sum + line.monthly.desired, 0);
      assert.equal(cents(lineTotal), cents(prod.costs.totals.desired));
    });

    it("spot: the on-demand base at on-demand prices, every other task on FARGATE_SPOT", async () => {
      assert.deepEqual(
        splitCapacity(4, [
          { capacityProvider: "FARGATE", base: 1, weight: 0 },
          { capacityProvider: "FARGATE_SPOT", weight: 1 },
        ]),
        { onDemand: 1, spot: 3 },
      );
      assert.deepEqual(splitCapacity(3, undefined), { onDemand: 3, spot: 0 });
      const spot = await buildPlan("prod", { spot: "true", onDemandBase: "1" }, { guardrails: false });
      const fargate = spot.costs.lines.filter((line) => line.priceKey.startsWith("fargate"));
      const sum = (keys: string[], which: "desired" | "max") =>
        fargate.filter((line) => keys.includes(line.priceKey)).reduce((total, line) => total + line.monthly[which], 0);
      assert.equal(cents(sum(["fargateVcpuHour", "fargateGbHour"], "desired")), cents(fargateTaskMonthly(256, 512, tokyo, HOURS)));
      assert.equal(
        cents(sum(["fargateSpotVcpuHour", "fargateSpotGbHour"], "desired")),
        cents(fargateTaskMonthly(256, 512, tokyo, HOURS, true)),
      );
      assert.equal(
        cents(sum(["fargateSpotVcpuHour", "fargateSpotGbHour"], "max")),
        cents(3 * fargateTaskMonthly(256, 512, tokyo, HOURS, true)),
      );
    });
  });

  describe("rollout floor", () => {
    it("is deregistration delay + healthy threshold x interval + grace: at most 60 s here", () => {
      const expected =
        TARGET_HEALTH.deregistrationDelaySeconds +
        TARGET_HEALTH.healthyThreshold * TARGET_HEALTH.intervalSeconds +
        HEALTH_CHECK_GRACE_SECONDS;
      assert.equal(dev.rollout.floorSeconds, expected);
      assert.ok(dev.rollout.floorSeconds <= 60, `${dev.rollout.floorSeconds} s`);
    });

    it("is 450 s with AWS's defaults (300 s + 5 x 30 s)", () => {
      assert.equal(rolloutFloorSeconds(AWS_DEFAULT_TIMING), 450);
      assert.equal(dev.rollout.awsDefaults.floorSeconds, 450);
    });
  });

  describe("guardrails", () => {
    it("without a policy pack, the plan says so", async () => {
      const report = await evaluateGuardrails(
        { stack: "x", config: {}, resources: [], outputs: {}, invokes: [] },
        path.join(PROJECT_ROOT, "policy", "no-such-module.ts"),
      );
      assert.deepEqual(report.available, false);
    });

    it("with one, its violations are listed", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "plan-policy-"));
      try {
        const module = path.join(dir, "offline.ts");
        writeFileSync(
          module,
          `export function evaluatePolicies(stack: any) { return [{ policyName: "no-public-ip", enforcementLevel: "mandatory", resourceName: stack.stack, message: "tasks have a public IP" }]; }\n`,
        );
        const report = await evaluateGuardrails({ stack: "dev", config: {}, resources: [], outputs: {}, invokes: [] }, module);
        assert.ok(report.available && "violations" in report);
        assert.deepEqual(report.violations, [
          { policy: "no-public-ip", level: "mandatory", resource: "dev", message: "tasks have a public IP" },
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("command line", () => {
    it("parses --config key=value and refuses malformed or unknown keys", () => {
      assert.deepEqual(parsePlanArgs(["dev", "--config", "egressMode=nat", "--config=aws:region=us-east-1", "--json"]), {
        stack: "dev",
        overrides: { egressMode: "nat", "aws:region": "us-east-1" },
        json: true,
        help: false,
      });
      assert.throws(
        () => parsePlanArgs(["dev", "--config", "egressMode"]),
        (error: Error) => error instanceof PlanError && /malformed --config "egressMode"/.test(error.message),
      );
      assert.throws(() => parsePlanArgs(["dev", "--config", "egresMode=nat"]), /unknown config key boyacky:egresMode/);
      assert.throws(() => parsePlanArgs(["dev", "--config"]), /--config needs key=value/);
      assert.throws(() => parsePlanArgs([]), /which stack\?/);
    });

    it("folds a multi-line config error into one line", () => {
      assert.equal(oneLine("invalid stack configuration:\n  - a is bad\n  - b is bad"), "invalid stack configuration: a is bad; b is bad");
    });

    it("exits non-zero with one clear line for bad input, never a stack trace", async () => {
      const cases: [string[], RegExp][] = [
        [["dev", "--config", "aws:region=eu-west-1"], /^plan: no prices for region eu-west-1; known: ap-northeast-1, us-east-1$/],
        [["dev", "--config", "cpu=300"], /^plan: invalid stack configuration: boyacky:cpu=300 is not a Fargate size; use 256, 512/],
        [["dev", "--config", "egressMode"], /^plan: malformed --config "egressMode": use --config key=value/],
        [["staging"], /^plan: no stack "staging": Pulumi\.staging\.yaml does not exist; stacks here: dev, prod/],
      ];
      const results = await Promise.all(cases.map(([args]) => cli(...args)));
      results.forEach((result, index) => {
        const [args, message] = cases[index];
        assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
        assert.equal(result.stdout, "", args.join(" "));
        const lines = result.stderr.trimEnd().split("\n");
        assert.equal(lines.length, 1, `one line for ${args.join(" ")}: ${result.stderr}`);
        assert.match(lines[0], message);
        assert.doesNotMatch(result.stderr, /\n\s+at /);
      });
    });

    it("--json prints one JSON document with the same content", async () => {
      const result = await cli("dev", "--json");
      assert.equal(result.code, 0, result.stderr);
      const plan = JSON.parse(result.stdout) as Plan;
      assert.equal(plan.stack, "dev");
      assert.equal(plan.costs.totals.desired, dev.costs.totals.desired);
      assert.equal(plan.costs.totals.max, dev.costs.totals.max);
      assert.equal(plan.rollout.floorSeconds, dev.rollout.floorSeconds);
      assert.equal(plan.resourceCount, dev.resourceCount);
      assert.ok(plan.costs.perUse.length > 0);
      assert.ok("guardrails" in plan);
    });
  });

  describe("README cost table", () => {
    it("README.md holds the table npm run docs:costs generates", async () => {
      const readme = path.join(PROJECT_ROOT, "README.md");
      assert.ok(existsSync(readme), "README.md is missing");
      const text = readFileSync(readme, "utf8");
      let current: string;
      try {
        current = readBetweenMarkers(text);
      } catch (error) {
        assert.fail(`${(error as Error).message} (then run npm run docs:costs)`);
      }
      assert.equal(current, (await renderCostTable(table)).trim(), "README.md's cost table is out of date: run npm run docs:costs");
    });

    it("the table has a row per egress mode and per stack", async () => {
      const markdown = await renderCostTable(table);
      for (const row of ["| public |", "| endpoints |", "| nat, single |", "| nat, perAz |", "| dev |", "| prod |"])
        assert.ok(markdown.includes(row), row);
      assert.ok(markdown.includes(`**$${dev.costs.totals.desired.toFixed(2)}**`));
      assert.ok(markdown.includes(`**$${prod.costs.totals.desired.toFixed(2)}**`));
    });

    it("replaces only what is between the markers, and names them when they are missing", () => {
      const text = `# Title\n\n${COSTS_START}\nold\n${COSTS_END}\n\nmore\n`;
      assert.equal(replaceBetweenMarkers(text, "new"), `# Title\n\n${COSTS_START}\nnew\n${COSTS_END}\n\nmore\n`);
      assert.throws(
        () => readBetweenMarkers("# no markers"),
        (error: Error) => error instanceof PlanError && error.message.includes(COSTS_START) && error.message.includes(COSTS_END),
      );
    });
  });
});
