import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "../app/src/config";
import { exportEnvironment } from "../app/src/contract";
import { EXPORT_ACTIONS, EXPORT_KEY_PREFIX } from "../app/src/export/actions";
import { fargateTaskDefinition } from "./fargateTask";
import { PrivateBucket } from "./privateBucket";
import { serviceTrustPolicy, STACK_ROLE_PATH } from "./taskRoles";

/** The export's entry point in the app's image (app/src/export.ts, bundled to dist/export.js). */
export const EXPORT_COMMAND = ["node", "dist/export.js"];
export const EXPORT_CONTAINER_NAME = "export";

export interface ExportJobArgs {
  region: string;
  /** The service's cluster: the job runs there. */
  clusterArn: pulumi.Input<string>;
  vpcId: pulumi.Input<string>;
  /** Where the job's task runs, and whether it needs a public IP: the service's networking. */
  subnetIds: pulumi.Input<string>[];
  assignPublicIp: boolean;
  /** The app's image, by digest: the same image with another command. */
  imageRef: pulumi.Input<string>;
  /** The app's execution role: pulls the image, writes the logs. */
  executionRoleArn: pulumi.Input<string>;
  tableName: pulumi.Input<string>;
  tableArn: pulumi.Input<string>;
  /** IANA time zone of the app's "today": the default day (yesterday) and the schedule's clock. */
  timeZone: string;
  /** An EventBridge Scheduler expression (`cron(10 0 * * ? *)`), or undefined for no schedule (manual runs only). */
  schedule?: string;
  /** `utf8` (with BOM) or `shift_jis`. Default utf8. */
  encoding?: string;
  /** Days an export is kept in the bucket (the stack's exportExpireDays). */
  expireDays: number;
  /** CloudWatch Logs retention of the job's logs, days (the stack's logRetentionDays). */
  logRetentionDays: number;
  /** Keep the exports bucket on `pulumi destroy` (prod); false: emptied and removed. */
  protectData: boolean;
}

/**
 * Osenchi, the daily sentiment export, as a one-shot Fargate task on the service's cluster: the
 * app's image by digest with the export command, a task role with exactly the job's actions
 * (app/src/export/actions.ts), its log group, a private bucket for `exports/<day>.csv`, and an
 * EventBridge Scheduler schedule that runs it every day in the app's time zone.
 */
