import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import * as aws from "@pulumi/aws";
import type { Policies } from "@pulumi/policy";
import { DEV_EXCEPTIONS, DOCUMENTED_EXCEPTIONS, exceptionsIn, isDevLike, type PackContext } from "../policy/context";
import { evaluate, evaluatePolicies, type PolicySubject } from "../policy/offline";
import { buildPolicies, GUARDRAILS } from "../policy/policies";
import { mockIdOf, type OfflineStack, runOfflineStack } from "../scripts/offlineStack";
import { pulumiTypeOf } from "../scripts/resourceTypes";

import { runReviewStack } from "./support/reviewStack";
import { CERTIFICATE, DOMAIN } from "./support/stackVariants";
const SECURITY_DOC = path.join(__dirname, "..", "docs", "security.md");
const PROD: PackContext = { stack: "prod", config: {} };

const policyNamed = (name: string, context = PROD): Policies => {
  const policy = buildPolicies(context).find((candidate) => candidate.name === name);
  assert.ok(policy, `no policy ${name}`);
  return [policy];
};
const namesOf = (violations: { policy: string }[]) => [...new Set(violations.map((violation) => violation.policy))].sort();

describe("policy pack boyacky-guardrails (offline)", function () {
  let dev: OfflineStack;
  let prod: OfflineStack;

  before(async () => {
    dev = await runOfflineStack("dev");
    prod = await runOfflineStack("prod");
  });
  const expectedExceptions = (stack: OfflineStack) =>
    exceptionsIn({ stack: stack.stack, config: stack.config })
      .map((exception) => exception.policy)
      .sort();

  describe("the stacks", () => {
    it("prod as committed (CloudFront edge, WAF, no domain, no certificate) violates nothing mandatory: only the documented default-certificate exception", async () => {
      const violations = await evaluatePolicies(prod);
      assert.deepEqual(namesOf(violations), ["cloudfront-custom-certificate"]);
      assert.ok(violations.every((violation) => violation.enforcementLevel === "advisory"));
    });

    it("prod with a domain violates nothing at all", async () => {
      assert.deepEqual(await evaluatePolicies(await runOfflineStack("prod", { domainName: DOMAIN })), []);
    });

    it("prod without the edge and without a certificate is blocked by ELB.1 alone", async () => {
      const violations = await evaluatePolicies(await runOfflineStack("prod", { edge: "none", waf: "false" }));
      assert.deepEqual(namesOf(violations), ["elb-http-redirects-to-https"]);
      assert.ok(violations.every((violation) => violation.enforcementLevel === "mandatory"));
      assert.deepEqual(
        await evaluatePolicies(await runOfflineStack("prod", { edge: "none", waf: "false", certificateArn: CERTIFICATE })),
        [],
      );
    });

    it("dev violates exactly the exceptions that hold for it, each advisory, each naming its resource", async () => {
      const violations = await evaluatePolicies(dev);
      assert.deepEqual(namesOf(violations), expectedExceptions(dev));
      assert.deepEqual(expectedExceptions(dev), [
        "cloudfront-custom-certificate",
        "cloudfront-waf",
        "dynamodb-deletion-protection",
        "ecs-no-public-ip",
        "elb-deletion-protection",
      ]);
      for (const violation of violations) {
        assert.equal(violation.enforcementLevel, "advisory", violation.policy);
        assert.match(violation.resource ?? "", /^boyacky-dev-/, violation.policy);
      }
    });

    it("dev without the edge serves HTTP under the ELB.1 exception; with a certificate it redirects, and ELB.1 is mandatory again", async () => {
      const direct = await runOfflineStack("dev", { edge: "none" });
      assert.ok(expectedExceptions(direct).includes("elb-http-redirects-to-https"));
      assert.ok(namesOf(await evaluatePolicies(direct)).includes("elb-http-redirects-to-https"));
      const violations = await evaluatePolicies(await runOfflineStack("dev", { edge: "none", certificateArn: CERTIFICATE }));
      assert.ok(!namesOf(violations).includes("elb-http-redirects-to-https"));
      assert.equal(
        buildPolicies({ stack: "dev", config: { ...dev.config, "boyacky:edge": "none", "boyacky:certificateArn": CERTIFICATE } }).find(
          (policy) => policy.name === "elb-http-redirects-to-https",
        )?.enforcementLevel,
        "mandatory",
      );
    });

    it("behind the edge the internal ALB's HTTP listener meets ELB.1's intent; the same listener on an internet-facing ALB does not", async () => {
      assert.ok(!namesOf(await evaluatePolicies(dev)).includes("elb-http-redirects-to-https"));
    });

    it("a review stack pr-<number> has dev's exceptions and nothing mandatory; a stack merely named like one does not", async () => {
      const review = await runReviewStack(123);
      const violations = await evaluatePolicies(review);
      assert.ok(
        violations.length > 0 && violations.every((violation) => violation.enforcementLevel === "advisory"),
        JSON.stringify(violations),
      );
      assert.deepEqual(namesOf(violations), expectedExceptions(review));
      for (const stack of ["pr-0", "pr-12a", "prod-pr-1", "staging"]) assert.ok(!isDevLike(stack), stack);
    });

    it("ECS Exec (break glass) fails ECS.5, mandatory even on dev; its `*` resource for ssmmessages passes IAM", async () => {
      const violations = await evaluatePolicies(await runOfflineStack("dev", { enableExecuteCommand: "true" }));
      const mandatory = violations.filter((violation) => violation.enforcementLevel === "mandatory");
      assert.deepEqual(namesOf(mandatory), ["ecs-read-only-root-filesystem"]);
    });
  });

  describe("enforcement", () => {
    it("outside dev every policy is mandatory but a documented exception whose configuration holds", () => {
      for (const context of [
        PROD,
        { stack: "staging", config: dev.config },
        { stack: "", config: dev.config },
        { stack: "prod", config: { ...dev.config, "boyacky:domainName": DOMAIN } },
      ]) {
        const advisory = buildPolicies(context)
          .filter((policy) => policy.enforcementLevel !== "mandatory")
          .map((policy) => policy.name);
        assert.deepEqual(
          advisory,
          DOCUMENTED_EXCEPTIONS.filter((exception) => exception.applies(context.config)).map((exception) => exception.policy),
          context.stack,
        );
      }
      assert.deepEqual(
        buildPolicies({ stack: "staging", config: dev.config })
          .filter((policy) => policy.enforcementLevel === "advisory")
          .map((policy) => policy.name),
        ["cloudfront-custom-certificate"],
      );
    });

    it("on dev, only the exceptions whose configuration holds are advisory", () => {
      const advisory = (config: Record<string, string>) =>
        buildPolicies({ stack: "dev", config: { ...dev.config, ...config } })
          .filter((policy) => policy.enforcementLevel === "advisory")
          .map((policy) => policy.name)
          .sort();
      assert.deepEqual(advisory({}), expectedExceptions(dev));
      assert.deepEqual(
        advisory({ "boyacky:egressMode": "endpoints", "boyacky:domainName": DOMAIN, "boyacky:waf": "true", "boyacky:protectData": "true" }),
        [],
      );
      assert.ok(!advisory({ "boyacky:egressMode": "nat" }).includes("ecs-no-public-ip"));
    });

    it("every exception gives its reason, in the policy's description and in docs/security.md", () => {
      const docs = readFileSync(SECURITY_DOC, "utf8");
      const devPolicies = buildPolicies({ stack: "dev", config: dev.config });
      const withoutEdge = buildPolicies({ stack: "dev", config: { ...dev.config, "boyacky:edge": "none" } });
      for (const exception of [...DEV_EXCEPTIONS, ...DOCUMENTED_EXCEPTIONS]) {
        assert.ok(exception.reason.length > 40, exception.policy);
        const described = [...devPolicies, ...withoutEdge].some(
          (policy) => policy.name === exception.policy && policy.description.includes(exception.reason),
        );
        assert.ok(described, exception.policy);
        assert.ok(docs.includes(`\`${exception.policy}\``), `docs/security.md does not mention ${exception.policy}`);
      }
    });

    it("docs/security.md lists every policy, and every policy names its controls", () => {
      const docs = readFileSync(SECURITY_DOC, "utf8");
      for (const guardrail of GUARDRAILS) {
        assert.ok(docs.includes(`\`${guardrail.name}\``), `docs/security.md does not mention ${guardrail.name}`);
        assert.ok(guardrail.controls.length > 0 && guardrail.remediationSteps, guardrail.name);
      }
      assert.equal(new Set(GUARDRAILS.map((guardrail) => guardrail.name)).size, GUARDRAILS.length, "unique names");
    });
  });

  describe("every policy can fail", () => {
    /** A hand-made resource: `props` are its inputs; stack policies see them with its id and name. */
    function resource(resourceClass: unknown, props: Record<string, unknown>, name = "fixture"): PolicySubject {
      return { type: pulumiTypeOf(resourceClass), name, inputs: props, outputs: { id: mockIdOf({ name }), name, ...props } };
    }
    const container = (changes: Record<string, unknown> = {}) =>
      resource(aws.ecs.TaskDefinition, {
        family: "app",
        containerDefinitions: JSON.stringify([
          {
            name: "web",
            image: "app@sha256:0",
            user: "1000:1000",
            privileged: false,
            readonlyRootFilesystem: true,
            environment: [{ name: "PORT", value: "8080" }],
            logConfiguration: { logDriver: "awslogs" },
            ...changes,
          },
        ]),
      });
    const service = (changes: Record<string, unknown> = {}) =>
      resource(aws.ecs.Service, {
        launchType: "FARGATE",
        platformVersion: "LATEST",
        networkConfiguration: { subnets: ["subnet-a"], securityGroups: ["tasks-id"], assignPublicIp: false },
        ...changes,
      });
    const alb = (changes: Record<string, unknown> = {}, resourceClass: unknown = aws.lb.LoadBalancer) =>
      resource(resourceClass, {
        loadBalancerType: "application",
        subnets: ["subnet-a", "subnet-b"],
        dropInvalidHeaderFields: true,
        desyncMitigationMode: "strictest",
        enableDeletionProtection: true,
        accessLogs: { bucket: "logs", enabled: true },
        ...changes,
      });
    const listener = (changes: Record<string, unknown>, resourceClass: unknown = aws.lb.Listener) =>
      resource(resourceClass, { loadBalancerArn: "alb", ...changes });
    const https = {
      protocol: "HTTPS",
      port: 443,
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      certificateArn: CERTIFICATE,
      defaultActions: [{ type: "forward", targetGroupArn: "tg" }],
    };
    const repository = (changes: Record<string, unknown> = {}) =>
      resource(
        aws.ecr.Repository,
        { imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true }, ...changes },
        "repo",
      );
    const table = (changes: Record<string, unknown> = {}) =>
      resource(
        aws.dynamodb.Table,
        { billingMode: "PAY_PER_REQUEST", pointInTimeRecovery: { enabled: true }, deletionProtectionEnabled: true, ...changes },
        "grumbles",
      );
    const scaling = (dimension: string) =>
      resource(
        aws.appautoscaling.Target,
        {
          serviceNamespace: "dynamodb",
          scalableDimension: `dynamodb:table:${dimension}CapacityUnits`,
          resourceId: "table/grumbles",
          minCapacity: 1,
          maxCapacity: 5,
        },
        `scale-${dimension}`,
      );
    const vpc = resource(aws.ec2.Vpc, { cidrBlock: "10.0.0.0/16" }, "vpc");
    const defaultGroup = (changes: Record<string, unknown> = {}) =>
      resource(aws.ec2.DefaultSecurityGroup, { vpcId: "vpc-id", ...changes }, "default-sg");
    const flowLog = (trafficType: string) =>
      resource(
        aws.ec2.FlowLog,
        { vpcId: "vpc-id", trafficType, logDestinationType: "s3", logDestination: "arn:aws:s3:::flow" },
        "flow-log",
      );
    const ingress = (changes: Record<string, unknown>, name = "rule") =>
      resource(
        aws.vpc.SecurityGroupIngressRule,
        { securityGroupId: "alb-id", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", ...changes },
        name,
      );
    const tasksGroup = resource(aws.ec2.SecurityGroup, { vpcId: "vpc-id", description: "tasks" }, "tasks");
    const rolePolicy = (...statements: Record<string, unknown>[]) =>
      resource(aws.iam.RolePolicy, { role: "task", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
    const allow = (Action: unknown, Resource: unknown = "arn:aws:dynamodb:ap-northeast-1:123456789012:table/grumbles") => ({
      Effect: "Allow",
      Action,
      Resource,
    });
    const bucket = resource(aws.s3.Bucket, { forceDestroy: true }, "logs");
    const publicAccessBlock = (changes: Record<string, unknown> = {}) =>
      resource(
        aws.s3.BucketPublicAccessBlock,
        {
          bucket: "logs-id",
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
          ...changes,
        },
        "logs-pab",
      );
    const ownership = (objectOwnership: string) =>
      resource(aws.s3.BucketOwnershipControls, { bucket: "logs-id", rule: { objectOwnership } }, "logs-ownership");
    const bucketPolicy = (...statements: Record<string, unknown>[]) =>
      resource(
        aws.s3.BucketPolicy,
        { bucket: "logs-id", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) },
        "logs-policy",
      );
    const tlsOnly = {
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
    const elbWrite = {
      Effect: "Allow",
      Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: "arn:aws:s3:::logs/AWSLogs/123456789012/*",
    };

    const guarded = {
      loadBalancers: [{ targetGroupArn: "tg", containerName: "web", containerPort: 8080 }],
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: { alarmNames: ["5xx"], enable: true, rollback: true },
    };
    const httpForward = {
      loadBalancerArn: "fixture-id",
      protocol: "HTTP",
      port: 80,
      defaultActions: [{ type: "forward", targetGroupArn: "tg" }],
    };
    const internalAlb = alb({ internal: true });
    const vpcOrigin = (changes: Record<string, unknown> = {}) =>
      resource(
        aws.cloudfront.VpcOrigin,
        {
          vpcOriginEndpointConfig: {
            name: "alb",
            arn: "fixture-id",
            httpPort: 80,
            httpsPort: 443,
            originProtocolPolicy: "http-only",
            originSslProtocols: { items: ["TLSv1.2"], quantity: 1 },
            ...changes,
          },
        },
        "origin",
      );
    const distribution = (changes: Record<string, unknown> = {}) =>
      resource(
        aws.cloudfront.Distribution,
        {
          origins: [{ originId: "alb", domainName: "internal-alb.elb.amazonaws.com", vpcOriginConfig: { vpcOriginId: "origin-id" } }],
          defaultCacheBehavior: { viewerProtocolPolicy: "redirect-to-https" },
          orderedCacheBehaviors: [{ pathPattern: "/static/*", viewerProtocolPolicy: "redirect-to-https" }],
          viewerCertificate: { cloudfrontDefaultCertificate: true },
          ...changes,
        },
        "cdn",
      );
    const customCertificate = {
      acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/1",
      sslSupportMethod: "sni-only",
      minimumProtocolVersion: "TLSv1.2_2021",
    };
    const httpsCustomOrigin = {
      originId: "site",
      domainName: "origin.example.com",
      customOriginConfig: { originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"], httpPort: 80, httpsPort: 443 },
    };
    const cdnLogs = [
      resource(aws.cloudwatch.LogDeliverySource, { name: "cdn-logs", logType: "ACCESS_LOGS", resourceArn: "cdn-id" }, "cdn-logs"),
      resource(
        aws.cloudwatch.LogDelivery,
        { deliverySourceName: "cdn-logs", deliveryDestinationArn: "arn:aws:logs:us-east-1:123456789012:delivery-destination:s3" },
        "cdn-delivery",
      ),
    ];

    /** [policy, a compliant fixture, the same with one thing wrong]. */
    const FIXTURES: [string, PolicySubject[], PolicySubject[]][] = [
      ["ecs-no-public-ip", [service()], [service({ networkConfiguration: { subnets: ["subnet-a"], assignPublicIp: true } })]],
      ["ecs-no-privileged-containers", [container()], [container({ privileged: true })]],
      ["ecs-read-only-root-filesystem", [container()], [container({ readonlyRootFilesystem: false })]],
      ["ecs-no-secrets-in-environment", [container()], [container({ environment: [{ name: "DB_PASSWORD", value: "hunter2" }] })]],
      ["ecs-no-secrets-in-environment", [container()], [container({ environment: [{ name: "AWS_SECRET_ACCESS_KEY", value: "x" }] })]],
      ["ecs-no-secrets-in-environment", [container()], [container({ environment: [{ name: "UPSTREAM", value: "AKIAIOSFODNN7EXAMPLE" }] })]],
      ["ecs-container-logging", [container()], [container({ logConfiguration: undefined })]],
      ["ecs-fargate-latest-platform", [service()], [service({ platformVersion: "1.3.0" })]],
      [
        "ecs-deployment-rollback",
        [service(guarded)],
        [service({ ...guarded, alarms: { alarmNames: ["5xx"], enable: true, rollback: false } })],
      ],
      [
        "ecs-deployment-rollback",
        [service(guarded)],
        [service({ ...guarded, deploymentCircuitBreaker: { enable: true, rollback: false } })],
      ],
      [
        "ecs-container-insights",
        [resource(aws.ecs.Cluster, { settings: [{ name: "containerInsights", value: "enabled" }] })],
        [resource(aws.ecs.Cluster, {})],
      ],
      ["ecs-non-root-user", [container()], [container({ user: "0:0" })]],
      ["ecs-non-root-user", [container()], [container({ user: undefined })]],
      [
        "elb-http-redirects-to-https",
        [
          listener({
            protocol: "HTTP",
            port: 80,
            defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
          }),
        ],
        [listener(httpForward)],
      ],
      [
        "elb-http-redirects-to-https",
        [internalAlb, listener(httpForward), vpcOrigin()],
        [alb({ internal: false }), listener(httpForward), vpcOrigin()],
      ],
      ["elb-http-redirects-to-https", [internalAlb, listener(httpForward), vpcOrigin()], [internalAlb, listener(httpForward)]],
      [
        "cloudfront-viewer-https",
        [distribution()],
        [distribution({ orderedCacheBehaviors: [{ pathPattern: "/static/*", viewerProtocolPolicy: "allow-all" }] })],
      ],
      ["cloudfront-custom-certificate", [distribution({ viewerCertificate: customCertificate })], [distribution()]],
      [
        "cloudfront-custom-certificate",
        [distribution({ viewerCertificate: customCertificate })],
        [distribution({ viewerCertificate: { ...customCertificate, minimumProtocolVersion: "TLSv1" } })],
      ],
      [
        "cloudfront-origin-encryption",
        [distribution(), vpcOrigin()],
        [distribution(), vpcOrigin({ originSslProtocols: { items: ["SSLv3", "TLSv1.2"], quantity: 2 } })],
      ],
      [
        "cloudfront-origin-encryption",
        [distribution({ origins: [httpsCustomOrigin] })],
        [
          distribution({
            origins: [
              { ...httpsCustomOrigin, customOriginConfig: { ...httpsCustomOrigin.customOriginConfig, originProtocolPolicy: "http-only" } },
            ],
          }),
        ],
      ],
      ["cloudfront-access-logs", [distribution(), ...cdnLogs], [distribution(), cdnLogs[0]]],
      ["cloudfront-access-logs", [distribution({ loggingConfig: { bucket: "legacy.s3.amazonaws.com" } })], [distribution()]],
      ["cloudfront-waf", [distribution({ webAclId: "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1" })], [distribution()]],
      ["elb-drop-invalid-headers", [alb()], [alb({ dropInvalidHeaderFields: false })]],
      ["elb-access-logs", [alb()], [alb({ accessLogs: { bucket: "logs", enabled: false } })]],
      ["elb-access-logs", [alb()], [alb({ accessLogs: undefined })]],
      ["elb-deletion-protection", [alb()], [alb({ enableDeletionProtection: false })]],
      ["elb-deletion-protection", [alb({}, aws.alb.LoadBalancer)], [alb({ enableDeletionProtection: false }, aws.alb.LoadBalancer)]],
      ["elb-desync-mitigation", [alb()], [alb({ desyncMitigationMode: "monitor" })]],
      ["elb-multi-az", [alb()], [alb({ subnets: ["subnet-a"] })]],
      ["elb-tls-policy", [listener(https)], [listener({ ...https, sslPolicy: "ELBSecurityPolicy-2016-08" })]],
      [
        "elb-tls-policy",
        [listener(https, aws.alb.Listener)],
        [listener({ ...https, sslPolicy: "ELBSecurityPolicy-TLS13-1-0-2021-06" }, aws.alb.Listener)],
      ],
      ["ecr-scan-on-push", [repository()], [repository({ imageScanningConfiguration: { scanOnPush: false } })]],
      ["ecr-immutable-tags", [repository()], [repository({ imageTagMutability: "MUTABLE" })]],
      [
        "ecr-lifecycle-policy",
        [repository(), resource(aws.ecr.LifecyclePolicy, { repository: "repo", policy: "{}" }, "lifecycle")],
        [repository()],
      ],
      ["dynamodb-capacity-scales", [table()], [table({ billingMode: "PROVISIONED" })]],
      [
        "dynamodb-capacity-scales",
        [table({ billingMode: "PROVISIONED" }), scaling("Read"), scaling("Write")],
        [table({ billingMode: "PROVISIONED" }), scaling("Read")],
      ],
      ["dynamodb-pitr", [table()], [table({ pointInTimeRecovery: { enabled: false } })]],
      ["dynamodb-deletion-protection", [table()], [table({ deletionProtectionEnabled: false })]],
      ["ec2-default-sg-no-rules", [vpc, defaultGroup()], [vpc]],
      [
        "ec2-default-sg-no-rules",
        [vpc, defaultGroup()],
        [vpc, defaultGroup({ egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] })],
      ],
      ["ec2-vpc-flow-logs", [vpc, flowLog("ALL")], [vpc]],
      ["ec2-vpc-flow-logs", [vpc, flowLog("REJECT")], [vpc, flowLog("ACCEPT")]],
      [
        "ec2-restricted-world-ingress",
        [ingress({}), ingress({ fromPort: 22, toPort: 22, cidrIpv4: "10.0.0.0/16" })],
        [ingress({ fromPort: 22, toPort: 22 })],
      ],
      [
        "ec2-restricted-world-ingress",
        [ingress({ cidrIpv4: undefined, cidrIpv6: "::/0", fromPort: 80, toPort: 80 })],
        [ingress({ cidrIpv4: undefined, cidrIpv6: "::/0", fromPort: 0, toPort: 65535 })],
      ],
      [
        "ec2-restricted-world-ingress",
        [resource(aws.ec2.SecurityGroup, { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] })],
        [resource(aws.ec2.SecurityGroup, { ingress: [{ protocol: "tcp", fromPort: 3389, toPort: 3389, cidrBlocks: ["0.0.0.0/0"] }] })],
      ],
      [
        "ec2-restricted-world-ingress",
        [
          resource(aws.ec2.SecurityGroupRule, {
            type: "egress",
            protocol: "-1",
            fromPort: 0,
            toPort: 0,
            ipv6CidrBlocks: ["::/0"],
            securityGroupId: "sg",
          }),
        ],
        [
          resource(aws.ec2.SecurityGroupRule, {
            type: "ingress",
            protocol: "-1",
            fromPort: 0,
            toPort: 0,
            ipv6CidrBlocks: ["::/0"],
            securityGroupId: "sg",
          }),
        ],
      ],
      [
        "ec2-tasks-not-world-reachable",
        [
          tasksGroup,
          service(),
          ingress({ securityGroupId: "tasks-id", fromPort: 8080, toPort: 8080, cidrIpv4: undefined, referencedSecurityGroupId: "alb-id" }),
        ],
        [tasksGroup, service(), ingress({ securityGroupId: "tasks-id" })],
      ],
      ["iam-least-privilege", [rolePolicy(allow(["dynamodb:GetItem", "dynamodb:Query"]))], [rolePolicy(allow("dynamodb:*"))]],
      ["iam-least-privilege", [rolePolicy(allow("dynamodb:GetItem"))], [rolePolicy(allow("*", "*"))]],
      [
        "iam-least-privilege",
        [rolePolicy(allow(["ssmmessages:CreateControlChannel", "ssmmessages:OpenDataChannel"], "*"))],
        [rolePolicy(allow(["ssmmessages:CreateControlChannel", "dynamodb:GetItem"], "*"))],
      ],
      [
        "iam-least-privilege",
        [resource(aws.iam.Policy, { policy: { Version: "2012-10-17", Statement: [allow("s3:GetObject", "arn:aws:s3:::logs/*")] } })],
        [
          resource(aws.iam.Policy, {
            policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::logs" }] },
          }),
        ],
      ],
      ["cloudwatch-log-retention", [resource(aws.cloudwatch.LogGroup, { retentionInDays: 14 })], [resource(aws.cloudwatch.LogGroup, {})]],
      ["s3-block-public-access", [bucket, publicAccessBlock()], [bucket, publicAccessBlock({ restrictPublicBuckets: false })]],
      ["s3-acls-disabled", [bucket, ownership("BucketOwnerEnforced")], [bucket, ownership("ObjectWriter")]],
      ["s3-tls-only", [bucket, bucketPolicy(elbWrite, tlsOnly)], [bucket, bucketPolicy(elbWrite)]],
    ];

    it("every policy of the pack has a fixture", () => {
      assert.deepEqual([...new Set(FIXTURES.map(([policy]) => policy))].sort(), GUARDRAILS.map((guardrail) => guardrail.name).sort());
    });

    FIXTURES.forEach(([policy, good, bad], index) => {
      it(`${policy} #${index}: passes the compliant fixture, fails the one with a fault`, async () => {
        assert.deepEqual(await evaluate(policyNamed(policy), good), [], "compliant fixture");
        const violations = await evaluate(policyNamed(policy), bad);
        assert.ok(violations.length > 0, "faulty fixture not reported");
        for (const violation of violations) {
          assert.equal(violation.policy, policy);
          assert.equal(violation.enforcementLevel, "mandatory");
          assert.ok(violation.resource, "names the resource at fault");
        }
      });
    });

    it("stack policies follow the engine's property dependencies when ids are unknown (preview)", async () => {
      const pending = { ...flowLog("ALL"), outputs: { trafficType: "ALL" } }; // vpcId not known yet
      assert.equal((await evaluate(policyNamed("ec2-vpc-flow-logs"), [vpc, pending])).length, 1, "no reference by value");
      assert.deepEqual(
        await evaluate(policyNamed("ec2-vpc-flow-logs"), [vpc, { ...pending, propertyDependencies: { vpcId: ["vpc"] } }]),
        [],
      );
    });
  });
});
