/**
 * What `pulumi up` and `pulumi destroy` of the Boyacky stacks call, per AWS service: explicit
 * actions (no `service:*`), scoped to `boyacky-*` resources where the service supports it and
 * to the stack's region everywhere else. Grow it when the stack grows:
 * `test/deployReadiness.test.ts` fails when a resource type the program creates needs an action
 * this policy does not grant (the table and its sources: `test/support/deployActions.ts`).
 *
 * The review role (review-stack.yml) gets the same statements with every name-scoped resource
 * narrowed to the review stacks `pr-<number>` (`boyacky-pr-*`), plus a deny on anything tagged as
 * another Boyacky stack: `reviewStatements`.
 */
import { PARAMETER_PATH } from "../infra/appSecrets";
import { STACK_ROLE_PATH } from "../infra/taskRoles";

/** The Pulumi project (Pulumi.yaml `name`): every stack names its resources `boyacky-<stack>-…` and tags them `app: boyacky`. */
export const PROJECT = "boyacky";

/** Stack-name prefix of the review stacks (`pr-<number>`): their resources are `boyacky-pr-<number>-…`. */
export const REVIEW_STACK_PREFIX = "pr-";

export interface PermissionScope {
  region: string;
  accountId: string;
  /** The self-managed backend's state bucket, if any: both roles read it, the deploy role writes it. */
  stateBucket?: string;
}

export interface Statement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** Services whose create actions cannot be scoped by resource ARN: limited to the region. */
const REGIONAL: Record<string, string[]> = {
  Networking: [
    "ec2:Describe*",
    "ec2:CreateVpc",
    "ec2:DeleteVpc",
    "ec2:ModifyVpcAttribute",
    "ec2:CreateSubnet",
    "ec2:DeleteSubnet",
    "ec2:ModifySubnetAttribute",
    "ec2:CreateInternetGateway",
    "ec2:DeleteInternetGateway",
    "ec2:AttachInternetGateway",
    "ec2:DetachInternetGateway",
    "ec2:CreateRouteTable",
    "ec2:DeleteRouteTable",
    "ec2:CreateRoute",
    "ec2:DeleteRoute",
    "ec2:ReplaceRoute",
    "ec2:AssociateRouteTable",
    "ec2:DisassociateRouteTable",
    "ec2:ReplaceRouteTableAssociation",
    "ec2:AllocateAddress",
    "ec2:ReleaseAddress",
    "ec2:DisassociateAddress",
    "ec2:CreateNatGateway",
    "ec2:DeleteNatGateway",
    "ec2:CreateVpcEndpoint",
    "ec2:DeleteVpcEndpoints",
    "ec2:ModifyVpcEndpoint",
    "ec2:CreateSecurityGroup",
    "ec2:DeleteSecurityGroup",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:AuthorizeSecurityGroupEgress",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:RevokeSecurityGroupEgress",
    "ec2:ModifySecurityGroupRules",
    "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
    "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
    "ec2:CreateFlowLogs",
    "ec2:DeleteFlowLogs",
    "ec2:GetManagedPrefixListEntries", // CloudFront's origin-facing prefix list, for the ALB's security group
    "ec2:CreateTags",
    "ec2:DeleteTags",
  ],
  LoadBalancing: [
    "elasticloadbalancing:Describe*",
    "elasticloadbalancing:CreateLoadBalancer",
    "elasticloadbalancing:DeleteLoadBalancer",
    "elasticloadbalancing:ModifyLoadBalancerAttributes",
    "elasticloadbalancing:SetSecurityGroups",
    "elasticloadbalancing:SetSubnets",
    "elasticloadbalancing:SetIpAddressType",
    "elasticloadbalancing:CreateTargetGroup",
    "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes",
    "elasticloadbalancing:CreateListener",
    "elasticloadbalancing:DeleteListener",
    "elasticloadbalancing:ModifyListener",
    "elasticloadbalancing:ModifyListenerAttributes",
    "elasticloadbalancing:CreateRule",
    "elasticloadbalancing:DeleteRule",
    "elasticloadbalancing:ModifyRule",
    "elasticloadbalancing:SetRulePriorities",
    "elasticloadbalancing:AddTags",
    "elasticloadbalancing:RemoveTags",
  ],
  Containers: [
    "ecs:CreateCluster",
    "ecs:DeleteCluster",
    "ecs:DescribeClusters",
    "ecs:UpdateCluster",
    "ecs:UpdateClusterSettings",
    "ecs:PutClusterCapacityProviders",
    "ecs:RegisterTaskDefinition",
    "ecs:DeregisterTaskDefinition",
    "ecs:DescribeTaskDefinition",
    "ecs:CreateService",
    "ecs:UpdateService",
    "ecs:DeleteService",
    "ecs:DescribeServices",
    "ecs:ListTasks",
    "ecs:DescribeTasks",
    // The provider's waitForSteadyState follows the deployment (terraform-provider-aws internal/service/ecs/service.go).
    "ecs:ListServiceDeployments",
    "ecs:DescribeServiceDeployments",
    "ecs:TagResource",
    "ecs:UntagResource",
    "ecs:ListTagsForResource",
  ],
  Autoscaling: [
    "application-autoscaling:RegisterScalableTarget",
    "application-autoscaling:DeregisterScalableTarget",
    "application-autoscaling:DescribeScalableTargets",
    "application-autoscaling:PutScalingPolicy",
    "application-autoscaling:DeleteScalingPolicy",
    "application-autoscaling:DescribeScalingPolicies",
    "application-autoscaling:TagResource",
    "application-autoscaling:UntagResource",
    "application-autoscaling:ListTagsForResource",
    // Target tracking creates and deletes its CloudWatch alarms with the caller's permissions
    // (Application Auto Scaling User Guide, permissions for actions on target services and CloudWatch).
    "cloudwatch:DescribeAlarms",
    "cloudwatch:PutMetricAlarm",
    "cloudwatch:DeleteAlarms",
    // The deployment alarms (infra/deploymentAlarms.ts), tagged.
    "cloudwatch:TagResource",
    "cloudwatch:UntagResource",
    "cloudwatch:ListTagsForResource",
  ],
};

