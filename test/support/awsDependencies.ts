/**
 * Orderings AWS needs between resources, which mocks never enforce: Pulumi creates in parallel
 * whatever does not depend on something else (through an input or `dependsOn`), and deletes in
 * the reverse order. Each rule with the AWS statement behind it; `test/deployReadiness.test.ts`
 * checks them for every stack variant.
 */
import { byMockId, mockIdOf, type OfflineResource, type OfflineStack, ofType } from "../../scripts/offlineStack";
import { T } from "../../scripts/resourceTypes";

export interface DependencyRule {
  what: string;
  /** The resources that must wait. */
  from: string;
  /** Only those of them (default: all). */
  when?: (resource: OfflineResource) => boolean;
  /** What each one must wait for: every resource returned must be among its (transitive) dependencies. */
  waitsFor: (stack: OfflineStack, resource: OfflineResource) => OfflineResource[];
  source: string;
}

/** The bucket policy of the bucket whose id is `bucketId`. */
function policyOfBucket(stack: OfflineStack, bucketId: string): OfflineResource[] {
  return ofType(stack, T.bucketPolicy).filter((policy) => policy.inputs.bucket === bucketId);
}

export const DEPENDENCY_RULES: readonly DependencyRule[] = [
  {
    what: "an internet-facing load balancer waits for the VPC's internet gateway",
    from: T.loadBalancer,
    when: (alb) => alb.inputs.internal !== true,
    waitsFor: (stack) => ofType(stack, T.internetGateway),
    source:
      "ELBv2 CreateLoadBalancer fails with `InvalidSubnet: VPC vpc-… has no internet gateway` (CreateLoadBalancer API reference, errors: InvalidSubnet; reported in openshift/installer#1110)",
  },
  {
    what: "a NAT gateway waits for the internet gateway",
    from: T.natGateway,
    waitsFor: (stack) => ofType(stack, T.internetGateway),
    source:
      "Terraform AWS provider, aws_nat_gateway docs: 'it's recommended to denote that the NAT Gateway depends on the Internet Gateway for the VPC' (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/nat_gateway)",
  },
  {
    what: "a load balancer with access logs waits for the log bucket's policy",
    from: T.loadBalancer,
    when: (alb) => alb.inputs.accessLogs?.enabled === true,
    waitsFor: (stack, alb) => {
      const bucket = byMockId(stack, T.bucket, alb.inputs.accessLogs.bucket);
      return bucket ? policyOfBucket(stack, mockIdOf(bucket)) : [];
    },
    source:
      "ELB User Guide, 'Enable access logs for your Application Load Balancer': the bucket policy must grant the log delivery service, or ModifyLoadBalancerAttributes fails with 'Access Denied for bucket' (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html)",
  },
  {
    what: "a flow log to S3 waits for its bucket's policy",
    from: T.flowLog,
    when: (flowLog) => flowLog.inputs.logDestinationType === "s3",
    waitsFor: (stack, flowLog) => {
      const bucket = ofType(stack, T.bucket).find((candidate) => candidate.state.arn === flowLog.inputs.logDestination);
      return bucket ? policyOfBucket(stack, mockIdOf(bucket)) : [];
    },
    source:
      "VPC User Guide, 'Publish flow logs to Amazon S3': without a policy granting delivery.logs.amazonaws.com, AWS attaches a bucket policy of its own (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3.html)",
  },
  {
    what: "an ECS service behind a load balancer waits for a listener forwarding to its target group",
    from: T.service,
    when: (service) => (service.inputs.loadBalancers ?? []).length > 0,
    waitsFor: (stack, service) =>
      (service.inputs.loadBalancers as { targetGroupArn: string }[]).flatMap(({ targetGroupArn }) =>
        ofType(stack, T.listener)
          .filter((listener) => JSON.stringify(listener.inputs.defaultActions ?? []).includes(targetGroupArn))
          .slice(0, 1),
      ),
    source:
      "ECS CreateService fails with 'The target group … does not have an associated load balancer' until a listener or rule forwards to it (ECS Developer Guide, 'Troubleshooting service load balancers', https://docs.aws.amazon.com/AmazonECS/latest/developerguide/troubleshoot-service-load-balancers.html)",
  },
  {
    what: "a service on a capacity provider strategy waits for the cluster's capacity providers",
    from: T.service,
    when: (service) => (service.inputs.capacityProviderStrategies ?? []).length > 0,
    waitsFor: (stack, service) => {
      const cluster = ofType(stack, T.cluster).find((candidate) => candidate.state.arn === service.inputs.cluster);
      return ofType(stack, T.capacityProviders).filter((providers) => providers.inputs.clusterName === cluster?.state.name);
    },
    source:
      "ECS Developer Guide, 'Amazon ECS clusters for Fargate': FARGATE and FARGATE_SPOT must be associated with the cluster (PutClusterCapacityProviders) before a capacity provider strategy can use them (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html)",
  },
  {
    what: "a CloudFront VPC origin waits for the VPC's internet gateway",
    from: T.vpcOrigin,
    waitsFor: (stack) => ofType(stack, T.internetGateway),
    source:
      "CloudFront Developer Guide, 'Restrict access with VPC origins', prerequisites: the VPC must have an internet gateway (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html)",
  },
  {
    what: "a log delivery to S3 waits for the bucket's policy",
    from: T.logDelivery,
    waitsFor: (stack, delivery) => {
      const destination = ofType(stack, T.logDeliveryDestination).find(
        (candidate) => candidate.state.arn === delivery.inputs.deliveryDestinationArn,
      );
      const bucket = ofType(stack, T.bucket).find(
        (candidate) => candidate.state.arn === destination?.inputs.deliveryDestinationConfiguration?.destinationResourceArn,
      );
      return bucket ? policyOfBucket(stack, mockIdOf(bucket)) : [];
    },
    source:
      "CloudWatch Logs User Guide, 'Logs sent to Amazon S3': without a bucket policy granting delivery.logs.amazonaws.com, CreateDelivery writes one of its own (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-S3.html)",
  },
  {
    what: "a bucket policy waits for the bucket's public access block and ownership controls",
    from: T.bucketPolicy,
    waitsFor: (stack, policy) =>
      [T.bucketPublicAccessBlock, T.bucketOwnershipControls].flatMap((type) =>
        ofType(stack, type).filter((setting) => setting.inputs.bucket === policy.inputs.bucket),
      ),
    source:
      "S3 answers concurrent configuration changes to one bucket with 'OperationAborted: A conflicting conditional operation is currently in progress' (S3 API reference, Error responses, https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html)",
  },
];
