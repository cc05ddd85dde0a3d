/** What runs the app: the ECS cluster, task definitions and service, their IAM roles, logs, scaling, alarms and schedules. */
import { T } from "../../resourceTypes";
import { type Describer, parseJson, sameComponent } from "./describe";

/** A service's deploymentConfiguration in words. */
function deploymentText(configuration: any): string {
  const strategy = configuration?.strategy ?? "ROLLING";
  if (strategy === "CANARY")
    return `CANARY ${configuration.canaryConfiguration?.canaryPercent}% for ${configuration.canaryConfiguration?.canaryBakeTimeInMinutes} min, bake ${configuration.bakeTimeInMinutes} min`;
  if (strategy === "LINEAR")
    return `LINEAR ${configuration.linearConfiguration?.stepPercent}% steps, ${configuration.linearConfiguration?.stepBakeTimeInMinutes} min each, bake ${configuration.bakeTimeInMinutes} min`;
  if (strategy === "BLUE_GREEN") return `BLUE_GREEN, bake ${configuration.bakeTimeInMinutes} min`;
  return strategy;
}

export const COMPUTE: Record<string, Describer> = {
  [T.role]: ({ inputs }) => ({
    trusts: (parseJson(inputs.assumeRolePolicy)?.Statement ?? []).map(
      (statement: any) =>
        `${JSON.stringify(statement.Principal)}${statement.Condition ? ` if ${JSON.stringify(statement.Condition)}` : ""}`,
    ),
  }),
  [T.rolePolicy]: ({ inputs }, { refs }) => ({
    role: refs.name(inputs.role),
    allows: (parseJson(inputs.policy)?.Statement ?? []).map(
      (statement: any) => `${[statement.Action].flat().join(" ")} on ${[statement.Resource].flat().join(" ")}`,
    ),
  }),
  [T.rolePolicyAttachment]: ({ inputs }, { refs }) => ({ role: refs.name(inputs.role), policy: inputs.policyArn }),
  [T.cluster]: ({ inputs }) => ({
    containerInsights: (inputs.settings ?? []).find((setting: any) => setting.name === "containerInsights")?.value ?? "disabled",
  }),
  [T.capacityProviders]: ({ inputs }) => ({ providers: inputs.capacityProviders ?? [] }),
  [T.logGroup]: ({ inputs }) => ({
    retentionDays: inputs.retentionInDays ?? "never expire",
    ...(inputs.kmsKeyId ? { kms: inputs.kmsKeyId } : {}),
  }),
  [T.taskDefinition]: ({ inputs }) => {
    const containers = parseJson(inputs.containerDefinitions) ?? [];
    const platform = inputs.runtimePlatform ?? {};
    return {
      size: `${Number(inputs.cpu) / 1024} vCPU / ${Number(inputs.memory) / 1024} GB (cpu ${inputs.cpu}, memory ${inputs.memory})`,
      platform: `${platform.operatingSystemFamily ?? "LINUX"}/${platform.cpuArchitecture ?? "X86_64"}`,
      image: containers.map((container: any) => `${container.name}: ${container.image}`),
      user: containers.map((container: any) => container.user ?? "root"),
      readonlyRootFilesystem: containers.every((container: any) => container.readonlyRootFilesystem === true),
    };
  },
  [T.service]: (service, { stack, refs }) => {
    const { inputs } = service;
    const target = sameComponent(stack, service, T.scalingTarget)[0];
    const strategies = inputs.capacityProviderStrategies as { capacityProvider: string; base?: number; weight?: number }[] | undefined;
    const network = inputs.networkConfiguration ?? {};
    const breaker = inputs.deploymentCircuitBreaker;
    return {
      desiredCount: inputs.desiredCount ?? 1,
      ...(target ? { autoscaling: `${target.inputs.minCapacity}..${target.inputs.maxCapacity}` } : {}),
      capacity: strategies?.length
        ? strategies.map((strategy) => `${strategy.capacityProvider} base ${strategy.base ?? 0} weight ${strategy.weight ?? 0}`)
        : `launchType ${inputs.launchType ?? "EC2"}`,
      publicIp: network.assignPublicIp ?? false,
      subnets: refs.names_(network.subnets),
      securityGroups: refs.names_(network.securityGroups),
      deployment: `min ${inputs.deploymentMinimumHealthyPercent ?? 100}% / max ${inputs.deploymentMaximumPercent ?? 200}%, circuit breaker ${breaker?.enable ? (breaker.rollback ? "with rollback" : "without rollback") : "off"}`,
      healthCheckGrace: `${inputs.healthCheckGracePeriodSeconds ?? 0} s`,
      strategy: deploymentText(inputs.deploymentConfiguration),
      alarms: inputs.alarms?.enable
        ? `${(inputs.alarms.alarmNames ?? []).length} alarms${inputs.alarms.rollback ? ", roll back" : ""}`
        : "none",
      executeCommand: inputs.enableExecuteCommand ?? false,
    };
  },
  [T.scalingTarget]: ({ inputs }) => ({ min: inputs.minCapacity, max: inputs.maxCapacity }),
  [T.scalingPolicy]: ({ inputs }) => {
    const config = inputs.targetTrackingScalingPolicyConfiguration ?? {};
    return {
      tracks: `${config.predefinedMetricSpecification?.predefinedMetricType ?? config.customizedMetricSpecification?.metrics?.find((metric: any) => metric.returnData !== false)?.label ?? "?"} at ${config.targetValue}`,
      cooldowns: `out ${config.scaleOutCooldown ?? "?"} s, in ${config.scaleInCooldown ?? "?"} s`,
    };
  },
  [T.metricAlarm]: ({ inputs }) => ({
    when: inputs.alarmDescription ?? "",
    evaluation: `${inputs.datapointsToAlarm ?? inputs.evaluationPeriods} of ${inputs.evaluationPeriods} periods of ${inputs.period ?? inputs.metricQueries?.[0]?.metric?.period ?? "?"} s`,
  }),
  [T.schedule]: ({ inputs }, { refs }) => ({
    when: `${inputs.scheduleExpression} (${inputs.scheduleExpressionTimezone ?? "UTC"})`,
    runs: `${refs.name(inputs.target?.ecsParameters?.taskDefinitionArn)} on ${refs.name(inputs.target?.arn)}`,
  }),
};
