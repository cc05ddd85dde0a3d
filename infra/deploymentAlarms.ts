import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DeploymentSettings } from "./config";

export interface DeploymentAlarmsArgs {
  /** `app/<name>/<id>`: the ALB's CloudWatch dimension. */
  loadBalancerArnSuffix: pulumi.Input<string>;
  /** `targetgroup/<name>/<id>` of each target group the service's tasks register in. */
  targetGroupArnSuffixes: pulumi.Input<string>[];
  /** Thresholds. */
  thresholds: DeploymentSettings["alarms"];
}

/** One-minute datapoints, so that a bad deployment is caught within minutes. */
const PERIOD_SECONDS = 60;

/**
 * CloudWatch alarms on what users feel, for the ECS service's deployment alarms: ECS watches them
 * during a deployment (and its bake time) and rolls the deployment back when one goes to ALARM
 * (ECS Developer Guide, "How CloudWatch alarms detect Amazon ECS deployment failures"). Missing
 * data (no traffic) is not a failure.
 */
export class DeploymentAlarms extends pulumi.ComponentResource {
  readonly alarmNames: pulumi.Output<string>[];

  constructor(name: string, args: DeploymentAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boyacky:infra:DeploymentAlarms", name, {}, opts);
    const parent = { parent: this };
    const { thresholds } = args;
    const onLoadBalancer = { LoadBalancer: args.loadBalancerArnSuffix };
    // A metric-math alarm takes the namespace and period in each metric, not at its top level.
    const metricOf = { namespace: "AWS/ApplicationELB", period: PERIOD_SECONDS };
    const common = { ...metricOf, treatMissingData: "notBreaching" };
    const sumOnLoadBalancer = (metricName: string) => ({ ...metricOf, metricName, dimensions: onLoadBalancer, stat: "Sum" });

    const alarms = [
      new aws.cloudwatch.MetricAlarm(
        `${name}-target-5xx-rate`,
        {
          alarmDescription: `The app answers more than ${thresholds.target5xxPercent}% of requests with a 5xx`,
          comparisonOperator: "GreaterThanThreshold",
          threshold: thresholds.target5xxPercent,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          treatMissingData: common.treatMissingData,
          metricQueries: [
            { id: "errors", metric: sumOnLoadBalancer("HTTPCode_Target_5XX_Count") },
            { id: "requests", metric: sumOnLoadBalancer("RequestCount") },
            { id: "rate", expression: "100 * FILL(errors, 0) / requests", label: "target 5xx, percent of requests", returnData: true },
          ],
        },
        parent,
      ),
      new aws.cloudwatch.MetricAlarm(
        `${name}-elb-5xx`,
        {
          ...common,
          alarmDescription: `The load balancer itself answers more than ${thresholds.elb5xxPerMinute} 5xx a minute (no healthy target, timeouts)`,
          metricName: "HTTPCode_ELB_5XX_Count",
          dimensions: onLoadBalancer,
          statistic: "Sum",
          comparisonOperator: "GreaterThanThreshold",
          threshold: thresholds.elb5xxPerMinute,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
        },
        parent,
      ),
      new aws.cloudwatch.MetricAlarm(
        `${name}-p99-latency`,
        {
          ...common,
          alarmDescription: `The app's 99th percentile response time is above ${thresholds.p99LatencyMs} ms`,
          metricName: "TargetResponseTime",
          dimensions: onLoadBalancer,
          extendedStatistic: "p99",
          comparisonOperator: "GreaterThanThreshold",
          threshold: thresholds.p99LatencyMs / 1000, // the metric is in seconds
          evaluationPeriods: 3,
          datapointsToAlarm: 3,
        },
        parent,
      ),
      ...args.targetGroupArnSuffixes.map(
        (targetGroup, index) =>
          new aws.cloudwatch.MetricAlarm(
            `${name}-unhealthy-${index}`,
            {
              ...common,
              alarmDescription: `A target of the service has been unhealthy for ${thresholds.unhealthyMinutes} minutes`,
              metricName: "UnHealthyHostCount",
              dimensions: { ...onLoadBalancer, TargetGroup: targetGroup },
              statistic: "Maximum",
              comparisonOperator: "GreaterThanThreshold",
              threshold: 0,
              evaluationPeriods: thresholds.unhealthyMinutes,
              datapointsToAlarm: thresholds.unhealthyMinutes,
            },
            parent,
          ),
      ),
    ];

    this.alarmNames = alarms.map((alarm) => alarm.name);
    this.registerOutputs({ alarmNames: this.alarmNames });
  }
}
