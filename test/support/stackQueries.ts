import assert from "node:assert/strict";
import type { OfflineResource, OfflineStack } from "../../scripts/offlineStack";

/** All resources of a type, e.g. `aws:ec2/subnet:Subnet`. */
export function ofType(stack: OfflineStack, type: string): OfflineResource[] {
  return stack.resources.filter((resource) => resource.type === type);
}

/** The single resource of a type (optionally with this logical name suffix); fails otherwise. */
export function one(stack: OfflineStack, type: string, nameSuffix = ""): OfflineResource {
  const matches = ofType(stack, type).filter((resource) => resource.name.endsWith(nameSuffix));
  assert.equal(matches.length, 1, `expected exactly one ${type}${nameSuffix ? ` named *${nameSuffix}` : ""}, found ${matches.length}`);
  return matches[0];
}

/** Count of resources per type, for inventory assertions. */
export function inventory(stack: OfflineStack): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of stack.resources) counts[resource.type] = (counts[resource.type] ?? 0) + 1;
  return counts;
}

export const T = {
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  route: "aws:ec2/route:Route",
  natGateway: "aws:ec2/natGateway:NatGateway",
  eip: "aws:ec2/eip:Eip",
  vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  defaultSecurityGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  repository: "aws:ecr/repository:Repository",
  lifecyclePolicy: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  image: "docker:index/image:Image",
  table: "aws:dynamodb/table:Table",
  cluster: "aws:ecs/cluster:Cluster",
  capacityProviders: "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
  taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
  service: "aws:ecs/service:Service",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  listener: "aws:lb/listener:Listener",
  scalingTarget: "aws:appautoscaling/target:Target",
  scalingPolicy: "aws:appautoscaling/policy:Policy",
  flowLog: "aws:ec2/flowLog:FlowLog",
  bucket: "aws:s3/bucket:Bucket",
  bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketOwnershipControls: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
} as const;

/** The app container's definition inside the web service's task definition. */
export function containerDefinition(stack: OfflineStack): Record<string, any> {
  const definitions = JSON.parse(one(stack, T.taskDefinition, "-task").inputs.containerDefinitions);
  assert.equal(definitions.length, 1);
  return definitions[0];
}

/** The resource of a type whose (mock) id is `id`. */
export function byId(stack: OfflineStack, type: string, id: string): OfflineResource | undefined {
  return stack.resources.find((resource) => resource.type === type && `${resource.name}-id` === id);
}
