import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONTAINER_PORT, HEALTH_PATH } from "../app/src/contract";
import { PrivateBucket } from "./privateBucket";

/** Health check and draining tuned for fast rollouts (AWS defaults: 30 s interval, 5 checks, 300 s). */
export const TARGET_HEALTH = {
  path: HEALTH_PATH,
  intervalSeconds: 10,
  timeoutSeconds: 5,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
  /** The app answers in milliseconds and finishes in-flight requests on SIGTERM: 15 s is plenty. */
  deregistrationDelaySeconds: 15,
} as const;

/**
 * During a canary, linear or blue-green deployment, requests with this header set to 1 reach the
 * new revision (ECS's test listener rule), so it can be tried before it gets production traffic.
 */
export const TEST_TRAFFIC_HEADER = "x-boyacky-test-traffic";

/** The service that delivers ALB access logs to S3 (AWS's recommended bucket policy principal). */
export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/** TLS 1.3 and 1.2 only (FSBP ELB.17 accepts it); no TLS 1.0/1.1. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * The AWS-managed prefix list of CloudFront's origin-facing addresses: how an origin's security
 * group admits CloudFront, VPC origins included (CloudFront Developer Guide, "Restrict access
 * with VPC origins", option 1; usable before the VPC origin exists). A rule that references it
 * counts as the list's maximum entries against the group's rule quota: keep it to one rule.
 */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing";

/**
 * Who reaches the ALB:
 * - `internet`: internet-facing in public subnets, 80 (and 443 with a certificate) from anywhere.
 * - `cloudfront`: internal in private subnets, only CloudFront's origin-facing addresses on the
 *   one listener port (443 with a certificate, else 80); HTTPS for viewers is at the edge.
 */
export type LoadBalancerExposure = "internet" | "cloudfront";

export interface LoadBalancerArgs {
  vpcId: pulumi.Input<string>;
  /** VPC range: the ALB may only send traffic into it, to the container port. */
  vpcCidr: string;
  /** One subnet per AZ: public ones for `internet`, private ones for `cloudfront` (VPC origins need private subnets). */
  subnetIds: pulumi.Input<string>[];
  /** Who reaches the ALB; see LoadBalancerExposure. Default `internet`. */
  exposure?: LoadBalancerExposure;

  /**
   * ACM certificate for HTTPS on 443 (with `internet`, port 80 then redirects to it; with
   * `cloudfront`, the origin's own certificate and 443 is the only listener). Default none.
   */
  certificateArn?: pulumi.Input<string>;
  /** Two target groups and the listener rules ECS shifts traffic with (canary, linear, blue-green). Default false: rolling. */
  trafficShifting?: boolean;
  /** A Route 53 alias record to create for the ALB: the viewers' name, or the origin's behind CloudFront. Default none. */
  dnsRecord?: { name: string; zoneId: pulumi.Input<string> };
  /**
   * Production protections: ALB deletion protection (the destroy workflow lifts it after its
   * confirmation and approval), and the access-log bucket is kept on `pulumi destroy`. False:
   * everything is removed, logs included.
   */
  protectData: boolean;
  /** Days the ALB's access logs are kept. Default PrivateBucket's (30). */
  accessLogExpireDays?: number;
  /**
   * What the internet-facing ALB must wait for: the VPC's internet gateway, as CreateLoadBalancer
   * refuses an internet-facing load balancer in a VPC without one. Default none.
   */
  dependsOn?: pulumi.Resource[];
}

/**
 * The Application Load Balancer, internet-facing or internal behind CloudFront: its security
 * group, a target group of type ip for Fargate tasks, the listeners, the S3 bucket its access
 * logs are delivered to, and its DNS record when it has a name of its own.
 */
