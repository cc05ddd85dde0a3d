import assert from "node:assert/strict";
import { DYNAMODB_ACTIONS, TABLE_KEYS, TTL_ATTRIBUTE } from "../app/src/store/tableDesign";
import { ELB_LOG_DELIVERY_SERVICE, TLS_POLICY } from "../infra/loadBalancer";
import { ALLOWED_TLS_POLICIES } from "../policy/elb";
import { CONTAINER_PORT, SHUTDOWN_TIMEOUT_MS } from "../app/src/contract";
import { STOP_TIMEOUT_SECONDS } from "../infra/service";
import { byMockId, mockIdOf, type OfflineResource, type OfflineStack, ofType, runOfflineStack } from "../scripts/offlineStack";
import { T } from "../scripts/resourceTypes";
import { containerDefinition, inventory, one } from "./support/stackQueries";
import { CERTIFICATE } from "./support/stackVariants";

/** The resource of `type` attached to `bucket` (its `bucket` input is the bucket's id). */
function companionOf(stack: OfflineStack, bucket: OfflineResource, type: string): OfflineResource {
  const matches = ofType(stack, type).filter((resource) => resource.inputs.bucket === mockIdOf(bucket));
  assert.equal(matches.length, 1, `${type} of ${bucket.name}`);
  return matches[0];
}

function bucketPolicyOf(stack: OfflineStack, bucket: OfflineResource) {
  return JSON.parse(companionOf(stack, bucket, T.bucketPolicy).inputs.policy);
}