/**
 * The deploy role's statements, for the stacks whose name starts with `stackPrefix`: every stack
 * (`""`, the deploy role: `boyacky-*`) or the review stacks (`"pr-"`: `boyacky-pr-*`). Only the
 * name-scoped resources differ; what AWS cannot scope by name stays limited to the region.
 */
export function deployStatements({ region, accountId, stateBucket }: PermissionScope, stackPrefix = ""): Statement[] {
  const inRegion = { StringEquals: { "aws:RequestedRegion": region } };
  const named = (service: string, resource: string) => `arn:aws:${service}:${region}:${accountId}:${resource}`;
  /** How the program names the resources of these stacks: `${pulumi.getProject()}-${pulumi.getStack()}-…` (index.ts). */
  const prefix = `${PROJECT}-${stackPrefix}`;
  // Only the stacks' roles, which all live under this path: not the bootstrap's own roles (at `/`),
  // so the deploy role cannot rewrite its own policy.
  const stackRoles = `arn:aws:iam::${accountId}:role${STACK_ROLE_PATH}${prefix}*`;
  return [
    ...Object.entries(REGIONAL).map(([sid, actions]) => ({
      Sid: sid,
      Effect: "Allow" as const,
      Action: actions,
      Resource: "*",
      Condition: inRegion,
    })),
    {
      Sid: "ImageRegistry",
      Effect: "Allow",
      Action: [
        "ecr:CreateRepository",
        "ecr:DeleteRepository",
        "ecr:DescribeRepositories",
        "ecr:PutImageScanningConfiguration",
        "ecr:PutImageTagMutability",
        "ecr:PutLifecyclePolicy",
        "ecr:GetLifecyclePolicy",
        "ecr:DeleteLifecyclePolicy",
        "ecr:TagResource",
        "ecr:UntagResource",
        "ecr:ListTagsForResource",
        "ecr:BatchCheckLayerAvailability",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:PutImage",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:DescribeImages",
        "ecr:ListImages",
        "ecr:BatchDeleteImage",
      ],
      Resource: named("ecr", `repository/${prefix}*`),
    },
    // An ECR login token is account-wide: AWS allows no narrower resource for this action.
    { Sid: "ImageRegistryLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*", Condition: inRegion },
    {
      // The app's secrets (infra/appSecrets.ts): SecureStrings under AWS's key for SSM.
      Sid: "AppSecrets",
      Effect: "Allow",
      Action: [
        "ssm:PutParameter",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:DeleteParameter",
        "ssm:AddTagsToResource",
        "ssm:ListTagsForResource",
        "ssm:RemoveTagsFromResource",
      ],
      Resource: named("ssm", `parameter${PARAMETER_PATH}${prefix}*`),
    },
    // DescribeParameters has no resource type (Service Authorization Reference, Systems Manager).
    { Sid: "AppSecretsList", Effect: "Allow", Action: ["ssm:DescribeParameters"], Resource: "*", Condition: inRegion },
    {
      // The export job's daily schedule (in the default schedule group).
      Sid: "ExportSchedule",
      Effect: "Allow",
      Action: ["scheduler:CreateSchedule", "scheduler:GetSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"],
      Resource: named("scheduler", `schedule/default/${prefix}*`),
    },
    {
      Sid: "Table",
      Effect: "Allow",
      Action: [
        "dynamodb:CreateTable",
        "dynamodb:DeleteTable",
        "dynamodb:DescribeTable",
        "dynamodb:UpdateTable",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:UpdateContinuousBackups",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:UpdateTimeToLive",
        "dynamodb:TagResource",
        "dynamodb:UntagResource",
        "dynamodb:ListTagsOfResource",
      ],
      Resource: named("dynamodb", `table/${prefix}*`),
    },
    {
      Sid: "Logs",
      Effect: "Allow",
      Action: [
        "logs:CreateLogGroup",
        "logs:DeleteLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        "logs:TagResource",
        "logs:UntagResource",
        "logs:ListTagsForResource",
        "logs:TagLogGroup",
        "logs:ListTagsLogGroup",
      ],
      Resource: [named("logs", `log-group:/ecs/${prefix}*`), named("logs", `log-group:/vpc/${prefix}*`)],
    },
    { Sid: "LogsRead", Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: "*", Condition: inRegion },
    // VPC flow logs to S3: the caller sets up the log delivery, and AWS allows no narrower resource
    // (VPC User Guide, "IAM policy for IAM principals that publish flow logs to Amazon S3").
    {
      Sid: "FlowLogDelivery",
      Effect: "Allow",
      Action: ["logs:CreateLogDelivery", "logs:DeleteLogDelivery"],
      Resource: "*",
      Condition: inRegion,
    },
    // Interface endpoints with private DNS: a dependent action of ec2:CreateVpcEndpoint (Service
    // Authorization Reference, Amazon EC2), on the AWS-managed private hosted zone. Route 53 is a
    // global service, so no region condition; only hosted zones.
    {
      Sid: "EndpointPrivateDns",
      Effect: "Allow",
      Action: ["route53:AssociateVPCWithHostedZone"],
      Resource: "arn:aws:route53:::hostedzone/*",
    },
    {
      Sid: "Roles",
      Effect: "Allow",
      Action: [
        "iam:CreateRole",
        "iam:DeleteRole",
        "iam:GetRole",
        "iam:UpdateRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:PutRolePolicy",
        "iam:GetRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
      ],
      Resource: stackRoles,
    },
    {
      // The task roles to ECS tasks; with canary, linear or blue-green, the load balancer infrastructure role to ECS;
      // the export schedule's role to EventBridge Scheduler.
      Sid: "PassRolesToEcs",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: stackRoles,
      Condition: { StringEquals: { "iam:PassedToService": ["ecs-tasks.amazonaws.com", "ecs.amazonaws.com", "scheduler.amazonaws.com"] } },
    },
    {
      Sid: "ServiceLinkedRoles",
      Effect: "Allow",
      Action: ["iam:CreateServiceLinkedRole"],
      Resource: `arn:aws:iam::${accountId}:role/aws-service-role/*`,
      Condition: {
        StringEquals: {
          "iam:AWSServiceName": [
            "ecs.amazonaws.com",
            "elasticloadbalancing.amazonaws.com",
            "ecs.application-autoscaling.amazonaws.com",
            "vpcorigin.cloudfront.amazonaws.com",
          ],
        },
      },
    },
    {
      Sid: "AccessLogBucket",
      Effect: "Allow",
      Action: [
        "s3:CreateBucket",
        "s3:DeleteBucket",
        "s3:ListBucket",
        "s3:ListBucketVersions",
        "s3:GetBucket*",
        "s3:PutBucket*",
        "s3:DeleteBucketPolicy",
        "s3:GetEncryptionConfiguration",
        "s3:PutEncryptionConfiguration",
        "s3:GetLifecycleConfiguration",
        "s3:PutLifecycleConfiguration",
        "s3:GetAccelerateConfiguration",
        "s3:GetReplicationConfiguration",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
      ],
      Resource: [`arn:aws:s3:::${prefix}*`, `arn:aws:s3:::${prefix}*/*`],
    },
    ...edgeStatements(accountId, prefix),
    // destroy.yml finds prod's load balancer by its tags to lift its deletion protection.
    { Sid: "FindByTags", Effect: "Allow", Action: ["tag:GetResources"], Resource: "*", Condition: inRegion },
    ...stateBackendStatements(stateBucket, "write", stackPrefix),
  ];
}

