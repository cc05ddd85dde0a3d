/** ECS: services, task definitions and clusters (FSBP ECS.2, .4, .5, .8, .9, .10, .12, .20). */
import * as aws from "@pulumi/aws";
import { type ReportViolation, validateResourceOfType } from "@pulumi/policy";
import type { Guardrail } from "./support";

/** One container of a task definition, as far as these checks read it. */
interface Container {
  name?: string;
  privileged?: boolean;
  readonlyRootFilesystem?: boolean;
  user?: string;
  environment?: { name?: string; value?: string }[];
  logConfiguration?: { logDriver?: string };
}

/** Validates every container of every task definition with `check`. */
function eachContainer(check: (container: Container, report: (message: string) => void) => void) {
  return validateResourceOfType(aws.ecs.TaskDefinition, (taskDefinition, _args, reportViolation: ReportViolation) => {
    const containers = JSON.parse(taskDefinition.containerDefinitions) as Container[];
    for (const container of containers) {
      check(container, (message) => reportViolation(`container "${container.name ?? "?"}": ${message}`));
    }
  });
}

/**
 * Environment variable names that say "credential" (FSBP ECS.8 names AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and ECS_ENGINE_AUTH_DATA; the rest are the same mistake by other names).
 * Secrets belong in the container's `secrets` (Secrets Manager or SSM), never in `environment`.
 */
export const SECRET_NAME = /SECRET|PASSWORD|PASSWD|PRIVATE_KEY|API_KEY|ACCESS_KEY|AUTH_TOKEN|SESSION_TOKEN|ECS_ENGINE_AUTH_DATA/i;
/** An AWS access key id as a value, whatever its name. */
const ACCESS_KEY_VALUE = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/;

/** uid 0 by name or number, with or without a group. */
const ROOT_USER = /^(root|0)(:.*)?$/;

export const ecsPolicies: Guardrail[] = [
  {
    name: "ecs-no-public-ip",
    controls: ["ECS.2"],
    description: "ECS services should not be assigned public IP addresses automatically.",
    remediationSteps: "Run the tasks in private subnets (egressMode endpoints or nat) with assignPublicIp false.",
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, reportViolation) => {
      if (service.networkConfiguration?.assignPublicIp === true)
        reportViolation("networkConfiguration.assignPublicIp is true: every task gets a public IP address.");
    }),
  },
  {
    name: "ecs-no-privileged-containers",
    controls: ["ECS.4"],
    description: "ECS containers should run as non-privileged.",
    remediationSteps: "Remove `privileged: true` from the container definition.",
    validateResource: eachContainer((container, report) => {
      if (container.privileged === true) report("runs privileged (root on the host).");
    }),
  },
  {
    name: "ecs-read-only-root-filesystem",
    controls: ["ECS.5"],
    description: "ECS containers should be limited to read-only access to root filesystems.",
    remediationSteps:
      "Set `readonlyRootFilesystem: true` (ECS Exec needs it writable: enable Exec only as a break-glass, see policy/README.md).",
    validateResource: eachContainer((container, report) => {
      if (container.readonlyRootFilesystem !== true)
        report("readonlyRootFilesystem is not true: the container can write to its root filesystem.");
    }),
  },
  {
    name: "ecs-no-secrets-in-environment",
    controls: ["ECS.8"],
    description: "Secrets should not be passed as container environment variables.",
    remediationSteps:
      "Pass credentials through the container's `secrets` (Secrets Manager or SSM Parameter Store), or better, use the task role.",
    validateResource: eachContainer((container, report) => {
      for (const variable of container.environment ?? []) {
        if (SECRET_NAME.test(variable.name ?? "")) report(`environment variable ${variable.name} looks like a credential.`);
        else if (ACCESS_KEY_VALUE.test(variable.value ?? "")) report(`environment variable ${variable.name} holds an AWS access key id.`);
      }
    }),
  },
  {
    name: "ecs-container-logging",
    controls: ["ECS.9"],
    description: "ECS task definitions should have a logging configuration.",
    remediationSteps: "Give every container a logConfiguration (awslogs to the service's log group).",
    validateResource: eachContainer((container, report) => {
      if (!container.logConfiguration?.logDriver) report("has no logConfiguration.logDriver: its output is lost.");
    }),
  },
  {
    name: "ecs-fargate-latest-platform",
    controls: ["ECS.10"],
    description: "ECS Fargate services should run on the latest Fargate platform version.",
    remediationSteps: "Leave platformVersion unset or set it to LATEST.",
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, reportViolation) => {
      const onFargate =
        service.launchType === "FARGATE" ||
        (service.capacityProviderStrategies ?? []).some((strategy) => strategy.capacityProvider.startsWith("FARGATE"));
      if (onFargate && service.platformVersion !== undefined && service.platformVersion !== "LATEST") {
        reportViolation(`platformVersion is pinned to ${service.platformVersion}: it misses the platform's security fixes.`);
      }
    }),
  },
  {
    name: "ecs-deployment-rollback",
    controls: ["custom"],
    description:
      "An ECS service behind a load balancer should roll a failing deployment back by itself: the deployment circuit breaker with rollback " +
      "(tasks that never get healthy), and deployment alarms with rollback (a revision that starts but fails its users).",
    remediationSteps:
      "Set deploymentCircuitBreaker { enable, rollback } and alarms { alarmNames, enable, rollback } (Service with DeploymentAlarms does).",
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, reportViolation) => {
      if (!(service.loadBalancers ?? []).length) return;
      if (service.deploymentCircuitBreaker?.enable !== true || service.deploymentCircuitBreaker.rollback !== true)
        reportViolation("the deployment circuit breaker does not roll back.");
      if (service.alarms?.enable !== true || service.alarms.rollback !== true || (service.alarms.alarmNames ?? []).length === 0) {
        reportViolation("no deployment alarms roll a deployment back: a revision that passes /healthz and fails its users would stay.");
      }
    }),
  },
  {
    name: "ecs-container-insights",
    controls: ["ECS.12"],
    description: "ECS clusters should use Container Insights.",
    remediationSteps: "Add the cluster setting containerInsights = enabled (or enhanced).",
    validateResource: validateResourceOfType(aws.ecs.Cluster, (cluster, _args, reportViolation) => {
      const insights = (cluster.settings ?? []).find((setting) => setting.name === "containerInsights")?.value;
      if (insights !== "enabled" && insights !== "enhanced") reportViolation("Container Insights is not enabled on the cluster.");
    }),
  },
  {
    name: "ecs-non-root-user",
    controls: ["ECS.20"],
    description: "ECS task definitions should configure non-root users in Linux container definitions.",
    remediationSteps: "Set the container's `user` to a non-zero uid[:gid], such as the image's `node` user (1000:1000).",
    validateResource: eachContainer((container, report) => {
      if (!container.user) report("has no `user`: it runs as the image's default user, root unless the image says otherwise.");
      else if (ROOT_USER.test(container.user)) report(`runs as root (user ${container.user}).`);
    }),
  },
];
