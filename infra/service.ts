import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONTAINER_PORT, SHUTDOWN_TIMEOUT_MS } from "../app/src/contract";
import type { DeploymentSettings } from "./config";
import { fargateTaskDefinition } from "./fargateTask";

export const CONTAINER_NAME = "web";
/** ECS waits this long after SIGTERM before SIGKILL: the app's shutdown timeout plus a margin. */
export const STOP_TIMEOUT_SECONDS = SHUTDOWN_TIMEOUT_MS / 1000 + 5;
/** ECS ignores ALB health checks this long after a task starts; the app is up in about a second. */
export const HEALTH_CHECK_GRACE_SECONDS = 15;

export interface ServiceArgs {
  region: string;
  vpcId: pulumi.Input<string>;
  /** Subnets the tasks run in. */
  subnetIds: pulumi.Input<string>[];
  /** Give tasks a public IP (egress mode `public`). Default false. */
  assignPublicIp?: boolean;
  /** The ALB's security group: the only source allowed into the tasks. */
  loadBalancerSecurityGroupId: pulumi.Input<string>;
  targetGroupArn: pulumi.Input<string>;
  /**
   * Request-based autoscaling: the ALB's ARN suffix and the target groups that carry production
   * traffic (with `trafficShifting`, both: ECS makes the alternate the production group at every
   * deployment, so a policy on one of them would see no requests every other release).
   */
  requestCount: { loadBalancerArnSuffix: pulumi.Input<string>; targetGroupArnSuffixes: pulumi.Input<string>[] };
  /** Resources the service must wait for (the listeners attaching the target group). Default none. */
  dependsOn?: pulumi.Resource[];
  /** Image by digest. */
  imageRef: pulumi.Input<string>;
  executionRoleArn: pulumi.Input<string>;
  taskRoleArn: pulumi.Input<string>;
  /** Environment of the app container (app/src/contract.ts appEnvironment). Default none. */
  environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Environment variables ECS fills from SSM parameters (their ARNs). Default none. */
  secrets?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * The task's size: CPU units (256 = 0.25 vCPU) and memory (MiB), a Fargate pair. No default here:
   * the stack's settings (Pulumi.yaml) own every value the components are given.
   */
  size: { cpu: number; memory: number };
  /** Tasks at deploy time, the autoscaling bounds, and its targets (average CPU percent, ALB requests per task per minute). */
  scaling: { desiredCount: number; minCount: number; maxCount: number; cpuTargetPercent: number; requestsPerTarget: number };
  /** Run on FARGATE_SPOT beyond `onDemandBase` on-demand tasks, or on on-demand Fargate only. */
  capacity: { spot: boolean; onDemandBase: number };
  /** CloudWatch Logs retention, days. */
  logRetentionDays: number;
  /** Allow `aws ecs execute-command` (needs a writable root filesystem). */
  enableExecuteCommand: boolean;
  /** How a deployment moves traffic, and its timings. */
  deployment: Pick<
    DeploymentSettings,
    "strategy" | "canaryPercent" | "canaryBakeMinutes" | "linearStepPercent" | "linearStepBakeMinutes" | "bakeMinutes"
  >;
  /** CloudWatch alarms that roll a deployment back. Default none (the circuit breaker still does). */
  alarmNames?: pulumi.Input<string>[];
  /** For canary, linear and blue-green: the second target group, the listener rules ECS rewrites, and the role it does it with. */
  trafficShifting?: {
    alternateTargetGroupArn: pulumi.Input<string>;
    productionListenerRuleArn: pulumi.Input<string>;
    testListenerRuleArn: pulumi.Input<string>;
    roleArn: pulumi.Input<string>;
  };
}

const ECS_STRATEGY = { rolling: "ROLLING", canary: "CANARY", linear: "LINEAR", "blue-green": "BLUE_GREEN" } as const;

/** The service's deploymentConfiguration for a strategy (ECS CreateService API reference, DeploymentConfiguration). */
export function deploymentConfigurationOf(deployment: ServiceArgs["deployment"]): aws.types.input.ecs.ServiceDeploymentConfiguration {
  const strategy = deployment?.strategy ?? "rolling";
  if (!deployment || strategy === "rolling") return { strategy: ECS_STRATEGY.rolling };
  return {
    strategy: ECS_STRATEGY[strategy],
    bakeTimeInMinutes: String(deployment.bakeMinutes),
    ...(strategy === "canary"
      ? { canaryConfiguration: { canaryPercent: deployment.canaryPercent, canaryBakeTimeInMinutes: String(deployment.canaryBakeMinutes) } }
      : {}),
    ...(strategy === "linear"
      ? {
          linearConfiguration: {
            stepPercent: deployment.linearStepPercent,
            stepBakeTimeInMinutes: String(deployment.linearStepBakeMinutes),
          },
        }
      : {}),
  };
}