describe("Pulumi program under mocks", function () {
  let dev: OfflineStack;
  let prod: OfflineStack;
  /** The seeds' shape: an internet-facing ALB and no CloudFront (test/edge.test.ts has the edge). */
  let noEdge: OfflineStack;

  before(async () => {
    dev = await runOfflineStack("dev");
    prod = await runOfflineStack("prod");
    noEdge = await runOfflineStack("dev", { edge: "none" });
  });

  describe("inventory", () => {
    it("dev has the public-egress layout and nothing for private egress", () => {
      const counts = inventory(dev);
      assert.equal(counts[T.vpc], 1);
      assert.equal(counts[T.subnet], 4);
      assert.equal(counts[T.route], 1, "only the public default route");
      assert.equal(counts[T.natGateway], undefined);
      assert.equal(counts[T.vpcEndpoint], undefined);
      assert.equal(counts[T.securityGroup], 3, "ALB, tasks and the export job");
      for (const type of [
        T.repository,
        T.lifecyclePolicy,
        T.image,
        T.table,
        T.cluster,
        T.service,
        T.loadBalancer,
        T.targetGroup,
        T.defaultSecurityGroup,
      ]) {
        assert.equal(counts[type], 1, type);
      }
      for (const type of [T.taskDefinition, T.logGroup]) {
        assert.equal(counts[type], 2, `${type}: the web service's and the export job's`);
      }
      assert.equal(counts[T.listener], 1, "HTTP only without a certificate");
      assert.equal(counts[T.role], 4, "execution and task roles; the export job's task role and its scheduler role");
      assert.equal(counts[T.scalingPolicy], 2, "CPU and requests");
      assert.equal(counts[T.flowLog], 1, "the VPC's flow log");
      for (const type of [
        T.bucket,
        T.bucketEncryption,
        T.bucketPublicAccessBlock,
        T.bucketOwnershipControls,
        T.bucketLifecycle,
        T.bucketPolicy,
      ]) {
        assert.equal(counts[type], 4, `${type}: flow logs, ALB and CloudFront access logs, exports`);
      }
    });

    it("prod adds VPC endpoints and an endpoint security group, still no NAT", () => {
      const counts = inventory(prod);
      assert.equal(counts[T.vpcEndpoint], 7, "SSM's for the app's secrets, Comprehend's for the export job");
      assert.equal(counts[T.securityGroup], 4);
      assert.equal(counts[T.natGateway], undefined);
      assert.equal(counts[T.eip], undefined);
    });

    it("the provider tags every resource with its app and stack (the destroy workflow and the review role rely on them)", () => {
      for (const stack of [dev, prod]) {
        const providers = ofType(stack, "pulumi:providers:aws");
        assert.equal(providers.length, 1);
        assert.deepEqual(JSON.parse(providers[0].inputs.defaultTags), { tags: { app: "boyacky", stack: stack.stack } });
      }
    });

    it("every resource is created inside a component, never loose at the top", () => {
      for (const resource of dev.resources) {
        if (resource.type.startsWith("aws:") || resource.type.startsWith("docker:")) {
          assert.match(resource.parent ?? "", /^boyacky:infra:/, `${resource.type} ${resource.name}`);
        }
      }
    });

    it("exports the outputs users need", () => {
      for (const output of ["url", "albDnsName", "clusterName", "serviceName", "repositoryUrl", "imageRef", "tableName", "logGroupName"]) {
        assert.ok(dev.outputs[output], output);
      }
      assert.match(dev.outputs.url, /^https:\/\/d\w+\.cloudfront\.net$/);
      assert.match(noEdge.outputs.url, /^http:\/\/.+\.elb\.amazonaws\.com$/);
    });
  });

  describe("network", () => {
    it("spans two AZs with a public and a private /24 in each", () => {
      const subnets = ofType(dev, T.subnet);
      assert.deepEqual(subnets.map((subnet) => subnet.inputs.cidrBlock).sort(), [
        "10.0.0.0/24",
        "10.0.1.0/24",
        "10.0.2.0/24",
        "10.0.3.0/24",
      ]);
      assert.equal(new Set(subnets.map((subnet) => subnet.inputs.availabilityZone)).size, 2);
      assert.ok(subnets.every((subnet) => subnet.inputs.mapPublicIpOnLaunch === false));
      assert.equal(one(dev, T.vpc).inputs.cidrBlock, "10.0.0.0/16");
    });

    it("takes over the default security group with no rules", () => {
      const defaultGroup = one(dev, T.defaultSecurityGroup);
      assert.equal(defaultGroup.inputs.ingress, undefined);
      assert.equal(defaultGroup.inputs.egress, undefined);
    });

    it("logs every flow (accepted and rejected) of the VPC to its own S3 bucket", () => {
      for (const stack of [dev, prod]) {
        const flowLog = one(stack, T.flowLog);
        assert.equal(flowLog.inputs.vpcId, mockIdOf(one(stack, T.vpc)));
        assert.equal(flowLog.inputs.trafficType, "ALL");
        assert.equal(flowLog.inputs.logDestinationType, "s3");
        assert.equal(flowLog.inputs.logDestination, one(stack, T.bucket, "-flow-logs").state.arn);
        assert.equal(flowLog.inputs.iamRoleArn, undefined, "S3 delivery needs no IAM role");
        assert.ok(
          flowLog.options.dependsOn.some((name) => name.endsWith("-flow-logs-policy")),
          "created after the bucket policy that lets it write",
        );
      }
    });

    it("the flow-log bucket admits only VPC Flow Logs of this account, under AWSLogs/<account>/", () => {
      const bucket = one(dev, T.bucket, "-flow-logs");
      const statements = bucketPolicyOf(dev, bucket).Statement;
      const write = statements.find((statement: any) => statement.Action === "s3:PutObject");
      assert.deepEqual(write.Principal, { Service: "delivery.logs.amazonaws.com" });
      assert.equal(write.Resource, `${bucket.state.arn}/AWSLogs/123456789012/*`);
      assert.equal(write.Condition.StringEquals["aws:SourceAccount"], "123456789012");
      assert.equal(write.Condition.ArnLike["aws:SourceArn"], "arn:aws:logs:ap-northeast-1:123456789012:*");
      const aclCheck = statements.find((statement: any) => statement.Action === "s3:GetBucketAcl");
      assert.equal(aclCheck.Resource, bucket.state.arn);
    });

    it("endpoints mode: gateway endpoints on the private route tables, interface endpoints behind 443 from the VPC", () => {
      const endpoints = ofType(prod, T.vpcEndpoint);
      const services = endpoints.map((endpoint) => endpoint.inputs.serviceName).sort();
      assert.deepEqual(
        services,
        ["comprehend", "dynamodb", "ecr.api", "ecr.dkr", "logs", "s3", "ssm"].map((service) => `com.amazonaws.ap-northeast-1.${service}`),
      );
      for (const endpoint of endpoints) {
        if (endpoint.inputs.vpcEndpointType === "Gateway") {
          assert.equal(endpoint.inputs.routeTableIds.length, 2);
        } else {
          assert.equal(endpoint.inputs.privateDnsEnabled, true);
          assert.equal(endpoint.inputs.subnetIds.length, 2);
        }
      }
      const rule = one(prod, T.ingress, "-endpoints-https");
      assert.deepEqual([rule.inputs.fromPort, rule.inputs.toPort, rule.inputs.cidrIpv4], [443, 443, "10.0.0.0/16"]);
    });

    for (const [layout, natCount] of [
      ["single", 1],
      ["perAz", 2],
    ] as const) {
      it(`nat mode (${layout}): ${natCount} NAT gateway(s) and a default route from each private route table`, async () => {
        const nat = await runOfflineStack("dev", { egressMode: "nat", natGateways: layout });
        assert.equal(ofType(nat, T.natGateway).length, natCount);
        assert.equal(ofType(nat, T.eip).length, natCount);
        assert.equal(ofType(nat, T.vpcEndpoint).length, 0);
        const privateRoutes = ofType(nat, T.route).filter((route) => route.inputs.natGatewayId);
        assert.equal(privateRoutes.length, 2);
        assert.equal(new Set(privateRoutes.map((route) => route.inputs.natGatewayId)).size, natCount);
        assert.equal(one(nat, T.service).inputs.networkConfiguration.assignPublicIp, false);
      });
    }

    it("NAT gateways exist only in nat mode", () => {
      assert.equal(ofType(dev, T.natGateway).length + ofType(prod, T.natGateway).length, 0);
    });
  });

  describe("log buckets", () => {
    it("each is encrypted (SSE-S3), fully private, ACL-free, expiring (logs after 30 days, exports after 90), and TLS-only", () => {
      for (const stack of [dev, prod]) {
        for (const bucket of ofType(stack, T.bucket)) {
          const companion = (type: string) => companionOf(stack, bucket, type).inputs;
          assert.equal(companion(T.bucketEncryption).rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256", bucket.name);
          const block = companion(T.bucketPublicAccessBlock);
          assert.ok(block.blockPublicAcls && block.blockPublicPolicy && block.ignorePublicAcls && block.restrictPublicBuckets, bucket.name);
          assert.equal(companion(T.bucketOwnershipControls).rule.objectOwnership, "BucketOwnerEnforced");
          const [rule] = companion(T.bucketLifecycle).rules;
          assert.equal(rule.status, "Enabled");
          assert.equal(rule.expiration.days, bucket.name.endsWith("-exports") ? 90 : 30, bucket.name);
          const deny = bucketPolicyOf(stack, bucket).Statement.find((statement: any) => statement.Effect === "Deny");
          assert.deepEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
          assert.equal(deny.Action, "s3:*");
          assert.deepEqual(deny.Resource, [bucket.state.arn, `${bucket.state.arn}/*`]);
        }
      }
    });

    it("dev's empty themselves on destroy; prod's are kept with every setting that locks them down (protectData)", () => {
      assert.ok(ofType(dev, T.bucket).every((bucket) => bucket.inputs.forceDestroy === true && !bucket.options.retainOnDelete));
      const prodBuckets = ofType(prod, T.bucket);
      assert.equal(prodBuckets.length, 4);
      for (const bucket of prodBuckets) {
        assert.equal(bucket.inputs.forceDestroy, false);
        assert.equal(bucket.options.retainOnDelete, true, bucket.name);
        // Deleting the public access block or the TLS-only policy of a kept bucket would loosen it.
        for (const type of [T.bucketEncryption, T.bucketPublicAccessBlock, T.bucketOwnershipControls, T.bucketLifecycle, T.bucketPolicy]) {
          assert.equal(companionOf(prod, bucket, type).options.retainOnDelete, true, `${type} of ${bucket.name}`);
        }
      }
    });

    it("prod's destroy keeps exactly the data: the table and the log buckets with their settings", () => {
      const kept = prod.resources.filter((resource) => resource.options.retainOnDelete).map((resource) => resource.type);
      assert.deepEqual(
        [...new Set(kept)].sort(),
        [
          T.table,
          T.bucket,
          T.bucketLifecycle,
          T.bucketOwnershipControls,
          T.bucketPolicy,
          T.bucketPublicAccessBlock,
          T.bucketEncryption,
        ].sort(),
      );
      assert.equal(dev.resources.filter((resource) => resource.options.retainOnDelete).length, 0, "dev leaves nothing behind");
    });
  });

  describe("security groups", () => {
    function groupOf(stack: OfflineStack, suffix: string) {
      return mockIdOf(one(stack, T.securityGroup, suffix));
    }

    it("without the edge, the ALB admits 80 from anywhere over IPv4 and IPv6, and only sends to the container port", () => {
      const alb = groupOf(noEdge, "-alb");
      const rules = ofType(noEdge, T.ingress).filter((rule) => rule.inputs.securityGroupId === alb);
      assert.deepEqual(rules.map((rule) => [rule.inputs.fromPort, rule.inputs.cidrIpv4 ?? rule.inputs.cidrIpv6]).sort(), [
        [80, "0.0.0.0/0"],
        [80, "::/0"],
      ]);
      const egress = ofType(noEdge, T.egress).filter((rule) => rule.inputs.securityGroupId === alb);
      assert.deepEqual(
        egress.map((rule) => [rule.inputs.fromPort, rule.inputs.toPort, rule.inputs.cidrIpv4]),
        [[CONTAINER_PORT, CONTAINER_PORT, "10.0.0.0/16"]],
      );
    });

    it("tasks admit only the container port, only from the ALB's group", () => {
      for (const stack of [dev, prod]) {
        const tasks = groupOf(stack, "-tasks");
        const rules = ofType(stack, T.ingress).filter((rule) => rule.inputs.securityGroupId === tasks);
        assert.equal(rules.length, 1);
        assert.equal(rules[0].inputs.fromPort, CONTAINER_PORT);
        assert.equal(rules[0].inputs.toPort, CONTAINER_PORT);
        assert.equal(rules[0].inputs.referencedSecurityGroupId, groupOf(stack, "-alb"));
        assert.equal(rules[0].inputs.cidrIpv4, undefined);
      }
    });

    it("no world-open ingress anywhere but the ALB's 80/443", () => {
      for (const stack of [dev, prod]) {
        const alb = groupOf(stack, "-alb");
        for (const rule of ofType(stack, T.ingress)) {
          const worldOpen = rule.inputs.cidrIpv4 === "0.0.0.0/0" || rule.inputs.cidrIpv6 === "::/0";
          if (worldOpen) {
            assert.equal(rule.inputs.securityGroupId, alb, rule.name);
            assert.ok([80, 443].includes(rule.inputs.fromPort) && rule.inputs.fromPort === rule.inputs.toPort, rule.name);
          }
        }
        for (const group of ofType(stack, T.securityGroup)) assert.equal(group.inputs.ingress, undefined, "rules are separate resources");
      }
    });
  });

  describe("registry and image", () => {
    it("ECR: scan on push, immutable tags, lifecycle keeping the last N images", () => {
      const repository = one(dev, T.repository);
      assert.equal(repository.inputs.imageTagMutability, "IMMUTABLE");
      assert.equal(repository.inputs.imageScanningConfiguration.scanOnPush, true);
      const rules = JSON.parse(one(dev, T.lifecyclePolicy).inputs.policy).rules;
      assert.equal(rules[0].selection.countType, "imageCountMoreThan");
      assert.equal(rules[0].selection.countNumber, 10);
      assert.equal(JSON.parse(one(prod, T.lifecyclePolicy).inputs.policy).rules[0].selection.countNumber, 20);
    });

    it("the repository goes with its images on destroy in every stack: images are rebuilt from git", () => {
      for (const stack of [dev, prod]) assert.equal(one(stack, T.repository).inputs.forceDelete, true, stack.stack);
    });

    it("builds ./app for linux/amd64, tagged by the build context's hash, pushed with the ECR token", () => {
      const image = one(dev, T.image);
      assert.equal(image.inputs.build.platform, "linux/amd64");
      assert.equal(image.inputs.build.context, "./app");
      assert.equal(image.inputs.build.dockerfile, "./app/Dockerfile");
      assert.match(
        image.inputs.imageName,
        new RegExp(`^${dev.outputs.repositoryUrl}:[0-9a-f]{16}$`),
        "tagged by the build's content hash (test/imageTag.test.ts)",
      );
      assert.equal(image.inputs.registry.server, dev.outputs.repositoryUrl);
      assert.equal(image.inputs.registry.username, "AWS");
      assert.equal(image.inputs.registry.password, "mock-ecr-token");
    });

    it("the task definition runs the image by digest", () => {
      const container = containerDefinition(dev);
      assert.match(container.image, /^\d{12}\.dkr\.ecr\.ap-northeast-1\.amazonaws\.com\/[\w-]+@sha256:[0-9a-f]{64}$/);
      assert.equal(container.image, dev.outputs.imageRef);
    });
  });

  describe("data", () => {
    it("the table has the app's key design, on-demand, with TTL", () => {
      const table = one(dev, T.table);
      assert.equal(table.inputs.billingMode, "PAY_PER_REQUEST");
      assert.equal(table.inputs.hashKey, TABLE_KEYS.partitionKey);
      assert.equal(table.inputs.rangeKey, TABLE_KEYS.sortKey);
      assert.deepEqual(table.inputs.ttl, { attributeName: TTL_ATTRIBUTE, enabled: true });
    });

    it("PITR in every stack (it costs per GB of table)", () => {
      for (const stack of [dev, prod]) assert.deepEqual(one(stack, T.table).inputs.pointInTimeRecovery, { enabled: true });
    });

    it("prod: deletion protection and retainOnDelete; dev: destroyable", () => {
      const prodTable = one(prod, T.table);
      assert.equal(prodTable.inputs.deletionProtectionEnabled, true);
      assert.equal(prodTable.options.retainOnDelete, true);
      const devTable = one(dev, T.table);
      assert.equal(devTable.inputs.deletionProtectionEnabled, false);
      assert.equal(devTable.options.retainOnDelete, false);
      assert.equal(one(prod, T.loadBalancer).inputs.enableDeletionProtection, true);
      assert.equal(one(dev, T.loadBalancer).inputs.enableDeletionProtection, false);
    });
  });

  describe("task definition", () => {
    it("Fargate, awsvpc, LINUX/X86_64, 256/512 by default", () => {
      const task = one(dev, T.taskDefinition, "-task");
      assert.deepEqual(task.inputs.requiresCompatibilities, ["FARGATE"]);
      assert.equal(task.inputs.networkMode, "awsvpc");
      assert.deepEqual(task.inputs.runtimePlatform, { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" });
      assert.equal(task.inputs.cpu, "256");
      assert.equal(task.inputs.memory, "512");
    });

    it("container: port 8080, non-root, read-only root filesystem, not privileged, awslogs", () => {
      const container = containerDefinition(dev);
      assert.deepEqual(container.portMappings, [{ containerPort: 8080, protocol: "tcp" }]);
      assert.match(container.user, /^[1-9]\d*(:[1-9]\d*)?$/);
      assert.equal(container.readonlyRootFilesystem, true);
      assert.equal(container.privileged, false);
      assert.equal(container.logConfiguration.logDriver, "awslogs");
      assert.equal(container.logConfiguration.options["awslogs-group"], dev.outputs.logGroupName);
      assert.equal(container.logConfiguration.options["awslogs-region"], "ap-northeast-1");
    });

    it("environment wires the app to the table, region and time zone", () => {
      const environment = Object.fromEntries(
        containerDefinition(dev).environment.map((entry: { name: string; value: string }) => [entry.name, entry.value]),
      );
      assert.equal(environment.BOYACKY_TABLE, dev.outputs.tableName);
      assert.equal(environment.AWS_REGION, "ap-northeast-1");
      assert.equal(environment.BOYACKY_TIME_ZONE, "Asia/Tokyo");
      assert.equal(environment.PORT, "8080");
      assert.equal(environment.BOYACKY_TRUST_PROXY, undefined, "trusting every hop let a client pick its IP");
      assert.equal(environment.BOYACKY_TRUSTED_PROXIES.split(",")[0], "10.0.0.0/16", "the VPC, where the ALB's nodes are");
      const noEdgeEnvironment = Object.fromEntries(
        containerDefinition(noEdge).environment.map((entry: { name: string; value: string }) => [entry.name, entry.value]),
      );
      assert.equal(noEdgeEnvironment.BOYACKY_TRUSTED_PROXIES, "10.0.0.0/16", "without the edge, only the ALB's nodes are proxies");
      assert.ok(!Object.keys(environment).some((key) => /SECRET|ACCESS_KEY|PASSWORD/.test(key)), "no credentials in the environment");
    });

    it("the cookie secret every task shares comes from an SSM SecureString, through secrets, readable by the execution role only", () => {
      const parameter = one(dev, T.parameter);
      assert.deepEqual([parameter.inputs.type, parameter.inputs.name], ["SecureString", "/boyacky/boyacky-dev/cookie-secret"]);
      assert.ok(String(parameter.inputs.value).length >= 32, "at least the app's 32 characters");
      assert.deepEqual(parameter.options.ignoreChanges, ["value"], "generated once: a new secret would break every open form");
      assert.deepEqual(containerDefinition(dev).secrets, [{ name: "BOYACKY_COOKIE_SECRET", valueFrom: parameter.state.arn }]);
      const policy = JSON.parse(one(dev, T.rolePolicy, "-execution-secrets").inputs.policy);
      assert.deepEqual(policy.Statement, [
        { Sid: "ReadTheAppSecrets", Effect: "Allow", Action: ["ssm:GetParameters"], Resource: [parameter.state.arn] },
      ]);
      assert.ok(
        !JSON.stringify(
          ofType(dev, T.rolePolicy)
            .filter((rolePolicy) => !rolePolicy.name.endsWith("-execution-secrets"))
            .map((rolePolicy) => rolePolicy.inputs.policy),
        ).includes("ssm:GetParameters"),
        "no other role reads it",
      );
    });

    it("stop timeout and draining are consistent with the app's shutdown timeout", () => {
      const container = containerDefinition(dev);
      const environment = Object.fromEntries(
        container.environment.map((entry: { name: string; value: string }) => [entry.name, entry.value]),
      );
      const appShutdownSeconds = Number(environment.BOYACKY_SHUTDOWN_TIMEOUT_MS) / 1000;
      assert.equal(appShutdownSeconds, SHUTDOWN_TIMEOUT_MS / 1000);
      assert.equal(container.stopTimeout, STOP_TIMEOUT_SECONDS);
      // ECS must not SIGKILL the app while it is still finishing in-flight requests.
      assert.ok(container.stopTimeout > appShutdownSeconds && container.stopTimeout <= 120);
      const deregistrationDelay = one(dev, T.targetGroup).inputs.deregistrationDelay;
      // The ALB drains before ECS sends SIGTERM: a request still open after draining gets the app's full timeout.
      assert.ok(deregistrationDelay > 0 && deregistrationDelay <= 30);
    });
  });

  describe("IAM", () => {
    it("task role: exactly the DynamoDB actions the app calls, on the table ARN only", () => {
      const policy = JSON.parse(one(dev, T.rolePolicy, "-task-dynamodb").inputs.policy);
      assert.equal(policy.Statement.length, 1);
      assert.deepEqual(policy.Statement[0].Action, [...DYNAMODB_ACTIONS]);
      assert.equal(policy.Statement[0].Resource, one(dev, T.table).state.arn);
    });

    it("no inline policy grants a `*` or `service:*` action, or a `*` resource but to Comprehend's resourceless action", () => {
      for (const stack of [dev, prod]) {
        for (const rolePolicy of ofType(stack, T.rolePolicy)) {
          for (const statement of JSON.parse(rolePolicy.inputs.policy).Statement) {
            for (const action of [].concat(statement.Action)) assert.doesNotMatch(action, /(^|:)\*$/, rolePolicy.name);
            if ([].concat(statement.Resource).includes("*" as never))
              assert.deepEqual(statement.Action, ["comprehend:BatchDetectSentiment"], rolePolicy.name);
          }
        }
      }
    });

    it("roles trust ECS tasks (or, for the export's schedule, EventBridge Scheduler) of this account only; execution role uses the managed policy", () => {
      for (const role of ofType(dev, T.role)) {
        const statement = JSON.parse(role.inputs.assumeRolePolicy).Statement[0];
        assert.equal(
          statement.Principal.Service,
          role.name.endsWith("-export-scheduler") ? "scheduler.amazonaws.com" : "ecs-tasks.amazonaws.com",
          role.name,
        );
        assert.equal(statement.Condition.StringEquals["aws:SourceAccount"], "123456789012");
      }
      assert.equal(
        one(dev, T.rolePolicyAttachment).inputs.policyArn,
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
      );
    });
  });

  describe("load balancer", () => {
    it("without the edge: internet-facing ALB in the public subnets, dropping invalid headers", () => {
      const alb = one(noEdge, T.loadBalancer);
      assert.equal(alb.inputs.internal, false);
      assert.equal(alb.inputs.loadBalancerType, "application");
      assert.equal(alb.inputs.dropInvalidHeaderFields, true);
      const publicSubnets = ofType(noEdge, T.subnet)
        .filter((subnet) => subnet.inputs.tags.tier === "public")
        .map(mockIdOf);
      assert.deepEqual([...alb.inputs.subnets].sort(), publicSubnets.sort());
    });

    it("delivers access logs to its bucket, which admits only ELB log delivery under AWSLogs/<account>/", () => {
      for (const stack of [dev, prod]) {
        const alb = one(stack, T.loadBalancer);
        const bucket = one(stack, T.bucket, "-alb-logs");
        assert.deepEqual(alb.inputs.accessLogs, { bucket: mockIdOf(bucket), enabled: true });
        assert.ok(
          alb.options.dependsOn.some((name) => name.endsWith("-alb-logs-policy")),
          "AWS checks it can write when access logs are turned on",
        );
        const [allow] = bucketPolicyOf(stack, bucket).Statement.filter((statement: any) => statement.Effect === "Allow");
        assert.deepEqual(allow.Principal, { Service: ELB_LOG_DELIVERY_SERVICE });
        assert.equal(allow.Action, "s3:PutObject");
        assert.equal(allow.Resource, `${bucket.state.arn}/AWSLogs/123456789012/*`);
      }
    });

    it("target group: type ip, HTTP 8080, /healthz, tuned for fast rollouts", () => {
      const targetGroup = one(dev, T.targetGroup);
      assert.equal(targetGroup.inputs.targetType, "ip");
      assert.equal(targetGroup.inputs.protocol, "HTTP");
      assert.equal(targetGroup.inputs.port, 8080);
      assert.equal(targetGroup.inputs.healthCheck.path, "/healthz");
      assert.ok(targetGroup.inputs.deregistrationDelay <= 30);
      assert.equal(targetGroup.inputs.healthCheck.interval, 10);
      assert.equal(targetGroup.inputs.healthCheck.healthyThreshold, 2);
    });

    it("auto-named within AWS's 32-character limit (no fixed names, so replacement works)", () => {
      for (const stack of [dev, prod]) {
        for (const resource of [one(stack, T.loadBalancer), ...ofType(stack, T.targetGroup)]) {
          assert.equal(
            resource.inputs.name,
            undefined,
            "names are generated, so a replacement can be created before the old one is deleted",
          );
          assert.ok(resource.state.name.length <= 32, `${resource.state.name} is over 32 characters`);
        }
      }
    });

    it("without a certificate: port 80 forwards to the target group", () => {
      const listener = one(noEdge, T.listener);
      assert.equal(listener.inputs.port, 80);
      assert.equal(listener.inputs.defaultActions[0].type, "forward");
    });

    it("with a certificate: 80 redirects (301) to 443, which uses a TLS 1.3 policy", async () => {
      const https = await runOfflineStack("dev", { edge: "none", certificateArn: CERTIFICATE });
      const listeners = ofType(https, T.listener);
      const http = listeners.find((listener) => listener.inputs.port === 80);
      const tls = listeners.find((listener) => listener.inputs.port === 443);
      assert.deepEqual(http?.inputs.defaultActions[0].redirect, { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" });
      assert.equal(tls?.inputs.protocol, "HTTPS");
      assert.equal(tls?.inputs.sslPolicy, TLS_POLICY);
      assert.ok((ALLOWED_TLS_POLICIES as readonly string[]).includes(tls?.inputs.sslPolicy), "one the policy pack accepts (ELB.17)");
      assert.equal(tls?.inputs.certificateArn, CERTIFICATE);
      assert.equal(tls?.inputs.defaultActions[0].type, "forward");
      const albGroup = mockIdOf(one(https, T.securityGroup, "-alb"));
      const ports = ofType(https, T.ingress)
        .filter((rule) => rule.inputs.securityGroupId === albGroup)
        .map((rule) => rule.inputs.fromPort);
      assert.deepEqual(ports.sort(), [443, 443, 80, 80]);
      assert.match(https.outputs.url, /^https:\/\//);
    });
  });

  describe("service", () => {
    it("rolling 100/200 with a circuit breaker that rolls back, ECS Exec off, waits for steady state", () => {
      const service = one(dev, T.service);
      assert.equal(service.inputs.deploymentMinimumHealthyPercent, 100);
      assert.equal(service.inputs.deploymentMaximumPercent, 200);
      assert.deepEqual(service.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
      assert.equal(service.inputs.enableExecuteCommand, false);
      assert.ok(service.inputs.healthCheckGracePeriodSeconds > 0);
      assert.equal(service.inputs.loadBalancers[0].containerPort, 8080);
      assert.ok(
        service.options.dependsOn.some((name) => name.endsWith("-http")),
        "starts after its listener exists",
      );
    });

    it("public IP only in public mode; tasks in public subnets in dev and private subnets in prod", () => {
      const devService = one(dev, T.service).inputs.networkConfiguration;
      const prodService = one(prod, T.service).inputs.networkConfiguration;
      assert.equal(devService.assignPublicIp, true);
      assert.equal(prodService.assignPublicIp, false);
      const tierOf = (stack: OfflineStack, id: string) => byMockId(stack, T.subnet, id)?.inputs.tags.tier;
      assert.deepEqual(
        devService.subnets.map((id: string) => tierOf(dev, id)),
        ["public", "public"],
      );
      assert.deepEqual(
        prodService.subnets.map((id: string) => tierOf(prod, id)),
        ["private", "private"],
      );
    });

    it("desired count and autoscaling bounds per stack, scaling on CPU and on requests per target", () => {
      assert.equal(one(dev, T.service).inputs.desiredCount, 1);
      assert.equal(one(prod, T.service).inputs.desiredCount, 2);
      const prodScaling = one(prod, T.scalingTarget).inputs;
      assert.deepEqual([prodScaling.minCapacity, prodScaling.maxCapacity], [2, 4]);
      const tracking = (stack: OfflineStack, suffix: string) =>
        one(stack, T.scalingPolicy, suffix).inputs.targetTrackingScalingPolicyConfiguration;
      for (const stack of [dev, prod])
        assert.equal(tracking(stack, "-cpu").predefinedMetricSpecification.predefinedMetricType, "ECSServiceAverageCPUUtilization");
      // dev rolls in place: one target group, AWS's predefined metric.
      const devRequests = tracking(dev, "-requests").predefinedMetricSpecification;
      assert.equal(devRequests.predefinedMetricType, "ALBRequestCountPerTarget");
      assert.match(devRequests.resourceLabel, /^app\/[\w-]+\/[0-9a-f]+\/targetgroup\/[\w-]+\/[0-9a-f]+$/);
      // prod's canary swaps the production target group at every deployment: the policy counts both.
      const prodRequests = tracking(prod, "-requests");
      assert.equal(prodRequests.predefinedMetricSpecification, undefined);
      const metrics = prodRequests.customizedMetricSpecification.metrics;
      const targetGroups = ofType(prod, T.targetGroup).map((group) => group.state.arnSuffix);
      assert.equal(targetGroups.length, 2);
      assert.deepEqual(
        metrics
          .filter((metric: any) => metric.metricStat)
          .map((metric: any) => metric.metricStat.metric.dimensions[0].value)
          .sort(),
        [...targetGroups].sort(),
      );
      assert.deepEqual(
        metrics.filter((metric: any) => metric.returnData !== false).map((metric: any) => metric.expression),
        ["FILL(tg0, 0) + FILL(tg1, 0)"],
      );
    });

    it("cluster has Container Insights; logs have the configured retention", () => {
      assert.deepEqual(one(dev, T.cluster).inputs.settings, [{ name: "containerInsights", value: "enabled" }]);
      for (const [stack, days] of [
        [dev, 14],
        [prod, 90],
      ] as const) {
        for (const logGroup of ofType(stack, T.logGroup)) assert.equal(logGroup.inputs.retentionInDays, days, logGroup.name);
      }
    });

    it("on-demand Fargate by default; spot puts every task beyond the on-demand base on FARGATE_SPOT", async () => {
      const spot = await runOfflineStack("prod", { spot: "true", onDemandBase: "1" });
      for (const stack of [dev, prod, spot]) {
        const service = one(stack, T.service);
        // Always a strategy, never launchType: toggling spot is then an update, not a replacement,
        // and ECS accepts a strategy change only with a new deployment.
        assert.equal(service.inputs.launchType, undefined, stack.stack);
        assert.equal(service.inputs.forceNewDeployment, true, stack.stack);
        assert.ok(
          service.options.dependsOn.includes(one(stack, T.capacityProviders).name),
          "the cluster has the providers before the service names them",
        );
      }
      assert.deepEqual(one(dev, T.service).inputs.capacityProviderStrategies, [{ capacityProvider: "FARGATE", weight: 1 }]);
      assert.deepEqual(one(spot, T.service).inputs.capacityProviderStrategies, [
        { capacityProvider: "FARGATE", base: 1, weight: 0 },
        { capacityProvider: "FARGATE_SPOT", weight: 1 },
      ]);
    });

    it("ECS Exec, when enabled, gets its own policy and a writable root filesystem", async () => {
      const exec = await runOfflineStack("dev", { enableExecuteCommand: "true" });
      assert.equal(one(exec, T.service).inputs.enableExecuteCommand, true);
      assert.equal(containerDefinition(exec).readonlyRootFilesystem, false);
      assert.ok(one(exec, T.rolePolicy, "-task-exec"));
    });

    it("ECS Exec with private egress through endpoints gets the ssmmessages endpoint its agent needs", async () => {
      const exec = await runOfflineStack("prod", { enableExecuteCommand: "true" });
      const services = (stack: OfflineStack) => ofType(stack, T.vpcEndpoint).map((endpoint) => endpoint.inputs.serviceName);
      assert.ok(services(exec).includes("com.amazonaws.ap-northeast-1.ssmmessages"), services(exec).join(", "));
      assert.ok(!services(prod).includes("com.amazonaws.ap-northeast-1.ssmmessages"), "only when Exec is on");
    });
  });
});
