/**
 * The rollout floor: the least time one task replacement takes, as the stack is configured.
 * floor = deregistration delay + healthy threshold x health check interval + health check grace.
 */
import type { OfflineStack } from "../offlineStack";
import { PlanError } from "./errors";

export interface RolloutTiming {
  deregistrationDelaySeconds: number;
  healthyThreshold: number;
  intervalSeconds: number;
  healthCheckGraceSeconds: number;
}

export interface Rollout extends RolloutTiming {
  floorSeconds: number;
  awsDefaults: RolloutTiming & { floorSeconds: number };
}

/** What a target group and a service get when nothing is set: 300 s draining, 5 checks 30 s apart, no grace. */
export const AWS_DEFAULT_TIMING: RolloutTiming = { deregistrationDelaySeconds: 300, healthyThreshold: 5, intervalSeconds: 30, healthCheckGraceSeconds: 0 };

export function rolloutFloorSeconds(timing: RolloutTiming): number {
  return timing.deregistrationDelaySeconds + timing.healthyThreshold * timing.intervalSeconds + timing.healthCheckGraceSeconds;
}

/** The timing the stack's target group and service declare (AWS defaults for what they leave unset). */
export function rolloutOf(stack: OfflineStack): Rollout {
  const targetGroup = stack.resources.find((resource) => resource.type === "aws:lb/targetGroup:TargetGroup");
  const service = stack.resources.find((resource) => resource.type === "aws:ecs/service:Service");
  if (!targetGroup || !service) throw new PlanError("the stack has no target group or no ECS service: no rollout to time");
  const healthCheck = targetGroup.inputs.healthCheck ?? {};
  const timing: RolloutTiming = {
    deregistrationDelaySeconds: Number(targetGroup.inputs.deregistrationDelay ?? AWS_DEFAULT_TIMING.deregistrationDelaySeconds),
    healthyThreshold: Number(healthCheck.healthyThreshold ?? AWS_DEFAULT_TIMING.healthyThreshold),
    intervalSeconds: Number(healthCheck.interval ?? AWS_DEFAULT_TIMING.intervalSeconds),
    healthCheckGraceSeconds: Number(service.inputs.healthCheckGracePeriodSeconds ?? AWS_DEFAULT_TIMING.healthCheckGraceSeconds),
  };
  return { ...timing, floorSeconds: rolloutFloorSeconds(timing), awsDefaults: { ...AWS_DEFAULT_TIMING, floorSeconds: rolloutFloorSeconds(AWS_DEFAULT_TIMING) } };
}

export function describeRollout(rollout: Rollout): string {
  const part = (timing: RolloutTiming & { floorSeconds: number }) =>
    `${timing.deregistrationDelaySeconds} s deregistration + ${timing.healthyThreshold} x ${timing.intervalSeconds} s health checks + ${timing.healthCheckGraceSeconds} s grace = ${timing.floorSeconds} s`;
  return `${part(rollout)} (AWS defaults: ${part(rollout.awsDefaults)})`;
}