export class ExportJob extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly taskDefinitionArn: pulumi.Output<string>;
  /** A ready `aws ecs run-task ...` for a manual run of one day. */
  readonly runTaskCommand: pulumi.Output<string>;

  constructor(name: string, args: ExportJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boyacky:infra:ExportJob", name, {}, opts);
    const parent = { parent: this };
    const account = aws.getCallerIdentityOutput({}, parent).accountId;

    const bucket = new PrivateBucket(`${name}-exports`, { expireDays: args.expireDays, protectData: args.protectData }, parent);

    const taskRole = new aws.iam.Role(
      `${name}-export-task`,
      { path: STACK_ROLE_PATH, assumeRolePolicy: serviceTrustPolicy("ecs-tasks.amazonaws.com", account) },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-export-task`,
      {
        role: taskRole.id,
        policy: pulumi.all([args.tableArn, bucket.arn]).apply(([tableArn, bucketArn]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Sid: "ReadTheDay", Effect: "Allow", Action: [...EXPORT_ACTIONS.dynamodb], Resource: tableArn },
              // Comprehend's sentiment detection has no resource type (Service Authorization Reference, Amazon Comprehend).
              { Sid: "ScoreSentiment", Effect: "Allow", Action: [...EXPORT_ACTIONS.comprehend], Resource: "*" },
              { Sid: "WriteExports", Effect: "Allow", Action: [...EXPORT_ACTIONS.s3], Resource: `${bucketArn}/${EXPORT_KEY_PREFIX}*` },
            ],
          }),
        ),
      },
      parent,
    );

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-export-logs`,
      { namePrefix: `/ecs/${name}-export-`, retentionInDays: args.logRetentionDays },
      parent,
    );

    // The family names the task definition, the scheduler's RunTask grant and the manual run: one name for all three.
    const family = `${name}-export`;
    const command = [...EXPORT_COMMAND, ...(args.encoding && args.encoding !== "utf8" ? ["--encoding", args.encoding] : [])];
    const taskDefinition = fargateTaskDefinition(
      `${name}-export`,
      {
        family,
        containerName: EXPORT_CONTAINER_NAME,
        imageRef: args.imageRef,
        command,
        // The job's settings as the job itself reads them (app/src/contract.ts), with the app's default log level.
        environment: pulumi.all([args.tableName, bucket.bucketName]).apply(([tableName, bucketName]) => ({
          NODE_ENV: "production",
          ...exportEnvironment({
            tableName,
            timeZone: args.timeZone,
            region: args.region,
            logLevel: loadConfig({}).logLevel,
            destination: { bucket: bucketName },
          }),
        })),
        logGroupName: logGroup.name,
        region: args.region,
        cpu: 256,
        memory: 512,
        executionRoleArn: args.executionRoleArn,
        taskRoleArn: taskRole.arn,
      },
      parent,
    );

    // No inbound traffic at all: the job only calls AWS APIs.
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-export`,
      {
        vpcId: args.vpcId,
        description: "Export job: no inbound; HTTPS out to DynamoDB, Comprehend and S3",
        tags: { Name: `${name}-export` },
      },
      parent,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-export-https-out`,
      {
        securityGroupId: securityGroup.id,
        description: "HTTPS to DynamoDB, Comprehend, S3, ECR and CloudWatch Logs",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
      },
      parent,
    );

    const familyArn = pulumi.interpolate`arn:aws:ecs:${args.region}:${account}:task-definition/${family}`;
    if (args.schedule) {
      const schedulerRole = new aws.iam.Role(
        `${name}-export-scheduler`,
        { path: STACK_ROLE_PATH, assumeRolePolicy: serviceTrustPolicy("scheduler.amazonaws.com", account) },
        parent,
      );
      new aws.iam.RolePolicy(
        `${name}-export-scheduler`,
        {
          role: schedulerRole.id,
          // What EventBridge Scheduler needs to run an ECS task (EventBridge Scheduler User Guide, "Set up the execution role").
          policy: pulumi
            .all([familyArn, args.clusterArn, args.executionRoleArn, taskRole.arn])
            .apply(([familyArn, clusterArn, executionRoleArn, taskRoleArn]) =>
              JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                  {
                    Sid: "RunTheExport",
                    Effect: "Allow",
                    Action: ["ecs:RunTask"],
                    Resource: `${familyArn}:*`,
                    Condition: { ArnEquals: { "ecs:cluster": clusterArn } },
                  },
                  {
                    Sid: "PassItsRoles",
                    Effect: "Allow",
                    Action: ["iam:PassRole"],
                    Resource: [executionRoleArn, taskRoleArn],
                    Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
                  },
                ],
              }),
            ),
        },
        parent,
      );
      new aws.scheduler.Schedule(
        `${name}-export`,
        {
          description: "Osenchi: yesterday's grumbles with their sentiment, to the exports bucket",
          scheduleExpression: args.schedule,
          scheduleExpressionTimezone: args.timeZone,
          flexibleTimeWindow: { mode: "OFF" },
          target: {
            arn: args.clusterArn,
            roleArn: schedulerRole.arn,
            retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
            ecsParameters: {
              taskDefinitionArn: taskDefinition.arn,
              taskCount: 1,
              launchType: "FARGATE",
              platformVersion: "LATEST",
              networkConfiguration: { subnets: args.subnetIds, securityGroups: [securityGroup.id], assignPublicIp: args.assignPublicIp },
            },
          },
        },
        parent,
      );
    }

    this.bucketName = bucket.bucketName;
    this.taskDefinitionArn = taskDefinition.arn;
    this.runTaskCommand = pulumi.all([args.clusterArn, pulumi.all(args.subnetIds), securityGroup.id]).apply(([cluster, subnets, group]) => {
      const network = `awsvpcConfiguration={subnets=[${subnets.join(",")}],securityGroups=[${group}],assignPublicIp=${args.assignPublicIp ? "ENABLED" : "DISABLED"}}`;
      const overrides = JSON.stringify({
        containerOverrides: [{ name: EXPORT_CONTAINER_NAME, command: [...command, "--day", "YYYY-MM-DD"] }],
      });
      return `aws ecs run-task --region ${args.region} --cluster ${cluster} --task-definition ${family} --launch-type FARGATE --network-configuration '${network}' --overrides '${overrides}'`;
    });
    this.registerOutputs({ bucketName: this.bucketName, runTaskCommand: this.runTaskCommand });
  }
}