/**
 * ALB requests per target for target tracking. One target group: AWS's predefined metric. Two
 * (traffic shifting): the sum of RequestCountPerTarget over both, by metric math (Application Auto
 * Scaling User Guide, "Create a target tracking scaling policy using metric math"; the metric takes
 * the TargetGroup dimension, Sum: ELB User Guide, "CloudWatch metrics for your Application Load
 * Balancer"). The idle group has no data, hence FILL(..., 0); while a deployment shifts traffic
 * both count, which errs towards scaling out.
 */
function requestsPerTarget({ loadBalancerArnSuffix, targetGroupArnSuffixes }: ServiceArgs["requestCount"]) {
  if (targetGroupArnSuffixes.length === 1) {
    return {
      predefinedMetricSpecification: {
        predefinedMetricType: "ALBRequestCountPerTarget",
        resourceLabel: pulumi.interpolate`${loadBalancerArnSuffix}/${targetGroupArnSuffixes[0]}`,
      },
    };
  }
  const ids = targetGroupArnSuffixes.map((_, index) => `tg${index}`);
  return {
    customizedMetricSpecification: {
      metrics: [
        ...targetGroupArnSuffixes.map((suffix, index) => ({
          id: ids[index],
          metricStat: {
            metric: {
              namespace: "AWS/ApplicationELB",
              metricName: "RequestCountPerTarget",
              dimensions: [{ name: "TargetGroup", value: suffix }],
            },
            stat: "Sum",
          },
          returnData: false,
        })),
        {
          id: "requests",
          expression: ids.map((id) => `FILL(${id}, 0)`).join(" + "),
          label: "RequestCountPerTarget over both target groups",
          returnData: true,
        },
      ],
    },
  };
}

/**
 * The app running on Fargate: cluster (Container Insights), log group, task definition, the
 * service's security group, the service behind the ALB with a circuit breaker, and autoscaling
 * on CPU and on ALB requests per task.
 */
export class Service extends pulumi.ComponentResource {
  readonly clusterName: pulumi.Output<string>;
  readonly clusterArn: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boyacky:infra:Service", name, {}, opts);
    const parent = { parent: this };
    const { spot, onDemandBase } = args.capacity;
    const { enableExecuteCommand } = args;