/** Where CloudFront's calls, WAF's CLOUDFRONT scope, CloudFront's certificates and log deliveries, and Route 53's calls go. */
export const EDGE_REGION = "us-east-1";

/**
 * The CloudFront edge, its WAF web ACL, certificates, access-log delivery and DNS records. Each of
 * these calls carries aws:RequestedRegion us-east-1: CloudFront and Route 53 are global services
 * answered there (IAM User Guide, "Denies access to AWS based on the requested Region"), and WAF's
 * CLOUDFRONT scope, the viewer certificate and the log delivery are created there.
 */
function edgeStatements(accountId: string, prefix: string): Statement[] {
  const inEdge = { StringEquals: { "aws:RequestedRegion": EDGE_REGION } };
  const edgeLogs = (resource: string) => `arn:aws:logs:${EDGE_REGION}:${accountId}:${resource}`;
  return [
    {
      // CloudFront's Create* actions have no resource type, and distribution and origin ids are not known in advance.
      Sid: "Edge",
      Effect: "Allow",
      Action: [
        "cloudfront:CreateDistribution",
        "cloudfront:GetDistribution",
        "cloudfront:UpdateDistribution",
        "cloudfront:DeleteDistribution",
        "cloudfront:CreateVpcOrigin",
        "cloudfront:GetVpcOrigin",
        "cloudfront:UpdateVpcOrigin",
        "cloudfront:DeleteVpcOrigin",
        "cloudfront:CreateCachePolicy",
        "cloudfront:GetCachePolicy",
        "cloudfront:UpdateCachePolicy",
        "cloudfront:DeleteCachePolicy",
        "cloudfront:TagResource",
        "cloudfront:UntagResource",
        "cloudfront:ListTagsForResource",
        "cloudfront:AllowVendedLogDeliveryForResource",
      ],
      Resource: "*",
      Condition: inEdge,
    },
    {
      Sid: "EdgeWaf",
      Effect: "Allow",
      Action: [
        "wafv2:CreateWebACL",
        "wafv2:GetWebACL",
        "wafv2:UpdateWebACL",
        "wafv2:DeleteWebACL",
        "wafv2:TagResource",
        "wafv2:UntagResource",
        "wafv2:ListTagsForResource",
      ],
      // The web ACLs of the stacks, and AWS's managed rule groups they use.
      Resource: [
        `arn:aws:wafv2:${EDGE_REGION}:${accountId}:global/webacl/${prefix}*/*`,
        `arn:aws:wafv2:${EDGE_REGION}:*:global/managedruleset/*/*`,
      ],
    },
    {
      // Certificates: CloudFront's in us-east-1 and the origin's in the stack's region (a second statement would only repeat these actions).
      Sid: "Certificates",
      Effect: "Allow",
      Action: [
        "acm:RequestCertificate",
        "acm:AddTagsToCertificate",
        "acm:DescribeCertificate",
        "acm:ListTagsForCertificate",
        "acm:UpdateCertificateOptions",
        "acm:RemoveTagsFromCertificate",
        "acm:DeleteCertificate",
      ],
      Resource: `arn:aws:acm:*:${accountId}:certificate/*`,
    },
    {
      Sid: "EdgeLogDelivery",
      Effect: "Allow",
      Action: [
        "logs:PutDeliverySource",
        "logs:GetDeliverySource",
        "logs:DeleteDeliverySource",
        "logs:PutDeliveryDestination",
        "logs:GetDeliveryDestination",
        "logs:DeleteDeliveryDestination",
        "logs:CreateDelivery",
        "logs:GetDelivery",
        "logs:UpdateDeliveryConfiguration",
        "logs:DeleteDelivery",
        "logs:TagResource",
        "logs:UntagResource",
        "logs:ListTagsForResource",
      ],
      Resource: [edgeLogs(`delivery-source:${prefix}*`), edgeLogs(`delivery-destination:${prefix}*`), edgeLogs("delivery:*")],
    },
    {
      Sid: "Dns",
      Effect: "Allow",
      Action: [
        "route53:ChangeResourceRecordSets",
        "route53:ListResourceRecordSets",
        "route53:GetHostedZone",
        "route53:ListTagsForResource",
      ],
      Resource: "arn:aws:route53:::hostedzone/*",
    },
    { Sid: "DnsChanges", Effect: "Allow", Action: ["route53:GetChange"], Resource: "arn:aws:route53:::change/*" },
    { Sid: "DnsZones", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: "*", Condition: inEdge },
  ];
}

