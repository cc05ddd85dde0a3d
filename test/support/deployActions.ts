/**
 * The IAM actions `pulumi up`, `pulumi refresh` and `pulumi destroy` need for each resource type
 * this program creates: create, read, update, wait for and delete. Built from AWS's published
 * lists (the CloudFormation resource type schemas' handler permissions, the Service Authorization
 * Reference's dependent actions) and from what the Terraform AWS provider (which @pulumi/aws
 * wraps) calls, each group with its source. `test/deployReadiness.test.ts` fails when the deploy
 * role lacks one of them, or when the program creates a type this table does not know.
 */
import { T } from "../../scripts/resourceTypes";

export interface ActionGroup {
  actions: readonly string[];
  /** Where these actions come from: document or source file, and URL. */
  source: string;
  /** Only for resources whose inputs match (e.g. an interface endpoint with private DNS). Default: always. */
  when?: (inputs: Record<string, any>) => boolean;
}

/** A Terraform AWS provider source file: what `pulumi up`/`refresh`/`destroy` actually call. */
const tf = (path: string, note = "") =>
  `Terraform AWS provider internal/service/${path}${note ? ` (${note})` : ""}: https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/${path}`;
/** AWS documentation. */
const doc = (what: string, url: string) => `${what}: ${url}`;

const ECS_TAG_ON_CREATE = doc(
  "ECS guide, tag on create needs ecs:TagResource",
  "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html",
);
const ECS_SLR = doc(
  "ECS guide, the AWSServiceRoleForECS service-linked role is created on first cluster/service",
  "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html",
);
/** A CloudFormation registry schema's handler permissions, as vendored by pulumi-aws-native: a cross-check of what the service itself needs. */
const cfn = (type: string, file: string, note = "") =>
  `CloudFormation registry schema ${type}, handler permissions${note ? ` (${note})` : ""}: https://github.com/pulumi/pulumi-aws-native/blob/master/aws-cloudformation-schema/${file}`;
/** CloudWatch Logs vended logs [V2], the caller's permissions for a delivery to S3 (delivery, delivery-source and delivery-destination ARNs). */
const LOGS_V2_S3 = doc(
  "CloudWatch Logs guide, Logs sent to Amazon S3 [V2], user permissions",
  "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-S3.html",
);
const LOGS_TAGS =
  "tags by the provider's tagging interceptor (ListTagsForResource, TagResource, UntagResource); tags on create need logs:TagResource";

