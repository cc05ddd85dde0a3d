import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONTAINER_USER } from "../app/src/contract";

export interface FargateTaskArgs {
  /** The task definition's family. */
  family: string;
  /** The container's name (what a run-task override names). */
  containerName: string;
  /** Image by digest. */
  imageRef: pulumi.Input<string>;
  /** The image's command replaced, e.g. another entry point of the same image. Default the image's. */
  command?: string[];
  /** Environment of the container. Default none. */
  environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Environment variables ECS fills from SSM parameters or Secrets Manager (their ARNs). Default none. */
  secrets?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The port the container listens on. Default none (a batch job). */
  containerPort?: number;
  /** A writable root filesystem (ECS Exec's agent writes to it). Default false: read-only. */
  writableRootFilesystem?: boolean;
  /** Seconds ECS waits after SIGTERM before SIGKILL. Default ECS's (30). */
  stopTimeoutSeconds?: number;
  /** Where the container logs (awslogs, non-blocking). */
  logGroupName: pulumi.Input<string>;
  region: string;
  /** Task CPU units and memory in MiB. */
  cpu: number;
  memory: number;
  executionRoleArn: pulumi.Input<string>;
  taskRoleArn: pulumi.Input<string>;
}

/**
 * A Fargate (x86_64 Linux) task definition with one container as every Boyacky task runs it: the
 * image's non-root user, not privileged, a read-only root filesystem, an init process, and awslogs
 * logging that never blocks the app. The web service and the export job share it.
 */
export function fargateTaskDefinition(name: string, args: FargateTaskArgs, opts: pulumi.CustomResourceOptions): aws.ecs.TaskDefinition {
  const containerDefinitions = pulumi
    .all([args.imageRef, args.logGroupName, pulumi.output(args.environment ?? {}), pulumi.output(args.secrets ?? {})])
    .apply(([image, logGroupName, environment, secrets]) =>
      JSON.stringify([
        {
          name: args.containerName,
          image,
          essential: true,
          ...(args.command ? { command: args.command } : {}),
          user: CONTAINER_USER,
          privileged: false,
          readonlyRootFilesystem: !args.writableRootFilesystem,
          ...(args.containerPort ? { portMappings: [{ containerPort: args.containerPort, protocol: "tcp" }] } : {}),
          environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
          ...(Object.keys(secrets).length ? { secrets: Object.entries(secrets).map(([name, valueFrom]) => ({ name, valueFrom })) } : {}),
          ...(args.stopTimeoutSeconds ? { stopTimeout: args.stopTimeoutSeconds } : {}),
          linuxParameters: { initProcessEnabled: true },
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": logGroupName,
              "awslogs-region": args.region,
              "awslogs-stream-prefix": args.containerName,
              mode: "non-blocking",
            },
          },
        },
      ]),
    );
  return new aws.ecs.TaskDefinition(
    name,
    {
      family: args.family,
      cpu: String(args.cpu),
      memory: String(args.memory),
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      executionRoleArn: args.executionRoleArn,
      taskRoleArn: args.taskRoleArn,
      containerDefinitions,
    },
    opts,
  );
}
