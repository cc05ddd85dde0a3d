/**
 * The pack as `pulumi preview --policy-pack policy` runs it: Pulumi's own policy-pack runner
 * (`@pulumi/pulumi/cmd/run-policy-pack`, which compiles policy/index.ts with its ts-node) in the
 * policy folder, with the stack name in the environment as the CLI sets it, then asked over
 * gRPC, as the engine does. No Pulumi CLI needed.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { exceptionsIn } from "../policy/context";
import { GUARDRAILS, PACK_NAME } from "../policy/policies";
import { PROJECT_ROOT, readProject } from "../scripts/project";
import { T } from "../scripts/resourceTypes";

// The gRPC stack of the pack's own server, and the analyzer protocol of @pulumi/pulumi.
const fromPolicy = createRequire(require.resolve("@pulumi/policy"));
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
const grpc = fromPolicy("@grpc/grpc-js");
const { AnalyzerClient } = fromPulumi("./proto/analyzer_grpc_pb");
const { AnalyzeRequest, AnalyzerResourceOptions } = fromPulumi("./proto/analyzer_pb");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb");

/** The analyzer protocol's EnforcementLevel enum. */
const LEVELS = ["advisory", "mandatory", "disabled", "remediate"];

interface RunningPack {
  process: ChildProcess;
  call(method: string, request: unknown): Promise<any>;
  close(): void;
}

async function startPack(stack: string): Promise<RunningPack> {
  const child = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:0", "."], {
    cwd: path.join(PROJECT_ROOT, "policy"),
    env: {
      ...process.env,
      PULUMI_NODEJS_STACK: stack,
      PULUMI_NODEJS_PROJECT: "boyacky",
      PULUMI_CONFIG: JSON.stringify({ "aws:region": "ap-northeast-1" }),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once("data", (chunk) => resolve(String(chunk).trim()));
    child.once("exit", (code) => reject(new Error(`the policy pack exited (${code}) before serving:\n${stderr}`)));
  });
  const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return {
    process: child,
    call: (method, request) =>
      new Promise((resolve, reject) =>
        client[method](request, (error: Error | null, response: unknown) => (error ? reject(error) : resolve(response))),
      ),
    close: () => {
      client.close();
      child.kill();
    },
  };
}

/** What the engine would get back for one resource's inputs: [policy, level, message]. */
async function analyze(pack: RunningPack, type: string, props: Record<string, unknown>): Promise<[string, string, string][]> {
  const request = new AnalyzeRequest();
  request.setType(type);
  request.setName("fixture");
  request.setUrn(`urn:pulumi:test::boyacky::${type}::fixture`);
  request.setProperties(Struct.fromJavaScript(props));
  request.setOptions(new AnalyzerResourceOptions());
  const response = await pack.call("analyze", request);
  return response
    .getDiagnosticsList()
    .map((diagnostic: any) => [diagnostic.getPolicyname(), LEVELS[diagnostic.getEnforcementlevel()], diagnostic.getMessage()]);
}

const PUBLIC_SERVICE = { launchType: "FARGATE", networkConfiguration: { subnets: ["subnet-a"], assignPublicIp: true } };

describe("policy pack under Pulumi's policy-pack runner", function () {
  this.timeout(60_000); // the runner type-checks the pack with ts-node on its first start
  const packs: RunningPack[] = [];
  after(() => packs.forEach((pack) => pack.close()));

  it("serves every policy; on prod all are mandatory, and a public service is blocked", async () => {
    const pack = await startPack("prod");
    packs.push(pack);
    const info = await pack.call("getAnalyzerInfo", new Empty());
    assert.equal(info.getName(), PACK_NAME);
    const levels = Object.fromEntries(
      info.getPoliciesList().map((policy: any) => [policy.getName(), LEVELS[policy.getEnforcementlevel()]]),
    );
    assert.deepEqual(Object.keys(levels).sort(), GUARDRAILS.map((guardrail) => guardrail.name).sort());
    // Pulumi.yaml's defaults: the CloudFront edge without a domain, whose documented exception holds on prod too.
    const documented = exceptionsIn({ stack: "prod", config: readProject().defaults }).map((exception) => exception.policy);
    assert.deepEqual(documented, ["cloudfront-custom-certificate"]);
    for (const [policy, level] of Object.entries(levels))
      assert.equal(level, documented.includes(policy) ? "advisory" : "mandatory", policy);
    assert.deepEqual(
      (await analyze(pack, T.service, PUBLIC_SERVICE)).map(([policy, level]) => [policy, level]),
      [["ecs-no-public-ip", "mandatory"]],
    );
  });

  it("on dev (stack name from the CLI's environment, config from Pulumi.yaml's defaults), exactly the exceptions are advisory", async () => {
    const pack = await startPack("dev");
    packs.push(pack);
    const info = await pack.call("getAnalyzerInfo", new Empty());
    const advisory = info
      .getPoliciesList()
      .filter((policy: any) => LEVELS[policy.getEnforcementlevel()] === "advisory")
      .map((policy: any) => policy.getName());
    assert.deepEqual(
      advisory.sort(),
      exceptionsIn({ stack: "dev", config: readProject().defaults })
        .map((exception) => exception.policy)
        .sort(),
    );
    assert.ok(advisory.includes("ecs-no-public-ip") && advisory.includes("cloudfront-waf"));
    const [[policy, level, message]] = await analyze(pack, T.service, PUBLIC_SERVICE);
    assert.deepEqual([policy, level], ["ecs-no-public-ip", "advisory"]);
    assert.match(message, /Advisory on dev: dev's egressMode `public`/);
  });
});
