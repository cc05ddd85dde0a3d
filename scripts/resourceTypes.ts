/**
 * The Pulumi type tokens of the resources the programs create (e.g. `aws:ec2/vpc:Vpc`), read from
 * the provider classes themselves rather than written out: one table for the tests, the plan, the
 * offline stack and the policy pack. A class the provider renames or drops fails here, at load.
 */
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";

/** The Pulumi type token of a resource class (e.g. `aws:ecs/service:Service`): its static `__pulumiType`. */
export function pulumiTypeOf(resourceClass: unknown): string {
  const type = (resourceClass as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  if (typeof type !== "string") throw new Error("not a Pulumi resource class");
  return type;
}

/** Resource type tokens by a short name, grouped by service. */
export const T = {
  // network
  vpc: pulumiTypeOf(aws.ec2.Vpc),
  subnet: pulumiTypeOf(aws.ec2.Subnet),
  internetGateway: pulumiTypeOf(aws.ec2.InternetGateway),
  natGateway: pulumiTypeOf(aws.ec2.NatGateway),
  eip: pulumiTypeOf(aws.ec2.Eip),
  routeTable: pulumiTypeOf(aws.ec2.RouteTable),
  route: pulumiTypeOf(aws.ec2.Route),
  routeTableAssociation: pulumiTypeOf(aws.ec2.RouteTableAssociation),
  vpcEndpoint: pulumiTypeOf(aws.ec2.VpcEndpoint),
  flowLog: pulumiTypeOf(aws.ec2.FlowLog),
  defaultSecurityGroup: pulumiTypeOf(aws.ec2.DefaultSecurityGroup),
  securityGroup: pulumiTypeOf(aws.ec2.SecurityGroup),
  ingress: pulumiTypeOf(aws.vpc.SecurityGroupIngressRule),
  egress: pulumiTypeOf(aws.vpc.SecurityGroupEgressRule),
  // load balancing
  loadBalancer: pulumiTypeOf(aws.lb.LoadBalancer),
  listener: pulumiTypeOf(aws.lb.Listener),
  listenerRule: pulumiTypeOf(aws.lb.ListenerRule),
  targetGroup: pulumiTypeOf(aws.lb.TargetGroup),
  // buckets (the V2 names are the ones pulumi-aws v6 used)
  bucket: pulumiTypeOf(aws.s3.Bucket),
  bucketV2: pulumiTypeOf(aws.s3.BucketV2),
  bucketPolicy: pulumiTypeOf(aws.s3.BucketPolicy),
  bucketPublicAccessBlock: pulumiTypeOf(aws.s3.BucketPublicAccessBlock),
  bucketOwnershipControls: pulumiTypeOf(aws.s3.BucketOwnershipControls),
  bucketEncryption: pulumiTypeOf(aws.s3.BucketServerSideEncryptionConfiguration),
  bucketEncryptionV2: pulumiTypeOf(aws.s3.BucketServerSideEncryptionConfigurationV2),
  bucketLifecycle: pulumiTypeOf(aws.s3.BucketLifecycleConfiguration),
  bucketLifecycleV2: pulumiTypeOf(aws.s3.BucketLifecycleConfigurationV2),
  // image and data
  repository: pulumiTypeOf(aws.ecr.Repository),
  lifecyclePolicy: pulumiTypeOf(aws.ecr.LifecyclePolicy),
  image: pulumiTypeOf(docker.Image),
  table: pulumiTypeOf(aws.dynamodb.Table),
  parameter: pulumiTypeOf(aws.ssm.Parameter),
  // IAM
  role: pulumiTypeOf(aws.iam.Role),
  rolePolicy: pulumiTypeOf(aws.iam.RolePolicy),
  rolePolicyAttachment: pulumiTypeOf(aws.iam.RolePolicyAttachment),
  openIdConnectProvider: pulumiTypeOf(aws.iam.OpenIdConnectProvider),
  // ECS, scaling, alarms, schedules
  cluster: pulumiTypeOf(aws.ecs.Cluster),
  capacityProviders: pulumiTypeOf(aws.ecs.ClusterCapacityProviders),
  logGroup: pulumiTypeOf(aws.cloudwatch.LogGroup),
  taskDefinition: pulumiTypeOf(aws.ecs.TaskDefinition),
  service: pulumiTypeOf(aws.ecs.Service),
  scalingTarget: pulumiTypeOf(aws.appautoscaling.Target),
  scalingPolicy: pulumiTypeOf(aws.appautoscaling.Policy),
  metricAlarm: pulumiTypeOf(aws.cloudwatch.MetricAlarm),
  schedule: pulumiTypeOf(aws.scheduler.Schedule),
  // the edge
  vpcOrigin: pulumiTypeOf(aws.cloudfront.VpcOrigin),
  distribution: pulumiTypeOf(aws.cloudfront.Distribution),
  cachePolicy: pulumiTypeOf(aws.cloudfront.CachePolicy),
  webAcl: pulumiTypeOf(aws.wafv2.WebAcl),
  certificate: pulumiTypeOf(aws.acm.Certificate),
  certificateValidation: pulumiTypeOf(aws.acm.CertificateValidation),
  record: pulumiTypeOf(aws.route53.Record),
  logDeliverySource: pulumiTypeOf(aws.cloudwatch.LogDeliverySource),
  logDeliveryDestination: pulumiTypeOf(aws.cloudwatch.LogDeliveryDestination),
  logDelivery: pulumiTypeOf(aws.cloudwatch.LogDelivery),
} as const;
