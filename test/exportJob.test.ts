import assert from "node:assert/strict";
import { exportEnvironment } from "../app/src/contract";
import { EXPORT_ACTIONS, EXPORT_KEY_PREFIX } from "../app/src/export/actions";
import { loadExportConfig } from "../app/src/export/exportConfig";
import { EXPORT_COMMAND, EXPORT_CONTAINER_NAME } from "../infra/exportJob";
import { mockIdOf, type OfflineStack, OfflineStackError, ofType, runOfflineStack } from "../scripts/offlineStack";
import { evaluatePolicies } from "../policy/offline";
import { T } from "../scripts/resourceTypes";
import { one } from "./support/stackQueries";

function exportContainer(stack: OfflineStack): Record<string, any> {
  return JSON.parse(one(stack, T.taskDefinition, "-export").inputs.containerDefinitions)[0];
}

describe("Osenchi, the daily export, in the Pulumi program", () => {
  let dev: OfflineStack;
  let prod: OfflineStack;
  before(async () => {
    dev = await runOfflineStack("dev");
    prod = await runOfflineStack("prod");
  });

  it("a second task definition: the app's image by digest, the export command, the same hardening", () => {
    const container = exportContainer(dev);
    assert.equal(container.name, EXPORT_CONTAINER_NAME);
    assert.equal(container.image, dev.outputs.imageRef, "the very image the service runs");
    assert.deepEqual(container.command, EXPORT_COMMAND);
    assert.deepEqual(
      [container.user, container.readonlyRootFilesystem, container.privileged, container.portMappings],
      ["1000:1000", true, false, undefined],
    );
    const environment = Object.fromEntries(
      container.environment.map((entry: { name: string; value: string }) => [entry.name, entry.value]),
    );
    const settings = loadExportConfig(environment);
    assert.deepEqual(
      [settings.tableName, settings.timeZone, settings.destination],
      [dev.outputs.tableName, "Asia/Tokyo", { bucket: dev.outputs.exportBucket }],
    );
    const { NODE_ENV, ...read } = environment;
    assert.equal(NODE_ENV, "production");
    assert.deepEqual(exportEnvironment(settings), read, "nothing the job would not read");
    assert.equal(container.logConfiguration.options["awslogs-group"], one(dev, T.logGroup, "-export-logs").state.name);
  });

  it("its task role has exactly the job's actions: the table's Query, Comprehend's batch sentiment, PutObject under exports/", () => {
    const policy = JSON.parse(one(dev, T.rolePolicy, "-export-task").inputs.policy);
    const bucket = one(dev, T.bucket, "-exports");
    assert.deepEqual(
      policy.Statement.map((statement: any) => [statement.Action, statement.Resource]),
      [
        [[...EXPORT_ACTIONS.dynamodb], one(dev, T.table).state.arn],
        [[...EXPORT_ACTIONS.comprehend], "*"],
        [[...EXPORT_ACTIONS.s3], `${bucket.state.arn}/${EXPORT_KEY_PREFIX}*`],
      ],
    );
  });

  it("the bucket: private, TLS-only, expiring; kept in prod, emptied on destroy in dev", () => {
    const [devBucket, prodBucket] = [dev, prod].map((stack) => one(stack, T.bucket, "-exports"));
    assert.deepEqual([devBucket.inputs.forceDestroy, devBucket.options.retainOnDelete], [true, false]);
    assert.deepEqual([prodBucket.inputs.forceDestroy, prodBucket.options.retainOnDelete], [false, true]);
    const lifecycle = ofType(dev, T.bucketLifecycle).find((rule) => rule.inputs.bucket === mockIdOf(devBucket));
    assert.equal(lifecycle?.inputs.rules[0].expiration.days, 90);
  });

  it("EventBridge Scheduler runs it daily at 00:10 in the app's time zone, on the cluster, with the service's networking", () => {
    const schedule = one(dev, T.schedule);
    assert.deepEqual(
      [schedule.inputs.scheduleExpression, schedule.inputs.scheduleExpressionTimezone],
      ["cron(10 0 * * ? *)", "Asia/Tokyo"],
    );
    const target = schedule.inputs.target;
    assert.equal(target.arn, one(dev, T.cluster).state.arn);
    assert.equal(target.ecsParameters.taskDefinitionArn, one(dev, T.taskDefinition, "-export").state.arn);
    const service = one(dev, T.service).inputs.networkConfiguration;
    assert.deepEqual(target.ecsParameters.networkConfiguration.subnets, service.subnets);
    assert.equal(target.ecsParameters.networkConfiguration.assignPublicIp, service.assignPublicIp);
    const prodNetwork = one(prod, T.schedule).inputs.target.ecsParameters.networkConfiguration;
    assert.equal(prodNetwork.assignPublicIp, false, "prod's private subnets");
    // The scheduler's role may run only this family on this cluster, and pass only the job's roles to ECS tasks.
    const [run, pass] = JSON.parse(one(dev, T.rolePolicy, "-export-scheduler").inputs.policy).Statement;
    assert.deepEqual(run.Action, ["ecs:RunTask"]);
    assert.match(run.Resource, /:task-definition\/boyacky-dev-export:\*$/);
    assert.deepEqual(run.Condition, { ArnEquals: { "ecs:cluster": one(dev, T.cluster).state.arn } });
    assert.deepEqual(pass.Condition.StringEquals["iam:PassedToService"], "ecs-tasks.amazonaws.com");
  });

  it("the export's security group admits nothing", () => {
    const group = mockIdOf(one(dev, T.securityGroup, "-export"));
    assert.equal(ofType(dev, T.ingress).filter((rule) => rule.inputs.securityGroupId === group).length, 0);
  });

  it("exportSchedule off keeps the job for manual runs only; Shift_JIS on request; a bad schedule fails clearly", async () => {
    const manual = await runOfflineStack("dev", { exportSchedule: "off", exportEncoding: "shift_jis" });
    assert.equal(ofType(manual, T.schedule).length, 0);
    assert.equal(ofType(manual, T.role).filter((role) => role.name.endsWith("-export-scheduler")).length, 0);
    assert.deepEqual(exportContainer(manual).command, [...EXPORT_COMMAND, "--encoding", "shift_jis"]);
    await assert.rejects(
      runOfflineStack("dev", { exportSchedule: "every day" }),
      (error: Error) =>
        error instanceof OfflineStackError && /boyacky:exportSchedule=every day is not valid; use a cron/.test(error.message),
    );
  });

  it("outputs the bucket and a ready aws ecs run-task command for a manual run", () => {
    const command = String(dev.outputs.exportRunTask);
    assert.match(
      command,
      /^aws ecs run-task --region ap-northeast-1 --cluster arn:aws:ecs:\S+ --task-definition boyacky-dev-export --launch-type FARGATE /,
    );
    assert.match(command, /assignPublicIp=ENABLED/);
    assert.match(command, /"command":\["node","dist\/export.js","--day","YYYY-MM-DD"\]/);
    assert.match(String(prod.outputs.exportRunTask), /assignPublicIp=DISABLED/);
    assert.ok(dev.outputs.exportBucket);
  });

  it("the guardrails hold for it too: no new violation in prod", async () => {
    const violations = await evaluatePolicies(prod);
    assert.deepEqual(
      violations.map((violation) => violation.policy),
      ["cloudfront-custom-certificate"],
    );
  });
});