/**
 * Object access to a self-managed backend's bucket (`pulumi login s3://<bucket>`), from
 * pulumi/pulumi pkg/backend/diy: `up` and `destroy` list and read the checkpoint, take a lock
 * (a `.pulumi/locks/` object written, listed and deleted: lock.go), and write the checkpoint,
 * its backups and the history; `preview` takes no lock and writes nothing (backend.go, Preview).
 * With a `stackPrefix` (the review role), writes reach only those stacks' objects: the project's
 * layout keeps each under `.pulumi/{stacks,history,backups,locks/<org>}/boyacky/<stack>…`. Reads
 * stay bucket-wide, as for the preview role (`pulumi stack ls` reads every stack's checkpoint).
 */
function stateBackendStatements(bucket: string | undefined, access: "read" | "write", stackPrefix = ""): Statement[] {
  if (!bucket) return [];
  const objects = `arn:aws:s3:::${bucket}/*`;
  const list: Statement = {
    Sid: "StateBucketList",
    Effect: "Allow",
    Action: ["s3:ListBucket", "s3:GetBucketLocation"],
    Resource: `arn:aws:s3:::${bucket}`,
  };
  if (access === "read") return [list, { Sid: "StateObjectsRead", Effect: "Allow", Action: ["s3:GetObject"], Resource: objects }];
  if (!stackPrefix)
    return [list, { Sid: "StateObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: objects }];
  return [
    list,
    { Sid: "StateObjectsRead", Effect: "Allow", Action: ["s3:GetObject"], Resource: objects },
    {
      Sid: "StateObjectsWrite",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      Resource: `arn:aws:s3:::${bucket}/.pulumi/*/${PROJECT}/${stackPrefix}*`,
    },
  ];
}

/**
 * The review role: the deploy role's statements for the review stacks only (`boyacky-pr-*`, the
 * IAM path's `boyacky-pr-*` roles, their state objects), and a deny on every resource tagged as
 * another Boyacky stack. The deny covers what the allows cannot scope by name (the VPC, the load
 * balancer, the ECS service, the distribution: Resource `*` in the region), wherever AWS checks
 * `aws:ResourceTag` for the action; where it does not, the key is absent and the deny does not
 * apply, so it never blocks the review stacks' own resources (tagged `stack: pr-<number>`).
 */
export function reviewStatements(scope: PermissionScope): Statement[] {
  return [
    ...deployStatements(scope, REVIEW_STACK_PREFIX),
    {
      Sid: "NotOtherStacks",
      Effect: "Deny",
      Action: ["*"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:ResourceTag/app": PROJECT },
        StringNotLike: { "aws:ResourceTag/stack": `${REVIEW_STACK_PREFIX}*` },
      },
    },
  ];
}

/** The preview role: only what `pulumi preview` reads (data sources), nothing that changes anything. */
export function previewStatements({ region, stateBucket }: PermissionScope): Statement[] {
  return [
    {
      Sid: "PreviewDataSources",
      Effect: "Allow",
      Action: [
        "ec2:DescribeAvailabilityZones",
        "ecr:GetAuthorizationToken",
        "ec2:DescribeManagedPrefixLists",
        "ec2:GetManagedPrefixListEntries",
      ],
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": region } },
    },
    // With domainName and no hostedZoneId the program looks the zone up by name.
    {
      Sid: "PreviewZoneLookup",
      Effect: "Allow",
      Action: ["route53:ListHostedZones"],
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": EDGE_REGION } },
    },
    {
      Sid: "PreviewZoneRead",
      Effect: "Allow",
      Action: ["route53:GetHostedZone", "route53:ListTagsForResource"],
      Resource: "arn:aws:route53:::hostedzone/*",
    },
    ...stateBackendStatements(stateBucket, "read"),
  ];
}