    const cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      {
        settings: [{ name: "containerInsights", value: "enabled" }],
      },
      parent,
    );
    const capacityProviders = new aws.ecs.ClusterCapacityProviders(
      `${name}-capacity`,
      {
        clusterName: cluster.name,
        capacityProviders: ["FARGATE", "FARGATE_SPOT"],
      },
      parent,
    );

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        namePrefix: `/ecs/${name}-`,
        retentionInDays: args.logRetentionDays,
      },
      parent,
    );

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-tasks`,
      {
        vpcId: args.vpcId,
        description: "Tasks: the container port from the ALB only; HTTPS out to AWS APIs",
        tags: { Name: `${name}-tasks` },
      },
      parent,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-tasks-from-alb`,
      {
        securityGroupId: securityGroup.id,
        description: "container port from the ALB",
        ipProtocol: "tcp",
        fromPort: CONTAINER_PORT,
        toPort: CONTAINER_PORT,
        referencedSecurityGroupId: args.loadBalancerSecurityGroupId,
      },
      parent,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-tasks-https-out`,
      {
        securityGroupId: securityGroup.id,
        description: "HTTPS to ECR, CloudWatch Logs and DynamoDB",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
      },
      parent,
    );

    const taskDefinition = fargateTaskDefinition(
      `${name}-task`,
      {
        family: name,
        containerName: CONTAINER_NAME,
        imageRef: args.imageRef,
        environment: args.environment,
        secrets: args.secrets,
        containerPort: CONTAINER_PORT,
        // ECS Exec's agent writes to the filesystem, so it needs the root filesystem writable.
        writableRootFilesystem: enableExecuteCommand,
        stopTimeoutSeconds: STOP_TIMEOUT_SECONDS,
        logGroupName: logGroup.name,
        region: args.region,
        cpu: args.size.cpu,
        memory: args.size.memory,
        executionRoleArn: args.executionRoleArn,
        taskRoleArn: args.taskRoleArn,
      },
      parent,
    );

    const service = new aws.ecs.Service(
      `${name}-service`,
      {
        cluster: cluster.arn,
        taskDefinition: taskDefinition.arn,
        desiredCount: args.scaling.desiredCount,
        // Always a capacity provider strategy, never `launchType`: switching between the two replaces
        // the service (launch_type is ForceNew in the provider), while a strategy change is an update.
        capacityProviderStrategies: spot
          ? [
              // On-demand only for the base; every task beyond it on spot (about 70% cheaper).
              { capacityProvider: "FARGATE", base: onDemandBase, weight: 0 },
              { capacityProvider: "FARGATE_SPOT", weight: 1 },
            ]
          : [{ capacityProvider: "FARGATE", weight: 1 }],
        // ECS refuses a strategy change (spot, onDemandBase) without a new deployment (provider docs,
        // ecs.Service capacityProviderStrategies); every other update deploys anyway.
        forceNewDeployment: true,
        platformVersion: "LATEST",
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        healthCheckGracePeriodSeconds: HEALTH_CHECK_GRACE_SECONDS,
        networkConfiguration: {
          subnets: args.subnetIds,
          securityGroups: [securityGroup.id],
          assignPublicIp: args.assignPublicIp ?? false,
        },
        loadBalancers: [
          {
            targetGroupArn: args.targetGroupArn,
            containerName: CONTAINER_NAME,
            containerPort: CONTAINER_PORT,
            ...(args.trafficShifting
              ? {
                  advancedConfiguration: {
                    alternateTargetGroupArn: args.trafficShifting.alternateTargetGroupArn,
                    productionListenerRule: args.trafficShifting.productionListenerRuleArn,
                    testListenerRule: args.trafficShifting.testListenerRuleArn,
                    roleArn: args.trafficShifting.roleArn,
                  },
                }
              : {}),
          },
        ],
        deploymentConfiguration: deploymentConfigurationOf(args.deployment),
        // ECS watches these during the deployment and its bake time, and rolls back on ALARM.
        ...(args.alarmNames?.length ? { alarms: { alarmNames: args.alarmNames, enable: true, rollback: true } } : {}),
        enableExecuteCommand,
        enableEcsManagedTags: true,
        propagateTags: "SERVICE",
        // `pulumi up` returns only when the rollout is done, and fails if the circuit breaker rolls back.
        waitForSteadyState: true,
      },
      {
        parent: this,
        // The capacity providers must be on the cluster before a strategy can name them.
        dependsOn: [capacityProviders, ...(args.dependsOn ?? [])],
        // Autoscaling owns the running count once deployed; config sets the starting count. With
        // traffic shifting ECS alternates the two target groups itself.
        ignoreChanges: ["desiredCount", ...(args.trafficShifting ? ["loadBalancers"] : [])],
      },
    );

    const scalingTarget = new aws.appautoscaling.Target(
      `${name}-scaling`,
      {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: pulumi.interpolate`service/${cluster.name}/${service.name}`,
        minCapacity: args.scaling.minCount,
        maxCapacity: args.scaling.maxCount,
      },
      parent,
    );
    type Metric = Pick<
      aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration,
      "predefinedMetricSpecification" | "customizedMetricSpecification"
    >;
    const trackTarget = (policyName: string, targetValue: number, metric: Metric) =>
      new aws.appautoscaling.Policy(
        `${name}-${policyName}`,
        {
          policyType: "TargetTrackingScaling",
          serviceNamespace: scalingTarget.serviceNamespace,
          scalableDimension: scalingTarget.scalableDimension,
          resourceId: scalingTarget.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            targetValue,
            ...metric,
            scaleOutCooldown: 60,
            scaleInCooldown: 300,
          },
        },
        parent,
      );
    trackTarget("cpu", args.scaling.cpuTargetPercent, {
      predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
    });
    trackTarget("requests", args.scaling.requestsPerTarget, requestsPerTarget(args.requestCount));

    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.serviceName = service.name;
    this.logGroupName = logGroup.name;
    this.securityGroupId = securityGroup.id;
    this.registerOutputs({ clusterName: this.clusterName, serviceName: this.serviceName, logGroupName: this.logGroupName });
  }
}
