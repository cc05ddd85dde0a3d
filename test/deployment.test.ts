import assert from "node:assert/strict";
import { TEST_TRAFFIC_HEADER } from "../infra/loadBalancer";
import { LOAD_BALANCER_INFRASTRUCTURE_POLICY_ARN } from "../infra/taskRoles";
import { type OfflineResource, type OfflineStack, OfflineStackError, ofType, runOfflineStack } from "../scripts/offlineStack";
import { buildPlan, renderPlan } from "../scripts/plan/report";
import { T } from "../scripts/resourceTypes";
import { one } from "./support/stackQueries";

function alarmByMetric(stack: OfflineStack, metric: string): OfflineResource[] {
  return ofType(stack, T.metricAlarm).filter(
    (alarm) =>
      alarm.inputs.metricName === metric || (alarm.inputs.metricQueries ?? []).some((query: any) => query.metric?.metricName === metric),
  );
}

describe("deployments that protect themselves", () => {
  const stacks: Record<string, OfflineStack> = {};
  before(async () => {
    stacks.rolling = await runOfflineStack("dev");
    stacks.canary = await runOfflineStack("prod");
    stacks.linear = await runOfflineStack("dev", { deployStrategy: "linear" });
    stacks["blue-green"] = await runOfflineStack("dev", { deployStrategy: "blue-green" });
  });

  describe("deployment alarms on every stack, wired to the service with rollback", () => {
    it("alarm on the target 5xx rate, ALB 5xx, unhealthy hosts per target group and p99 latency, on the stack's ALB", () => {
      for (const [strategy, stack] of Object.entries(stacks)) {
        const alb = one(stack, T.loadBalancer).state.arnSuffix;
        const [rate] = alarmByMetric(stack, "HTTPCode_Target_5XX_Count");
        const queries = rate.inputs.metricQueries;
        assert.deepEqual(
          queries.map((query: any) => query.metric?.metricName ?? query.expression),
          ["HTTPCode_Target_5XX_Count", "RequestCount", "100 * FILL(errors, 0) / requests"],
          strategy,
        );
        assert.ok(queries.slice(0, 2).every((query: any) => query.metric.dimensions.LoadBalancer === alb));
        assert.deepEqual([rate.inputs.threshold, rate.inputs.datapointsToAlarm, rate.inputs.evaluationPeriods], [5, 2, 3]);
        const [elb] = alarmByMetric(stack, "HTTPCode_ELB_5XX_Count");
        assert.deepEqual([elb.inputs.statistic, elb.inputs.threshold, elb.inputs.dimensions.LoadBalancer], ["Sum", 10, alb]);
        const [latency] = alarmByMetric(stack, "TargetResponseTime");
        assert.deepEqual([latency.inputs.extendedStatistic, latency.inputs.threshold], ["p99", 2], "2000 ms in the metric's seconds");
        const targetGroups = ofType(stack, T.targetGroup)
          .map((group) => group.state.arnSuffix)
          .sort();
        const unhealthy = alarmByMetric(stack, "UnHealthyHostCount");
        assert.deepEqual(
          unhealthy.map((alarm) => alarm.inputs.dimensions.TargetGroup).sort(),
          targetGroups,
          "one per target group tasks register in",
        );
        for (const alarm of ofType(stack, T.metricAlarm))
          assert.equal(alarm.inputs.treatMissingData, "notBreaching", "no traffic is not a failure");

        const service = one(stack, T.service).inputs;
        assert.deepEqual(
          { ...service.alarms, alarmNames: [...service.alarms.alarmNames].sort() },
          {
            alarmNames: ofType(stack, T.metricAlarm)
              .map((alarm) => alarm.state.name)
              .sort(),
            enable: true,
            rollback: true,
          },
        );
        assert.deepEqual(service.deploymentCircuitBreaker, { enable: true, rollback: true });
        assert.equal(service.waitForSteadyState, true, "pulumi up waits, and fails on a rollback");
      }
    });

    it("thresholds come from the config", async () => {
      const strict = await runOfflineStack("dev", {
        alarmTarget5xxPercent: "1",
        alarmElb5xxPerMinute: "3",
        alarmP99LatencyMs: "500",
        alarmUnhealthyMinutes: "4",
      });
      assert.equal(alarmByMetric(strict, "HTTPCode_Target_5XX_Count")[0].inputs.threshold, 1);
      assert.equal(alarmByMetric(strict, "HTTPCode_ELB_5XX_Count")[0].inputs.threshold, 3);
      assert.equal(alarmByMetric(strict, "TargetResponseTime")[0].inputs.threshold, 0.5);
      assert.equal(alarmByMetric(strict, "UnHealthyHostCount")[0].inputs.evaluationPeriods, 4);
    });
  });

  describe("the strategy: rolling in dev, canary in prod", () => {
    it("rolling has one target group, no listener rules, no traffic role", () => {
      const stack = stacks.rolling;
      assert.deepEqual(one(stack, T.service).inputs.deploymentConfiguration, { strategy: "ROLLING" });
      assert.equal(ofType(stack, T.targetGroup).length, 1);
      assert.equal(ofType(stack, T.listenerRule).length, 0);
      assert.ok(!ofType(stack, T.role).some((role) => role.name.endsWith("-ecs-traffic")));
      assert.equal(one(stack, T.service).inputs.loadBalancers[0].advancedConfiguration, undefined);
    });

    it("prod: a canary with its share, bake times, the alternate target group, both listener rules and ECS's role", () => {
      const stack = stacks.canary;
      const service = one(stack, T.service);
      assert.deepEqual(service.inputs.deploymentConfiguration, {
        strategy: "CANARY",
        bakeTimeInMinutes: "5",
        canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: "5" },
      });
      const [primary, alternate] = ["-tg", "-tg-alt"].map((suffix) => one(stack, T.targetGroup, suffix));
      const production = one(stack, T.listenerRule, "-production-traffic");
      const test = one(stack, T.listenerRule, "-test-traffic");
      const role = one(stack, T.role, "-ecs-traffic");
      assert.deepEqual(service.inputs.loadBalancers[0], {
        targetGroupArn: primary.state.arn,
        containerName: "web",
        containerPort: 8080,
        advancedConfiguration: {
          alternateTargetGroupArn: alternate.state.arn,
          productionListenerRule: production.state.arn,
          testListenerRule: test.state.arn,
          roleArn: role.state.arn,
        },
      });
      for (const rule of [production, test]) {
        assert.deepEqual(rule.inputs.actions[0].forward.targetGroups, [
          { arn: primary.state.arn, weight: 100 },
          { arn: alternate.state.arn, weight: 0 },
        ]);
        assert.deepEqual(rule.options.ignoreChanges, ["actions"], "ECS rewrites the weights");
        assert.equal(rule.inputs.listenerArn, one(stack, T.listener).state.arn);
      }
      assert.deepEqual(test.inputs.conditions, [{ httpHeader: { httpHeaderName: TEST_TRAFFIC_HEADER, values: ["1"] } }]);
      assert.ok(production.inputs.priority > test.inputs.priority, "test traffic is matched first");
      assert.equal(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal.Service, "ecs.amazonaws.com");
      const attachment = ofType(stack, T.rolePolicyAttachment).find((candidate) => candidate.inputs.role === role.state.name);
      assert.equal(attachment?.inputs.policyArn, LOAD_BALANCER_INFRASTRUCTURE_POLICY_ARN);
      assert.ok(service.options.ignoreChanges?.includes("loadBalancers"), "ECS alternates the target groups itself");
      for (const rule of [production, test])
        assert.ok(service.options.dependsOn.includes(rule.name), "the rules exist before the service names them");
    });

    it("linear and blue-green get the same traffic-shifting resources, with their own timings", () => {
      assert.deepEqual(one(stacks.linear, T.service).inputs.deploymentConfiguration, {
        strategy: "LINEAR",
        bakeTimeInMinutes: "5",
        linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: "2" },
      });
      assert.deepEqual(one(stacks["blue-green"], T.service).inputs.deploymentConfiguration, {
        strategy: "BLUE_GREEN",
        bakeTimeInMinutes: "5",
      });
      for (const stack of [stacks.linear, stacks["blue-green"]]) {
        assert.equal(ofType(stack, T.targetGroup).length, 2);
        assert.equal(ofType(stack, T.listenerRule).length, 2);
        assert.ok(one(stack, T.service).inputs.loadBalancers[0].advancedConfiguration.roleArn);
      }
    });

    it("with HTTPS on the ALB, the rules sit on the HTTPS listener, not on the redirect", async () => {
      const https = await runOfflineStack("dev", {
        deployStrategy: "canary",
        edge: "none",
        certificateArn: "arn:aws:acm:ap-northeast-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
      });
      const httpsListener = ofType(https, T.listener).find((listener) => listener.inputs.port === 443) as OfflineResource;
      assert.ok(ofType(https, T.listenerRule).every((rule) => rule.inputs.listenerArn === httpsListener.state.arn));
    });

    it("the plan shows the strategy, its expected rollout time and the alarms", async () => {
      const prod = await buildPlan("prod", {}, { guardrails: false });
      assert.equal(prod.rollout.deployment.strategy, "CANARY");
      assert.equal(prod.rollout.deployment.expectedSeconds, 35 + 300 + 300 + 15, "healthy, canary bake, bake, drain");
      assert.equal(prod.rollout.alarms.length, 5);
      assert.match(renderPlan(prod), /Deployment: CANARY, at least 650 s .*10% of traffic for 300 s/);
      const dev = await buildPlan("dev", {}, { guardrails: false });
      assert.deepEqual([dev.rollout.deployment.strategy, dev.rollout.deployment.expectedSeconds], ["ROLLING", dev.rollout.floorSeconds]);
      const linear = await buildPlan("dev", { deployStrategy: "linear" }, { guardrails: false });
      assert.equal(linear.rollout.deployment.expectedSeconds, 35 + 3 * 120 + 300 + 15, "4 steps of 25%, 3 waits between them");
    });
  });

  it("bad strategy settings fail the preview clearly", async () => {
    const refused: [Record<string, string>, RegExp][] = [
      [{ deployStrategy: "big-bang" }, /boyacky:deployStrategy=big-bang is not allowed; use one of rolling, canary, linear, blue-green/],
      [{ canaryPercent: "0" }, /boyacky:canaryPercent=0 is not valid; use a whole number from 1 to 99/],
      [{ bakeMinutes: "2000" }, /boyacky:bakeMinutes=2000 is not valid; use a whole number from 0 to 1440/],
      [{ linearStepPercent: "1" }, /boyacky:linearStepPercent=1 is not valid; use a whole number from 3 to 99/],
    ];
    for (const [overrides, message] of refused) {
      await assert.rejects(
        runOfflineStack("dev", overrides),
        (error: Error) => error instanceof OfflineStackError && message.test(error.message),
      );
    }
  });
});
