/**
 * One contract between the app and the infrastructure (app/src/contract.ts): the app's
 * environment is the exact inverse of its loadConfig, and the Dockerfile, compose.yaml and the
 * task definition say what the contract says. Each check is also run on a drifted copy, so it
 * can fail.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { type AppConfig, loadConfig } from "../app/src/config";
import { appEnvironment, CONTAINER_PORT, exportEnvironment, CONTAINER_USER, HEALTH_PATH, SHUTDOWN_TIMEOUT_MS } from "../app/src/contract";
import { type ExportConfig, loadExportConfig } from "../app/src/export/exportConfig";
import { type OfflineStack, runOfflineStack } from "../scripts/offlineStack";
import { PROJECT_ROOT } from "../scripts/project";
import { T } from "../scripts/resourceTypes";
import { containerDefinition, one } from "./support/stackQueries";

/** What compose.yaml's app service says against the contract: one sentence per drift. */
function composeProblems(text: string): string[] {
  const app = (parse(text) as { services: Record<string, any> }).services.app;
  const problems: string[] = [];
  if (String(app.environment?.PORT) !== String(CONTAINER_PORT))
    problems.push(`PORT is ${app.environment?.PORT}, the contract's port is ${CONTAINER_PORT}`);
  const containerPorts = (app.ports ?? []).map((mapping: string) => Number(String(mapping).split(":").pop()));
  if (!containerPorts.includes(CONTAINER_PORT)) problems.push(`no port mapping to the container's ${CONTAINER_PORT}`);
  if (app.user !== undefined && app.user !== CONTAINER_USER) problems.push(`user is ${app.user}, the contract's is ${CONTAINER_USER}`);
  return problems;
}

/** What a stack's task definition and target group say against the contract. */
function taskProblems(stack: OfflineStack): string[] {
  const container = containerDefinition(stack);
  const targetGroup = one(stack, T.targetGroup, "-tg");
  const problems: string[] = [];
  if (JSON.stringify(container.portMappings) !== JSON.stringify([{ containerPort: CONTAINER_PORT, protocol: "tcp" }]))
    problems.push("port mapping");
  if (container.user !== CONTAINER_USER) problems.push(`user ${container.user}`);
  if (targetGroup.inputs.port !== CONTAINER_PORT) problems.push(`target group port ${targetGroup.inputs.port}`);
  if (targetGroup.inputs.healthCheck.path !== HEALTH_PATH) problems.push(`health check path ${targetGroup.inputs.healthCheck.path}`);
  if (!(container.stopTimeout > SHUTDOWN_TIMEOUT_MS / 1000))
    problems.push(`stop timeout ${container.stopTimeout} s is not above the app's shutdown timeout`);
  return problems;
}

const environmentOf = (stack: OfflineStack) =>
  Object.fromEntries(containerDefinition(stack).environment.map((entry: { name: string; value: string }) => [entry.name, entry.value]));

describe("the contract between the app and the infrastructure", () => {
  const { cookieSecret: _unused, ...defaults } = loadConfig({});
  const settings: Omit<AppConfig, "cookieSecret">[] = [
    defaults,
    {
      ...defaults,
      port: 3000,
      host: "127.0.0.1",
      tableName: "boyacky-prod-grumbles-1a2b3c4",
      timeZone: "UTC",
      pageSize: 100,
      retentionDays: 30,
      dynamoEndpoint: "http://127.0.0.1:8000",
      region: "us-east-1",
      logLevel: "warn",
      trustedProxies: { kind: "cidrs", cidrs: ["10.0.0.0/16", "120.52.22.96/27"] },
      forwardedProtoHeader: "cloudfront-forwarded-proto",
      shutdownTimeoutMs: 20_000,
      requestTimeoutMs: 3_000,
      rateLimit: { perMinute: 0, writesPerMinute: 5 },
    },
    { ...defaults, trustedProxies: { kind: "hops", hops: 2 } },
  ];

  it("appEnvironment is the exact inverse of loadConfig", () => {
    for (const config of settings) assert.deepEqual(loadConfig(appEnvironment(config)), { ...config, cookieSecret: undefined });
  });

  it("exportEnvironment is the exact inverse of loadExportConfig", () => {
    const { tableName, timeZone, region, logLevel, dynamoEndpoint } = defaults;
    const exports: ExportConfig[] = [
      {
        tableName,
        timeZone,
        region,
        logLevel,
        dynamoEndpoint,
        destination: { bucket: "boyacky-prod-exports-1a2b3c4" },
        comprehendEndpoint: undefined,
        s3Endpoint: undefined,
      },
      {
        tableName: "boyacky-dev-grumbles",
        timeZone: "UTC",
        region: "us-east-1",
        logLevel: "debug",
        dynamoEndpoint: "http://127.0.0.1:8000",
        destination: { directory: path.resolve(".data", "exports") },
        comprehendEndpoint: "http://127.0.0.1:4566",
        s3Endpoint: "http://127.0.0.1:4568",
      },
    ];
    for (const config of exports) assert.deepEqual(loadExportConfig(exportEnvironment(config)), config);
  });

  it("the task definitions' environment is one the app reads back into the stack's settings", async () => {
    for (const stack of [
      await runOfflineStack("dev"),
      await runOfflineStack("prod"),
      await runOfflineStack("dev", { edge: "none", grumbleRetentionDays: "7" }),
    ]) {
      const environment = environmentOf(stack);
      const config = loadConfig(environment);
      assert.equal(config.tableName, stack.outputs.tableName);
      assert.equal(config.port, CONTAINER_PORT);
      assert.equal(config.trustedProxies.kind, "cidrs");
      assert.deepEqual(
        appEnvironment(config),
        Object.fromEntries(Object.entries(environment).filter(([name]) => name !== "NODE_ENV")),
        "nothing the app would not read",
      );
      assert.deepEqual(taskProblems(stack), [], stack.stack);
    }
  });

  it("compose.yaml runs the container on the contract's port and user", () => {
    const text = readFileSync(path.join(PROJECT_ROOT, "compose.yaml"), "utf8");
    assert.deepEqual(composeProblems(text), []);
    const drifted = text.replace(/PORT: "8080"/, 'PORT: "3000"').replace(/:8080"/g, ':3000"');
    assert.deepEqual(composeProblems(drifted), [
      `PORT is 3000, the contract's port is ${CONTAINER_PORT}`,
      `no port mapping to the container's ${CONTAINER_PORT}`,
    ]);
  });

  it("app/Dockerfile runs as the node user (uid 1000 in the official image) and exposes the contract's port", () => {
    const dockerfile = readFileSync(path.join(PROJECT_ROOT, "app", "Dockerfile"), "utf8");
    assert.match(dockerfile, /^USER node$/m);
    assert.equal(CONTAINER_USER.split(":")[0], "1000", "the node images' node user (docker-library/node: uid 1000)");
    assert.match(dockerfile, new RegExp(`^EXPOSE ${CONTAINER_PORT}$`, "m"));
  });

  it("the task-definition check fails on a drift", async () => {
    const dev = await runOfflineStack("dev");
    const targetGroup = one(dev, T.targetGroup, "-tg");
    targetGroup.inputs.healthCheck = { ...targetGroup.inputs.healthCheck, path: "/health" };
    assert.deepEqual(taskProblems(dev), ["health check path /health"]);
  });
});
