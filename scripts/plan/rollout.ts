/**
 * The rollout floor: the least time one task replacement takes, as the stack is configured.
 * floor = deregistration delay + healthy threshold x health check interval + health check grace.
 */
import type { OfflineStack } from "../offlineStack";
import { T } from "../resourceTypes";
import { PlanError } from "./errors";

export interface RolloutTiming {
  deregistrationDelaySeconds: number;
  healthyThreshold: number;
  intervalSeconds: number;
  healthCheckGraceSeconds: number;
}

/** A deployment's strategy as the service declares it, and the time a healthy deployment takes with it. */
export interface StrategyTiming {
  /** ECS's name: ROLLING, CANARY, LINEAR, BLUE_GREEN. */
  strategy: string;
  /** What each phase waits, in words. */
  phases: string[];
  /** The least time a deployment that trips no alarm takes, seconds. */
  expectedSeconds: number;
}

export interface Rollout extends RolloutTiming {
  floorSeconds: number;
  awsDefaults: RolloutTiming & { floorSeconds: number };
  deployment: StrategyTiming;
  /** The alarms that roll a deployment back (their logical names). */
  alarms: string[];
}

/**
 * The least time a deployment takes with the service's strategy: the new tasks become healthy
 * (healthy threshold x interval + grace), then the strategy's waits (canary: the canary bake;
 * linear: a step bake between steps; then the bake time with the old revision kept), then the old
 * tasks drain (deregistration delay). Rolling is the floor itself.
 */
export function strategyTimingOf(service: { inputs: Record<string, any> }, timing: RolloutTiming): StrategyTiming {
  const configuration = service.inputs.deploymentConfiguration ?? {};
  const strategy = String(configuration.strategy ?? "ROLLING");
  const floor = rolloutFloorSeconds(timing);
  if (strategy === "ROLLING") return { strategy, phases: [`tasks replaced in place: ${floor} s`], expectedSeconds: floor };
  const healthy = timing.healthyThreshold * timing.intervalSeconds + timing.healthCheckGraceSeconds;
  const bake = Number(configuration.bakeTimeInMinutes ?? 0) * 60;
  const phases = [`new tasks healthy: ${healthy} s`];
  let waits = 0;
  if (strategy === "CANARY") {
    const canary = configuration.canaryConfiguration ?? {};
    waits = Number(canary.canaryBakeTimeInMinutes ?? 0) * 60;
    phases.push(`${canary.canaryPercent ?? "?"}% of traffic for ${waits} s`);
  } else if (strategy === "LINEAR") {
    const linear = configuration.linearConfiguration ?? {};
    const steps = Math.ceil(100 / Number(linear.stepPercent ?? 100));
    waits = (steps - 1) * Number(linear.stepBakeTimeInMinutes ?? 0) * 60;
    phases.push(`${steps} steps of ${linear.stepPercent}%, ${waits} s between them`);
  } else if (strategy !== "BLUE_GREEN") {
    throw new PlanError(`unknown deployment strategy ${strategy}: known ROLLING, CANARY, LINEAR, BLUE_GREEN`);
  }
  phases.push(`all traffic, old revision kept (bake): ${bake} s`, `old tasks drain: ${timing.deregistrationDelaySeconds} s`);
  return { strategy, phases, expectedSeconds: healthy + waits + bake + timing.deregistrationDelaySeconds };
}

/** What a target group and a service get when nothing is set: 300 s draining, 5 checks 30 s apart, no grace. */
export const AWS_DEFAULT_TIMING: RolloutTiming = {
  deregistrationDelaySeconds: 300,
  healthyThreshold: 5,
  intervalSeconds: 30,
  healthCheckGraceSeconds: 0,
};

export function rolloutFloorSeconds(timing: RolloutTiming): number {
  return timing.deregistrationDelaySeconds + timing.healthyThreshold * timing.intervalSeconds + timing.healthCheckGraceSeconds;
}

/** The timing the stack's target group and service declare (AWS defaults for what they leave unset). */
export function rolloutOf(stack: OfflineStack): Rollout {
  const targetGroup = stack.resources.find((resource) => resource.type === T.targetGroup);
  const service = stack.resources.find((resource) => resource.type === T.service);
  if (!targetGroup || !service) throw new PlanError("the stack has no target group or no ECS service: no rollout to time");
  const healthCheck = targetGroup.inputs.healthCheck ?? {};
  const timing: RolloutTiming = {
    deregistrationDelaySeconds: Number(targetGroup.inputs.deregistrationDelay ?? AWS_DEFAULT_TIMING.deregistrationDelaySeconds),
    healthyThreshold: Number(healthCheck.healthyThreshold ?? AWS_DEFAULT_TIMING.healthyThreshold),
    intervalSeconds: Number(healthCheck.interval ?? AWS_DEFAULT_TIMING.intervalSeconds),
    healthCheckGraceSeconds: Number(service.inputs.healthCheckGracePeriodSeconds ?? AWS_DEFAULT_TIMING.healthCheckGraceSeconds),
  };
  const alarms = (service.inputs.alarms?.alarmNames ?? []) as string[];
  return {
    ...timing,
    floorSeconds: rolloutFloorSeconds(timing),
    awsDefaults: { ...AWS_DEFAULT_TIMING, floorSeconds: rolloutFloorSeconds(AWS_DEFAULT_TIMING) },
    deployment: strategyTimingOf(service, timing),
    alarms: alarms.map((alarmName) => stack.resources.find((resource) => resource.state.name === alarmName)?.name ?? alarmName),
  };
}

export function describeRollout(rollout: Rollout): string {
  const part = (timing: RolloutTiming & { floorSeconds: number }) =>
    `${timing.deregistrationDelaySeconds} s deregistration + ${timing.healthyThreshold} x ${timing.intervalSeconds} s health checks + ${timing.healthCheckGraceSeconds} s grace = ${timing.floorSeconds} s`;
  return `${part(rollout)} (AWS defaults: ${part(rollout.awsDefaults)})`;
}

/** The deployment strategy, its expected duration and the alarms that roll it back, in words. */
export function describeDeployment(rollout: Rollout): string[] {
  const { deployment } = rollout;
  return [
    `Deployment: ${deployment.strategy}, at least ${deployment.expectedSeconds} s (${(deployment.expectedSeconds / 60).toFixed(1)} min) when healthy: ${deployment.phases.join("; ")}`,
    `  rolled back by the circuit breaker and by ${rollout.alarms.length ? `the alarms ${rollout.alarms.join(", ")}` : "no alarm"}`,
  ];
}