export class LoadBalancer extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;
  readonly targetGroupArn: pulumi.Output<string>;
  readonly dnsName: pulumi.Output<string>;
  /** The ALB's ARN: the destroy workflow lifts its deletion protection by it. */
  readonly arn: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  /**
   * Where the proxies in front of the tasks are, for the app's BOYACKY_TRUSTED_PROXIES: the VPC
   * (the ALB's nodes, CloudFront's VPC-origin interfaces) and, behind CloudFront, CloudFront's
   * origin-facing ranges, whichever address the ALB sees CloudFront from.
   */
  readonly proxyCidrs: pulumi.Output<string[]>;
  /** The listeners: the service must not start before its target group is attached to one. */
  readonly listeners: aws.lb.Listener[];
  /** With trafficShifting: the listener rules ECS moves traffic with; the service waits for them too. */
  readonly listenerRules: aws.lb.ListenerRule[];
  /** `app/<name>/<id>`: the ALB's CloudWatch dimension. */
  readonly arnSuffix: pulumi.Output<string>;
  /** The CloudWatch dimension of each target group tasks register in. */
  readonly targetGroupArnSuffixes: pulumi.Output<string>[];
  /** With trafficShifting: what the service's load balancer advanced configuration names. */
  readonly trafficShifting?: {
    alternateTargetGroupArn: pulumi.Output<string>;
    productionListenerRuleArn: pulumi.Output<string>;
    testListenerRuleArn: pulumi.Output<string>;
  };

  constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boyacky:infra:LoadBalancer", name, {}, opts);
    const containerPort = CONTAINER_PORT;
    const https = args.certificateArn !== undefined;
    const behindCloudFront = (args.exposure ?? "internet") === "cloudfront";
    const parent = { parent: this };

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-alb`,
      {
        vpcId: args.vpcId,
        // EC2 allows only a-z A-Z 0-9, spaces and ._-:/()#,@[]+=&;{}!$* in descriptions (no apostrophe):
        // test/support/awsValueRules.ts holds the rule and its source.
        description: behindCloudFront
          ? "ALB: CloudFront origin-facing addresses only; to the task port only"
          : "ALB: HTTP(S) from anywhere; to the task port only",
        tags: { Name: `${name}-alb` },
      },
      parent,
    );
    const cloudFront = behindCloudFront
      ? aws.ec2.getManagedPrefixListOutput({ name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST }, parent)
      : undefined;
    this.proxyCidrs = cloudFront
      ? cloudFront.entries.apply((entries) => [args.vpcCidr, ...entries.map((entry) => entry.cidr)])
      : pulumi.output([args.vpcCidr]);
    if (cloudFront) {
      const port = https ? 443 : 80;
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-alb-${port}-cloudfront`,
        {
          securityGroupId: securityGroup.id,
          description: `port ${port} from CloudFront origin-facing addresses`,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          prefixListId: cloudFront.id,
        },
        parent,
      );
    } else {
      for (const port of https ? [80, 443] : [80]) {
        for (const [family, cidr] of [
          ["ipv4", "0.0.0.0/0"],
          ["ipv6", "::/0"],
        ] as const) {
          new aws.vpc.SecurityGroupIngressRule(
            `${name}-alb-${port}-${family}`,
            {
              securityGroupId: securityGroup.id,
              description: `port ${port} from anywhere (${family})`,
              ipProtocol: "tcp",
              fromPort: port,
              toPort: port,
              ...(family === "ipv4" ? { cidrIpv4: cidr } : { cidrIpv6: cidr }),
            },
            parent,
          );
        }
      }
    }
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-alb-to-tasks`,
      {
        securityGroupId: securityGroup.id,
        description: "to the container port of the tasks inside the VPC",
        ipProtocol: "tcp",
        fromPort: containerPort,
        toPort: containerPort,
        cidrIpv4: args.vpcCidr,
      },
      parent,
    );

    // AWS's bucket policy for ALB access logs: the log delivery service principal, which is the
    // recommended form (the per-Region ELB account ids are the legacy one, and unknown to Regions
    // opened since August 2022), writing only under this account's AWSLogs/ prefix.
    const accessLogs = new PrivateBucket(
      `${name}-alb-logs`,
      {
        delivery: ({ arn, accountId }) => [
          {
            Sid: "AlbAccessLogDelivery",
            Effect: "Allow",
            Principal: { Service: ELB_LOG_DELIVERY_SERVICE },
            Action: "s3:PutObject",
            Resource: `${arn}/AWSLogs/${accountId}/*`,
          },
        ],
        expireDays: args.accessLogExpireDays,
        protectData: args.protectData,
      },
      parent,
    );

    const alb = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        loadBalancerType: "application",
        internal: behindCloudFront,
        securityGroups: [securityGroup.id],
        subnets: args.subnetIds,
        dropInvalidHeaderFields: true,
        desyncMitigationMode: "strictest",
        enableDeletionProtection: args.protectData,
        accessLogs: { bucket: accessLogs.bucketName, enabled: true },
      },
      {
        parent: this,
        // AWS refuses access logs it cannot write yet, and an internet-facing ALB in a VPC without an
        // internet gateway ("VPC ... has no internet gateway").
        dependsOn: [accessLogs.policy, ...(args.dependsOn ?? [])],
      },
    );

    const targetGroupOf = (groupName: string) =>
      new aws.lb.TargetGroup(
        groupName,
        {
          vpcId: args.vpcId,
          targetType: "ip", // Fargate tasks (awsvpc) register by IP address
          protocol: "HTTP",
          port: containerPort,
          deregistrationDelay: TARGET_HEALTH.deregistrationDelaySeconds,
          healthCheck: {
            path: TARGET_HEALTH.path,
            protocol: "HTTP",
            matcher: "200",
            interval: TARGET_HEALTH.intervalSeconds,
            timeout: TARGET_HEALTH.timeoutSeconds,
            healthyThreshold: TARGET_HEALTH.healthyThreshold,
            unhealthyThreshold: TARGET_HEALTH.unhealthyThreshold,
          },
        },
        parent,
      );
    const targetGroup = targetGroupOf(`${name}-tg`);

    const forward = [{ type: "forward", targetGroupArn: targetGroup.arn }];
    this.listeners = [];
    // Behind CloudFront the origin has one listener: HTTPS with its own certificate, or HTTP.
    if (!(behindCloudFront && https)) {
      this.listeners.push(
        new aws.lb.Listener(
          `${name}-http`,
          {
            loadBalancerArn: alb.arn,
            port: 80,
            protocol: "HTTP",
            defaultActions: https ? [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }] : forward,
          },
          parent,
        ),
      );
    }
    if (https) {
      this.listeners.push(
        new aws.lb.Listener(
          `${name}-https`,
          {
            loadBalancerArn: alb.arn,
            port: 443,
            protocol: "HTTPS",
            sslPolicy: TLS_POLICY,
            certificateArn: args.certificateArn,
            defaultActions: forward,
          },
          parent,
        ),
      );
    }

    // ECS moves traffic itself (canary, linear, blue-green): two target groups, and listener rules
    // whose forward weights ECS rewrites (ECS Developer Guide, "Application Load Balancer resources
    // for blue/green, linear, and canary deployments"). Pulumi leaves those weights to ECS.
    if (args.trafficShifting) {
      const alternate = targetGroupOf(`${name}-tg-alt`);
      const serving = this.listeners[this.listeners.length - 1]; // the listener that forwards (HTTPS when there is one)
      const weighted = [
        {
          type: "forward",
          forward: {
            targetGroups: [
              { arn: targetGroup.arn, weight: 100 },
              { arn: alternate.arn, weight: 0 },
            ],
          },
        },
      ];
      const ecsOwnsWeights = { parent: this, ignoreChanges: ["actions"] };
      const test = new aws.lb.ListenerRule(
        `${name}-test-traffic`,
        {
          listenerArn: serving.arn,
          priority: 1,
          conditions: [{ httpHeader: { httpHeaderName: TEST_TRAFFIC_HEADER, values: ["1"] } }],
          actions: weighted,
        },
        ecsOwnsWeights,
      );
      const production = new aws.lb.ListenerRule(
        `${name}-production-traffic`,
        {
          listenerArn: serving.arn,
          priority: 10,
          conditions: [{ pathPattern: { values: ["/*"] } }],
          actions: weighted,
        },
        ecsOwnsWeights,
      );
      this.trafficShifting = {
        alternateTargetGroupArn: alternate.arn,
        productionListenerRuleArn: production.arn,
        testListenerRuleArn: test.arn,
      };
      this.listenerRules = [test, production];
      this.targetGroupArnSuffixes = [targetGroup.arnSuffix, alternate.arnSuffix];
    } else {
      this.listenerRules = [];
      this.targetGroupArnSuffixes = [targetGroup.arnSuffix];
    }

    if (args.dnsRecord) {
      new aws.route53.Record(
        `${name}-alb-dns`,
        {
          zoneId: args.dnsRecord.zoneId,
          name: args.dnsRecord.name,
          type: "A",
          aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }],
        },
        parent,
      );
    }

    this.securityGroupId = securityGroup.id;
    this.targetGroupArn = targetGroup.arn;
    this.dnsName = alb.dnsName;
    this.arn = alb.arn;
    this.url = pulumi.interpolate`${https ? "https" : "http"}://${args.dnsRecord?.name ?? alb.dnsName}`;
    this.arnSuffix = alb.arnSuffix;
    this.registerOutputs({ dnsName: this.dnsName, url: this.url, targetGroupArn: this.targetGroupArn });
  }
}
