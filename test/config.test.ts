import assert from "node:assert/strict";
import { loadStackConfig, StackConfigError } from "../infra/config";
import { OfflineStackError, resolveStackConfig, runOfflineStack } from "../scripts/offlineStack";
import { readProject } from "../scripts/project";

const declared = readProject().keys;

/** Dev's resolved config (defaults + Pulumi.dev.yaml) with some keys changed. */
function devWith(overrides: Record<string, string>) {
  const { config } = resolveStackConfig("dev", overrides);
  return loadStackConfig((key) => config[`boyacky:${key}`], config["aws:region"]);
}

function problemsOf(overrides: Record<string, string>, region?: string): string[] {
  try {
    if (region === undefined) devWith(overrides);
    else loadStackConfig((key) => resolveStackConfig("dev", overrides).config[`boyacky:${key}`], region);
  } catch (error) {
    assert.ok(error instanceof StackConfigError, String(error));
    return error.problems;
  }
  assert.fail("expected the configuration to be refused");
}

describe("stack configuration", () => {
  it("dev and prod stacks resolve to valid configurations", () => {
    assert.equal(devWith({}).egressMode, "public");
    const { config } = resolveStackConfig("prod");
    const prod = loadStackConfig((key) => config[`boyacky:${key}`], config["aws:region"]);
    assert.equal(prod.egressMode, "endpoints");
    assert.equal(prod.protectData, true);
    assert.deepEqual([prod.desiredCount, prod.minCount, prod.maxCount], [2, 2, 4]);
  });

  it("every key declared in Pulumi.yaml is required by the program, and it reads no undeclared key", () => {
    const { config } = resolveStackConfig("dev");
    const read = new Set<string>();
    loadStackConfig((key) => {
      read.add(key);
      return config[`boyacky:${key}`];
    }, "ap-northeast-1");
    assert.deepEqual([...read].sort(), [...declared].sort());
    for (const key of declared) {
      assert.throws(
        () => loadStackConfig((name) => (name === key ? undefined : config[`boyacky:${name}`]), "ap-northeast-1"),
        (error: StackConfigError) => error.problems.some((problem) => problem.startsWith(`boyacky:${key} is not set`)),
      );
    }
  });

  const cases: [string, Record<string, string>, RegExp][] = [
    ["a CPU size Fargate does not have", { cpu: "300" }, /^boyacky:cpu=300 is not a Fargate size; use 256, 512, 1024/],
    [
      "memory not allowed with the CPU",
      { cpu: "256", memory: "4096" },
      /^boyacky:memory=4096 is not allowed with boyacky:cpu=256; use 512, 1024, 2048$/,
    ],
    ["an unknown egress mode", { egressMode: "vpn" }, /^boyacky:egressMode=vpn is not allowed; use one of public, endpoints, nat$/],
    ["an unknown NAT layout", { natGateways: "two" }, /^boyacky:natGateways=two is not allowed; use one of single, perAz$/],
    ["a public VPC range", { vpcCidr: "8.8.0.0/16" }, /^boyacky:vpcCidr=8\.8\.0\.0\/16 is not valid; use a private IPv4 range/],
    ["a VPC range too small for four /24s", { vpcCidr: "10.0.0.0/24" }, /^boyacky:vpcCidr=10\.0\.0\.0\/24 is not valid/],
    ["a non-integer count", { desiredCount: "two" }, /^boyacky:desiredCount=two is not valid; use a whole number from 0 to 100$/],
    ["min above max", { minCount: "3", maxCount: "2", desiredCount: "2" }, /^boyacky:minCount=3 is above boyacky:maxCount=2/],
    ["desired outside the autoscaling range", { desiredCount: "5" }, /^boyacky:desiredCount=5 is outside minCount\.\.maxCount \(1\.\.2\)/],
    [
      "a retention CloudWatch refuses",
      { logRetentionDays: "10" },
      /^boyacky:logRetentionDays=10 is not a CloudWatch Logs retention; use 1, 3, 5, 7, 14, 30/,
    ],
    ["a malformed certificate", { certificateArn: "my-cert" }, /^boyacky:certificateArn=my-cert is not valid; use an ACM certificate ARN/],
    ["an unknown time zone", { timeZone: "Mars/Olympus" }, /^boyacky:timeZone=Mars\/Olympus is not a known IANA time zone/],
    ["a page size over 100", { pageSize: "500" }, /^boyacky:pageSize=500 is not valid; use a whole number from 1 to 100$/],
    ["a non-boolean", { protectData: "yes" }, /^boyacky:protectData=yes is not valid; use true or false$/],
    [
      "a CPU target out of range",
      { cpuTargetPercent: "99" },
      /^boyacky:cpuTargetPercent=99 is not valid; use a whole number from 10 to 90$/,
    ],
  ];
  for (const [what, overrides, message] of cases) {
    it(`refuses ${what}, naming the key, the value and what is allowed`, () => {
      const problems = problemsOf(overrides);
      assert.ok(
        problems.some((problem) => message.test(problem)),
        `no problem matched ${message}: ${JSON.stringify(problems)}`,
      );
    });
  }

  it("refuses a missing or malformed region", () => {
    for (const region of ["", "tokyo"]) {
      assert.ok(
        problemsOf({}, region).some((problem) =>
          /^aws:region=\S* is not an AWS region; set it with `pulumi config set aws:region/.test(problem),
        ),
      );
    }
  });

  it("reports every bad key at once", () => {
    assert.equal(problemsOf({ cpu: "300", egressMode: "vpn", pageSize: "0" }).length, 3);
  });

  it("a bad value fails the program run itself (what `pulumi preview` would show), with no resource created", async () => {
    await assert.rejects(runOfflineStack("dev", { cpu: "300" }), (error: Error) => {
      assert.ok(error instanceof OfflineStackError);
      assert.match(error.message, /invalid stack configuration:\n {2}- boyacky:cpu=300 is not a Fargate size; use 256, 512/);
      return true;
    });
  });

  it("an unknown stack names the stacks that exist", () => {
    assert.throws(() => resolveStackConfig("staging"), /no stack "staging": Pulumi\.staging\.yaml does not exist; stacks here: dev, prod/);
  });
});