/** Resource type token → what deploying, reading and deleting it calls. */
export const DEPLOY_ACTIONS: Readonly<Record<string, readonly ActionGroup[]>> = {
  [T.certificate]: [
    {
      actions: [
        "acm:RequestCertificate",
        "acm:AddTagsToCertificate",
        "acm:DescribeCertificate",
        "acm:ListTagsForCertificate",
        "acm:UpdateCertificateOptions",
        "acm:RemoveTagsFromCertificate",
        "acm:DeleteCertificate",
      ],
      source: `${tf("acm/certificate.go", "waitCertificateDomainValidationsAvailable polls DescribeCertificate; tags by the interceptor; delete retries while CloudFront still uses it")}; ${cfn("AWS::CertificateManager::Certificate", "aws-certificatemanager-certificate.json", "tags on RequestCertificate need AddTagsToCertificate")}`,
    },
  ],
  [T.certificateValidation]: [
    {
      actions: ["acm:DescribeCertificate"],
      source: tf("acm/certificate_validation.go", "create waits for ISSUED with DescribeCertificate; delete is a no-op"),
    },
  ],
  [T.scalingPolicy]: [
    {
      actions: [
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:DescribeScalingPolicies",
        "application-autoscaling:DeleteScalingPolicy",
      ],
      source: tf("appautoscaling/policy.go"),
    },
    {
      // Target tracking: Application Auto Scaling creates, reads and deletes the policy's CloudWatch alarms for the caller.
      actions: ["cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms"],
      source: doc(
        "Application Auto Scaling guide, permissions on CloudWatch for target tracking; ECS guide, IAM for service auto scaling",
        "https://docs.aws.amazon.com/autoscaling/application/userguide/security_iam_id-based-policy-examples.html https://docs.aws.amazon.com/AmazonECS/latest/developerguide/auto-scaling-IAM.html",
      ),
      when: (inputs) => inputs.policyType === "TargetTrackingScaling",
    },
  ],
  [T.scalingTarget]: [
    {
      actions: [
        "application-autoscaling:RegisterScalableTarget",
        "application-autoscaling:DescribeScalableTargets",
        "application-autoscaling:DeregisterScalableTarget",
        "application-autoscaling:ListTagsForResource",
      ],
      source: tf("appautoscaling/target.go", "tags read by the provider's tagging interceptor"),
    },
    {
      actions: ["ecs:DescribeServices", "ecs:UpdateService", "iam:CreateServiceLinkedRole"],
      source: doc(
        "ECS guide, IAM for service auto scaling (AWSServiceRoleForApplicationAutoScaling_ECSService is created on the first RegisterScalableTarget)",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/auto-scaling-IAM.html https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html",
      ),
      when: (inputs) => inputs.serviceNamespace === "ecs",
    },
  ],
  [T.cachePolicy]: [
    {
      actions: [
        "cloudfront:CreateCachePolicy",
        "cloudfront:GetCachePolicy",
        "cloudfront:UpdateCachePolicy",
        "cloudfront:DeleteCachePolicy",
      ],
      source: tf("cloudfront/cache_policy.go", "update and delete send the ETag GetCachePolicy returns; not taggable"),
    },
  ],
  [T.distribution]: [
    {
      actions: [
        "cloudfront:CreateDistribution",
        "cloudfront:TagResource",
        "cloudfront:GetDistribution",
        "cloudfront:ListTagsForResource",
        "cloudfront:UpdateDistribution",
        "cloudfront:UntagResource",
        "cloudfront:DeleteDistribution",
      ],
      source: `${tf("cloudfront/distribution.go", "CreateDistributionWithTags; waitDistributionDeployed polls GetDistribution; delete disables with UpdateDistribution, waits, then DeleteDistribution with the ETag; tags by the interceptor")}; ${doc("CloudFront guide (archived), API permissions reference: CreateDistributionWithTags needs cloudfront:CreateDistribution and cloudfront:TagResource; acm:ListCertificates only in the console", "https://github.com/awsdocs/amazon-cloudfront-developer-guide/blob/503eba81628f74c5fbc65b4dcab0c97ff9106c24/doc_source/cf-api-permissions-ref.md")}`,
    },
    {
      actions: ["cloudfront:GetVpcOrigin"],
      source: cfn(
        "AWS::CloudFront::Distribution",
        "aws-cloudfront-distribution.json",
        "create and update list cloudfront:GetVpcOrigin: CloudFront reads the VPC origin with the caller's rights",
      ),
      when: (inputs) => (inputs.origins ?? []).some((origin: Record<string, unknown>) => origin.vpcOriginConfig !== undefined),
    },
    {
      // CloudFront checks that the caller may read the web ACL it attaches ("InvalidWebACLId: Unable to verify read permissions on Web ACL").
      actions: ["wafv2:GetWebACL"],
      source: `${doc("AWS WAF guide, a CloudFront distribution is associated with a global web ACL through its own configuration", "https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html")}; InvalidWebACLId "Unable to verify read permissions on Web ACL": https://github.com/aws/aws-sdk-java/issues/2901`,
      when: (inputs) => inputs.webAclId !== undefined,
    },
  ],
  [T.vpcOrigin]: [
    {
      actions: [
        "cloudfront:CreateVpcOrigin",
        "cloudfront:TagResource",
        "cloudfront:GetVpcOrigin",
        "cloudfront:ListTagsForResource",
        "cloudfront:UpdateVpcOrigin",
        "cloudfront:UntagResource",
        "cloudfront:DeleteVpcOrigin",
      ],
      source: tf(
        "cloudfront/vpc_origin.go",
        "waitVPCOriginDeployed and waitVPCOriginDeleted poll GetVpcOrigin; update and delete send its ETag; tags by the interceptor",
      ),
    },
    {
      // CloudFront looks up the origin and the VPC's internet gateway, and creates its service-linked role, as the caller.
      actions: [
        "elasticloadbalancing:DescribeLoadBalancers",
        "ec2:DescribeInstances",
        "ec2:DescribeInternetGateways",
        "iam:CreateServiceLinkedRole",
      ],
      source: `${cfn("AWS::CloudFront::VpcOrigin", "aws-cloudfront-vpcorigin.json")}; ${doc("CloudFront guide, AWSServiceRoleForCloudFrontVPCOrigin (vpcorigin.cloudfront.amazonaws.com)", "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-service-linked-roles.html")}; ${doc("CloudFront guide, VPC origins prerequisites (internet gateway)", "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html")}`,
    },
  ],
  [T.logDelivery]: [
    {
      actions: [
        "logs:CreateDelivery",
        "logs:GetDelivery",
        "logs:UpdateDeliveryConfiguration",
        "logs:DeleteDelivery",
        "logs:ListTagsForResource",
        "logs:TagResource",
        "logs:UntagResource",
      ],
      source: tf("logs/delivery.go", `UpdateDeliveryConfiguration for field delimiter, record fields and S3 settings; ${LOGS_TAGS}`),
    },
    {
      // CreateDelivery reads both ends; to S3 it adds its statement to the bucket policy if the policy lacks it.
      actions: ["logs:GetDeliverySource", "logs:GetDeliveryDestination", "s3:GetBucketPolicy", "s3:PutBucketPolicy"],
      source: `${LOGS_V2_S3}; ${cfn("AWS::Logs::Delivery", "aws-logs-delivery.json")}`,
    },
  ],
  [T.logDeliveryDestination]: [
    {
      actions: [
        "logs:PutDeliveryDestination",
        "logs:GetDeliveryDestination",
        "logs:DeleteDeliveryDestination",
        "logs:ListTagsForResource",
        "logs:TagResource",
        "logs:UntagResource",
      ],
      source: `${tf("logs/delivery_destination.go", `update is PutDeliveryDestination; ${LOGS_TAGS}`)}; ${LOGS_V2_S3}`,
    },
  ],
  [T.logDeliverySource]: [
    {
      actions: [
        "logs:PutDeliverySource",
        "logs:GetDeliverySource",
        "logs:DeleteDeliverySource",
        "logs:ListTagsForResource",
        "logs:TagResource",
        "logs:UntagResource",
      ],
      source: `${tf("logs/delivery_source.go", `every argument forces replacement; ${LOGS_TAGS}`)}; ${LOGS_V2_S3}`,
    },
    {
      actions: ["cloudfront:AllowVendedLogDeliveryForResource"],
      source: `${doc("CloudWatch Logs guide, service-specific permissions (<service>:AllowVendedLogDeliveryForResource)", "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-service-specific.html")}; ${doc("CloudFront guide, standard logging (v2)", "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html")}`,
      when: (inputs) => String(inputs.resourceArn ?? "").startsWith("arn:aws:cloudfront:"),
    },
  ],
  [T.logGroup]: [
    {
      actions: [
        "logs:CreateLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DescribeLogGroups",
        "logs:ListTagsForResource",
        "logs:TagResource",
        "logs:UntagResource",
        "logs:DeleteLogGroup",
      ],
      source: tf("logs/group.go", "tags by ARN: ListTagsForResource, TagResource, UntagResource"),
    },
    {
      actions: ["logs:TagLogGroup"],
      source: doc(
        "CloudWatch Logs API, tags on CreateLogGroup (TagLogGroup is the legacy tagging action; CFN AWS::Logs::LogGroup lists logs:TagResource)",
        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
      ),
    },
  ],
  [T.table]: [
    {
      actions: [
        "dynamodb:CreateTable",
        "dynamodb:TagResource",
        "dynamodb:DescribeTable",
        "dynamodb:UpdateTimeToLive",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:UpdateContinuousBackups",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:ListTagsOfResource",
        "dynamodb:UntagResource",
        "dynamodb:UpdateTable",
        "dynamodb:DeleteTable",
      ],
      source: tf("dynamodb/table.go", "UpdateTable for deletion protection; tags on create need dynamodb:TagResource"),
    },
  ],
  [T.defaultSecurityGroup]: [
    {
      // Adopted, not created: tags updated, every rule revoked (forceRevokeSecurityGroupRules); destroy is a no-op.
      actions: [
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSecurityGroupRules",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:CreateTags",
        "ec2:DeleteTags",
      ],
      source: tf("ec2/vpc_default_security_group.go", "and vpc_security_group.go"),
    },
  ],
  [T.eip]: [
    {
      actions: [
        "ec2:AllocateAddress",
        "ec2:CreateTags",
        "ec2:DescribeAddresses",
        "ec2:DescribeAddressesAttribute",
        "ec2:DisassociateAddress",
        "ec2:ReleaseAddress",
        "ec2:DeleteTags",
      ],
      source: tf(
        "ec2/ec2_eip.go",
        "DescribeAddressesAttribute for ptr_record; DisassociateAddress on delete once refresh saw the NAT association",
      ),
    },
  ],
  [T.flowLog]: [
    {
      actions: ["ec2:CreateFlowLogs", "ec2:CreateTags", "ec2:DescribeFlowLogs", "ec2:DeleteFlowLogs", "ec2:DeleteTags"],
      source: tf("ec2/vpc_flow_log.go"),
    },
    {
      actions: ["logs:CreateLogDelivery", "logs:DeleteLogDelivery"],
      source: doc(
        "VPC guide, IAM principal that creates a flow log publishing to S3",
        "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-create-flow-log.html",
      ),
      when: (inputs) => inputs.logDestinationType === "s3",
    },
  ],
  [T.internetGateway]: [
    {
      actions: [
        "ec2:CreateInternetGateway",
        "ec2:CreateTags",
        "ec2:DescribeInternetGateways",
        "ec2:DeleteInternetGateway",
        "ec2:DeleteTags",
      ],
      source: tf("ec2/vpc_internet_gateway.go"),
    },
    {
      actions: ["ec2:AttachInternetGateway", "ec2:DetachInternetGateway"],
      source: tf("ec2/vpc_internet_gateway.go", "attach on create, detach before delete"),
      when: (inputs) => inputs.vpcId !== undefined,
    },
  ],
  [T.natGateway]: [
    {
      actions: ["ec2:CreateNatGateway", "ec2:CreateTags", "ec2:DescribeNatGateways", "ec2:DeleteNatGateway", "ec2:DeleteTags"],
      source: tf("ec2/vpc_nat_gateway.go"),
    },
  ],
  [T.route]: [
    {
      actions: ["ec2:CreateRoute", "ec2:DescribeRouteTables", "ec2:ReplaceRoute", "ec2:DeleteRoute"],
      source: tf("ec2/vpc_route.go", "ReplaceRoute when the target changes"),
    },
  ],
  [T.routeTable]: [
    {
      actions: [
        "ec2:CreateRouteTable",
        "ec2:CreateTags",
        "ec2:DescribeRouteTables",
        "ec2:DisassociateRouteTable",
        "ec2:DeleteRouteTable",
        "ec2:DeleteTags",
      ],
      source: tf("ec2/vpc_route_table.go", "delete disassociates what is still associated"),
    },
  ],
  [T.routeTableAssociation]: [
    {
      actions: ["ec2:AssociateRouteTable", "ec2:DescribeRouteTables", "ec2:ReplaceRouteTableAssociation", "ec2:DisassociateRouteTable"],
      source: tf(
        "ec2/vpc_route_table_association.go",
        "ReplaceRouteTableAssociation when route_table_id changes, e.g. a replaced route table",
      ),
    },
  ],
  [T.securityGroup]: [
    {
      actions: [
        "ec2:CreateSecurityGroup",
        "ec2:CreateTags",
        "ec2:DescribeSecurityGroups",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteSecurityGroup",
        "ec2:DeleteTags",
      ],
      source: tf(
        "ec2/vpc_security_group.go",
        "revokes the default egress rules on create; deleteLingeringENIs describes ENIs before delete",
      ),
    },
  ],
  [T.subnet]: [
    {
      actions: [
        "ec2:CreateSubnet",
        "ec2:CreateTags",
        "ec2:DescribeSubnets",
        "ec2:ModifySubnetAttribute",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteSubnet",
        "ec2:DeleteTags",
      ],
      source: tf("ec2/vpc_subnet.go", "deleteLingeringENIs before delete"),
    },
  ],
  [T.vpc]: [
    {
      actions: [
        "ec2:CreateVpc",
        "ec2:CreateTags",
        "ec2:DescribeVpcs",
        "ec2:ModifyVpcAttribute",
        "ec2:DescribeVpcAttribute",
        "ec2:DescribeNetworkAcls",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroups",
        "ec2:DeleteVpc",
        "ec2:DeleteTags",
      ],
      source: tf(
        "ec2/vpc_.go",
        "read: DNS and NAU attributes, default NACL, main route table, default security group; every EC2 create here tags through TagSpecifications, which needs ec2:CreateTags",
      ),
    },
  ],
  [T.vpcEndpoint]: [
    {
      actions: [
        "ec2:CreateVpcEndpoint",
        "ec2:CreateTags",
        "ec2:DescribeVpcEndpoints",
        "ec2:DescribePrefixLists",
        "ec2:ModifyVpcEndpoint",
        "ec2:DeleteVpcEndpoints",
        "ec2:DeleteTags",
      ],
      source: tf("ec2/vpc_endpoint.go", "read looks up the service's prefix list"),
    },
    {
      actions: ["ec2:DescribeNetworkInterfaces"],
      source: tf("ec2/vpc_endpoint.go", "read: subnet_configuration from the endpoint's ENIs"),
      when: (inputs) => inputs.vpcEndpointType === "Interface",
    },
    {
      actions: ["route53:AssociateVPCWithHostedZone"],
      source: doc(
        "Service Authorization Reference, ec2:CreateVpcEndpoint/ModifyVpcEndpoint dependent action with private DNS",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html",
      ),
      when: (inputs) => inputs.privateDnsEnabled === true,
    },
  ],
  [T.lifecyclePolicy]: [
    { actions: ["ecr:PutLifecyclePolicy", "ecr:GetLifecyclePolicy", "ecr:DeleteLifecyclePolicy"], source: tf("ecr/lifecycle_policy.go") },
  ],
  [T.repository]: [
    {
      actions: [
        "ecr:CreateRepository",
        "ecr:TagResource",
        "ecr:DescribeRepositories",
        "ecr:ListTagsForResource",
        "ecr:PutImageTagMutability",
        "ecr:PutImageScanningConfiguration",
        "ecr:UntagResource",
        "ecr:DeleteRepository",
      ],
      source: tf("ecr/repository.go", "tags on create need ecr:TagResource; force_delete is DeleteRepository force=true"),
    },
  ],
  [T.cluster]: [
    {
      actions: [
        "ecs:CreateCluster",
        "ecs:TagResource",
        "ecs:DescribeClusters",
        "ecs:UpdateCluster",
        "ecs:UntagResource",
        "ecs:DeleteCluster",
      ],
      source: `${tf("ecs/cluster.go", "settings updated with UpdateCluster")}; ${ECS_TAG_ON_CREATE}`,
    },
    { actions: ["iam:CreateServiceLinkedRole"], source: ECS_SLR },
  ],
  [T.capacityProviders]: [
    {
      actions: ["ecs:PutClusterCapacityProviders", "ecs:DescribeClusters"],
      source: tf("ecs/cluster_capacity_providers.go", "delete puts an empty list"),
    },
  ],
  [T.service]: [
    {
      actions: [
        "ecs:CreateService",
        "ecs:TagResource",
        "ecs:DescribeServices",
        "ecs:UpdateService",
        "ecs:UntagResource",
        "ecs:DeleteService",
      ],
      source: `${tf("ecs/service.go", "delete drains with UpdateService, waits with DescribeServices")}; ${ECS_TAG_ON_CREATE}`,
    },
    {
      actions: ["ecs:ListServiceDeployments", "ecs:DescribeServiceDeployments"],
      source: tf("ecs/service.go", "waitServiceStable: findPrimaryDeploymentARN, findDeploymentStatus"),
      when: (inputs) => inputs.waitForSteadyState === true,
    },
    { actions: ["iam:CreateServiceLinkedRole"], source: ECS_SLR },
    {
      actions: ["iam:PassRole"],
      source: doc(
        "ECS guide, Amazon ECS infrastructure IAM role for load balancers: the caller passes the role of a load balancer's advancedConfiguration",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html",
      ),
      when: (inputs) =>
        (inputs.loadBalancers ?? []).some(
          (loadBalancer: { advancedConfiguration?: unknown }) => loadBalancer.advancedConfiguration !== undefined,
        ),
    },
    {
      // ECS checks the deployment alarms exist (DescribeAlarms) when the service names them.
      actions: ["cloudwatch:DescribeAlarms"],
      source: doc(
        "ECS guide, How CloudWatch alarms detect Amazon ECS deployment failures",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html",
      ),
      when: (inputs) => inputs.alarms?.enable === true,
    },
  ],
  [T.parameter]: [
    {
      actions: [
        "ssm:PutParameter",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:DescribeParameters",
        "ssm:AddTagsToResource",
        "ssm:ListTagsForResource",
        "ssm:RemoveTagsFromResource",
        "ssm:DeleteParameter",
      ],
      source: `${tf("ssm/parameter.go", "read with GetParameter (WithDecryption) and DescribeParameters; tags by the interceptor")}; ${cfn("AWS::SSM::Parameter", "aws-ssm-parameter.json")}`,
    },
  ],
  [T.schedule]: [
    {
      actions: ["scheduler:CreateSchedule", "scheduler:GetSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"],
      source: `${tf("scheduler/schedule.go", "read with GetSchedule; schedules are not taggable")}; ${cfn("AWS::Scheduler::Schedule", "aws-scheduler-schedule.json")}`,
    },
    {
      actions: ["iam:PassRole"],
      source: doc(
        "EventBridge Scheduler User Guide, the caller passes the schedule's execution role",
        "https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html",
      ),
    },
  ],
  [T.metricAlarm]: [
    {
      actions: [
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:TagResource",
        "cloudwatch:UntagResource",
        "cloudwatch:ListTagsForResource",
        "cloudwatch:DeleteAlarms",
      ],
      source: `${tf("cloudwatch/metric_alarm.go", "read with DescribeAlarms; tags by the interceptor")}; ${cfn("AWS::CloudWatch::Alarm", "aws-cloudwatch-alarm.json")}`,
    },
  ],
  [T.listenerRule]: [
    {
      actions: [
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:SetRulePriorities",
        "elasticloadbalancing:RemoveTags",
        "elasticloadbalancing:DeleteRule",
      ],
      source: `${tf("elbv2/listener_rule.go", "priority changes use SetRulePriorities")}; ${cfn("AWS::ElasticLoadBalancingV2::ListenerRule", "aws-elasticloadbalancingv2-listenerrule.json")}`,
    },
  ],
  [T.taskDefinition]: [
    {
      actions: [
        "ecs:RegisterTaskDefinition",
        "ecs:TagResource",
        "ecs:DescribeTaskDefinition",
        "ecs:UntagResource",
        "ecs:DeregisterTaskDefinition",
      ],
      source: `${tf("ecs/task_definition.go")}; ${ECS_TAG_ON_CREATE}`,
    },
    {
      actions: ["iam:PassRole"],
      source: doc(
        "ECS guide, passing the task and task execution roles needs iam:PassRole",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html",
      ),
      when: (inputs) => inputs.executionRoleArn !== undefined || inputs.taskRoleArn !== undefined,
    },
  ],
  [T.role]: [
    {
      actions: [
        "iam:CreateRole",
        "iam:TagRole",
        "iam:GetRole",
        "iam:ListRolePolicies",
        "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:UpdateAssumeRolePolicy",
        "iam:UntagRole",
        "iam:ListInstanceProfilesForRole",
        "iam:DeleteRole",
      ],
      source: tf("iam/role.go", "read lists inline and attached policies; delete detaches instance profiles first"),
    },
  ],
  [T.rolePolicy]: [{ actions: ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"], source: tf("iam/role_policy.go") }],
  [T.rolePolicyAttachment]: [
    {
      actions: ["iam:AttachRolePolicy", "iam:ListAttachedRolePolicies", "iam:DetachRolePolicy"],
      source: tf("iam/role_policy_attachment.go"),
    },
  ],
  [T.listener]: [
    {
      actions: [
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeListenerAttributes",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:RemoveTags",
        "elasticloadbalancing:DeleteListener",
      ],
      source: tf("elbv2/listener.go", "tags on create need AddTags"),
    },
  ],
  [T.loadBalancer]: [
    {
      // Access logs, deletion protection, drop invalid headers and desync mode are all load balancer attributes; the
      // bucket policy, not the deployer, lets ELB write the logs.
      actions: [
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:CreateLoadBalancer",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeCapacityReservation",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:RemoveTags",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:DeleteLoadBalancer",
        "ec2:DescribeNetworkInterfaces",
      ],
      source: `${tf("elbv2/load_balancer.go", "delete waits for the ALB's ENIs with ec2:DescribeNetworkInterfaces")}; ${doc("ALB guide, access logs", "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html")}`,
    },
    {
      actions: ["iam:CreateServiceLinkedRole"],
      source: doc(
        "ELB guide, AWSServiceRoleForElasticLoadBalancing is created on the first load balancer",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-service-linked-roles.html",
      ),
    },
  ],
  [T.targetGroup]: [
    {
      actions: [
        "elasticloadbalancing:CreateTargetGroup",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:RemoveTags",
        "elasticloadbalancing:DeleteTargetGroup",
      ],
      source: tf("elbv2/target_group.go", "deregistration delay is a target group attribute; health check changes use ModifyTargetGroup"),
    },
  ],
  [T.record]: [
    {
      actions: ["route53:GetHostedZone", "route53:ChangeResourceRecordSets", "route53:GetChange", "route53:ListResourceRecordSets"],
      source: tf(
        "route53/record.go",
        "the zone's name from GetHostedZone; waitChangeInsync polls GetChange; read and delete find the record with ListResourceRecordSets",
      ),
    },
  ],
  [T.bucket]: [
    {
      // Read reads every bucket sub-resource, whether or not the program manages it (IAM names differ from the API names).
      actions: [
        "s3:CreateBucket",
        "s3:ListBucket",
        "s3:PutBucketTagging",
        "s3:GetBucketTagging",
        "s3:GetBucketPolicy",
        "s3:GetBucketAcl",
        "s3:GetBucketCORS",
        "s3:GetBucketWebsite",
        "s3:GetBucketVersioning",
        "s3:GetAccelerateConfiguration",
        "s3:GetBucketRequestPayment",
        "s3:GetBucketLogging",
        "s3:GetLifecycleConfiguration",
        "s3:GetReplicationConfiguration",
        "s3:GetEncryptionConfiguration",
        "s3:GetBucketObjectLockConfiguration",
        "s3:DeleteBucket",
      ],
      source: tf("s3/bucket.go", "HeadBucket is s3:ListBucket; region via HeadBucket; tags via Get/PutBucketTagging"),
    },
    {
      actions: ["s3:ListBucketVersions", "s3:DeleteObject", "s3:DeleteObjectVersion"],
      source: tf("s3/delete.go", "force_destroy: emptyBucket lists object versions and deletes them by version id"),
      when: (inputs) => inputs.forceDestroy === true,
    },
  ],
  [T.bucketLifecycle]: [
    {
      actions: ["s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"],
      source: tf("s3/bucket_lifecycle_configuration.go", "DeleteBucketLifecycle is s3:PutLifecycleConfiguration"),
    },
  ],
  [T.bucketOwnershipControls]: [
    {
      actions: ["s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"],
      source: tf("s3/bucket_ownership_controls.go", "DeleteBucketOwnershipControls is s3:PutBucketOwnershipControls"),
    },
  ],
  [T.bucketPolicy]: [{ actions: ["s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"], source: tf("s3/bucket_policy.go") }],
  [T.bucketPublicAccessBlock]: [
    {
      actions: ["s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"],
      source: tf("s3/bucket_public_access_block.go", "Put/Get/DeletePublicAccessBlock; delete is s3:PutBucketPublicAccessBlock"),
    },
  ],
  [T.bucketEncryption]: [
    {
      actions: ["s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"],
      source: tf(
        "s3/bucket_server_side_encryption_configuration.go",
        "Put/Get/DeleteBucketEncryption; delete is s3:PutEncryptionConfiguration",
      ),
    },
  ],
  [T.egress]: [
    {
      actions: [
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:DescribeSecurityGroupRules",
        "ec2:ModifySecurityGroupRules",
        "ec2:RevokeSecurityGroupEgress",
      ],
      source: tf("ec2/vpc_security_group_egress_rule.go", "base in vpc_security_group_ingress_rule.go"),
    },
  ],
  [T.ingress]: [
    {
      actions: [
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:DescribeSecurityGroupRules",
        "ec2:ModifySecurityGroupRules",
        "ec2:RevokeSecurityGroupIngress",
      ],
      source: tf("ec2/vpc_security_group_ingress_rule.go", "read via DescribeSecurityGroupRules, ModifySecurityGroupRules on update"),
    },
  ],
  [T.webAcl]: [
    {
      actions: [
        "wafv2:CreateWebACL",
        "wafv2:TagResource",
        "wafv2:GetWebACL",
        "wafv2:ListTagsForResource",
        "wafv2:UpdateWebACL",
        "wafv2:UntagResource",
        "wafv2:DeleteWebACL",
      ],
      source: `${tf("wafv2/web_acl.go", "update and delete send the LockToken from GetWebACL; tags by the interceptor")}; ${cfn("AWS::WAFv2::WebACL", "aws-wafv2-webacl.json", "tags on create need wafv2:TagResource")}`,
    },
  ],
  [T.image]: [
    {
      // The push; the image is not deleted from the registry on destroy ("does not delete tags, locally or remotely").
      actions: [
        "ecr:BatchCheckLayerAvailability",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:PutImage",
        "ecr:BatchGetImage",
        "ecr:GetAuthorizationToken",
      ],
      source: `${doc("ECR guide, IAM permissions for pushing an image", "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html")}; pulumi-docker Image docs (no registry delete): https://www.pulumi.com/registry/packages/docker/api-docs/image/`,
    },
  ],
};

/** Data-source (invoke) token → what calling it needs; `pulumi preview` calls these too. */
export const INVOKE_ACTIONS: Readonly<Record<string, readonly ActionGroup[]>> = {
  "aws:index/getAvailabilityZones:getAvailabilityZones": [
    { actions: ["ec2:DescribeAvailabilityZones"], source: tf("ec2/availability_zones_data_source.go") },
  ],
  "aws:ecr/getAuthorizationToken:getAuthorizationToken": [
    { actions: ["ecr:GetAuthorizationToken"], source: tf("ecr/authorization_token_data_source.go") },
  ],
  "aws:index/getCallerIdentity:getCallerIdentity": [
    {
      actions: [],
      source: doc(
        "STS API, GetCallerIdentity: no permissions are required (an explicit deny does not stop it)",
        "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html",
      ),
    },
  ],
  "aws:index/getRegion:getRegion": [
    { actions: [], source: tf("meta/region_data_source.go", "resolved from the provider's region and endpoint tables, no API call") },
  ],
  "aws:ec2/getManagedPrefixList:getManagedPrefixList": [
    {
      actions: ["ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries"],
      source: tf("ec2/vpc_managed_prefix_list_data_source.go"),
    },
  ],
  "aws:route53/getZone:getZone": [
    {
      actions: ["route53:ListHostedZones", "route53:GetHostedZone", "route53:ListTagsForResource"],
      source: tf(
        "route53/zone_data_source.go",
        "by name: ListHostedZones, then GetHostedZone for the name servers and ListTagsForResource for the tags; a private zone's name servers also need ListResourceRecordSets",
      ),
    },
  ],
};
