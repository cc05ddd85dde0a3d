/**
 * AWS's own constraints on values this program sets, each with the AWS (or provider) page that
 * states it. `test/deployReadiness.test.ts` checks every resource of every stack variant against
 * them; a rule that no resource exercises fails the test, so the table cannot rot.
 */
import { T } from "../../scripts/resourceTypes";

export interface ValueRule {
  /** What is constrained, in words: "security group description". */
  what: string;
  /** Resource type tokens it applies to, e.g. `aws:ec2/securityGroup:SecurityGroup`. */
  types: readonly string[];
  /**
   * Where the value is. An input path with `*` for every array element or map value
   * (`description`, `ingress.*.description`, `tags.*`), `tags.@keys` for the keys of a map, or
   * `@name` for the physical name the provider gives the resource (the mocks imitate its autonaming).
   */
  property: string;
  pattern?: RegExp;
  minLength?: number;
  maxLength?: number;
  /** The value must be one of these. */
  oneOf?: readonly (string | number)[];
  /** Inclusive numeric range. */
  range?: readonly [number, number];
  /** Only resources whose inputs pass this: for a constraint that depends on another input. */
  when?: (inputs: Record<string, any>) => boolean;
  /** The AWS documentation (or provider source) that states the rule: title and URL. */
  source: string;
}

const EC2_TAGGED = [
  T.defaultSecurityGroup,
  T.eip,
  T.flowLog,
  T.internetGateway,
  T.natGateway,
  T.routeTable,
  T.securityGroup,
  T.subnet,
  T.vpc,
  T.vpcEndpoint,
] as const;

/** Every type the program tags. */
const TAGGED = [
  ...EC2_TAGGED,
  T.logGroup,
  T.table,
  T.repository,
  T.cluster,
  T.service,
  T.taskDefinition,
  T.role,
  T.listener,
  T.loadBalancer,
  T.targetGroup,
  T.bucket,
  T.certificate,
  T.distribution,
  T.vpcOrigin,
  T.logDelivery,
  T.logDeliveryDestination,
  T.logDeliverySource,
  T.webAcl,
] as const;

/** Resource Groups Tagging API `Tag`: `^([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)$` for keys and values. */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:\/=+\-@]*$/u;
const TAG_SOURCE =
  "Tag, Resource Groups Tagging API Reference: https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_Tag.html";

/** EC2's "a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*" (security group names and descriptions, IpRange, Ipv6Range). */
const EC2_TEXT = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;
/** A name of letters, digits and hyphens that neither starts nor ends with a hyphen (ELB load balancers, target groups). */
const ELB_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
/** ECS: "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed." */
const ECS_NAME = /^[a-zA-Z0-9_-]+$/;

const DISTRIBUTION = T.distribution;
const WEB_ACL = T.webAcl;
/** WAF EntityName (web ACL and rule names): 1-128, `^[\w\-]+$`. */
const WAF_NAME_SOURCE =
  "CreateWebACL (Name) and Rule (Name), AWS WAFV2 API Reference: https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html https://docs.aws.amazon.com/waf/latest/APIReference/API_Rule.html";
/** WAF VisibilityConfig.MetricName: "only the characters: A-Z, a-z, 0-9, - (hyphen), and _ (underscore) ... from one to 128 characters ... can't contain ... All and Default_Action". */
const WAF_METRIC_NAME = /^(?!(?:All|Default_Action)$)[A-Za-z0-9_-]+$/;
const WAF_METRIC_SOURCE =
  "VisibilityConfig (MetricName), AWS WAFV2 API Reference: https://docs.aws.amazon.com/waf/latest/APIReference/API_VisibilityConfig.html";
const VIEWER_PROTOCOL_POLICY = ["allow-all", "https-only", "redirect-to-https"] as const;

export const VALUE_RULES: readonly ValueRule[] = [
  // EC2 security groups and their rules
  {
    what: "security group description",
    types: [T.securityGroup],
    property: "description",
    pattern: EC2_TEXT,
    maxLength: 255,
    source:
      "CreateSecurityGroup (Description), Amazon EC2 API Reference: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
  },
  {
    what: "security group name (cannot start with sg-)",
    types: [T.securityGroup],
    property: "@name",
    pattern: /^(?!sg-)[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/,
    maxLength: 255,
    source:
      "CreateSecurityGroup (GroupName), Amazon EC2 API Reference: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
  },
  /** The provider puts a CIDR rule's description in IpPermission.IpRanges / Ipv6Ranges (AuthorizeSecurityGroupIngress/Egress). */
  {
    what: "security group rule description, IPv4 CIDR",
    types: [T.ingress, T.egress],
    property: "description",
    when: (rule) => rule.cidrIpv4 !== undefined,
    pattern: EC2_TEXT,
    maxLength: 255,
    source: "IpRange (Description), Amazon EC2 API Reference: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html",
  },
  {
    what: "security group rule description, IPv6 CIDR",
    types: [T.ingress, T.egress],
    property: "description",
    when: (rule) => rule.cidrIpv6 !== undefined,
    pattern: EC2_TEXT,
    maxLength: 255,
    source: "Ipv6Range (Description), Amazon EC2 API Reference: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Ipv6Range.html",
  },
  /** A referenced group's rule goes in IpPermission.UserIdGroupPairs, whose documented set has no `&`. */
  {
    what: "security group rule description, referenced security group",
    types: [T.ingress, T.egress],
    property: "description",
    when: (rule) => rule.referencedSecurityGroupId !== undefined,
    pattern: /^[a-zA-Z0-9 ._\-:/()#,@[\]+=;{}!$*]*$/,
    maxLength: 255,
    source:
      "UserIdGroupPair (Description), Amazon EC2 API Reference: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UserIdGroupPair.html",
  },
  /** A prefix list's rule (CloudFront's origin-facing list) goes in IpPermission.PrefixListIds: the same set, no `&`. */
  {
    what: "security group rule description, prefix list",
    types: [T.ingress, T.egress],
    property: "description",
    when: (rule) => rule.prefixListId !== undefined,
    pattern: /^[a-zA-Z0-9 ._\-:/()#,@[\]+=;{}!$*]*$/,
    maxLength: 255,
    source:
      "PrefixListId (Description), Amazon EC2 API Reference: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_PrefixListId.html",
  },

  // Tags
  { what: "tag key", types: TAGGED, property: "tags.@keys", pattern: TAG_CHARACTERS, minLength: 1, maxLength: 128, source: TAG_SOURCE },
  { what: "tag value", types: TAGGED, property: "tags.*", pattern: TAG_CHARACTERS, maxLength: 256, source: TAG_SOURCE },
  {
    what: "tag key without the reserved aws: prefix",
    types: TAGGED,
    property: "tags.@keys",
    pattern: /^(?!aws:)[\s\S]*$/,
    source:
      'User-defined tag restrictions, AWS Billing and Cost Management User Guide ("The reserved prefix is aws:"): https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/allocation-tag-restrictions.html',
  },
  /** ECS: "Do not use aws:, AWS:, or any upper or lowercase combination of such as a prefix for either keys or values". */
  ...(["tags.@keys", "tags.*"] as const).map((property) => ({
    what: `ECS tag ${property === "tags.*" ? "value" : "key"} without an aws: prefix in any case`,
    types: [T.cluster, T.service, T.taskDefinition],
    property,
    pattern: /^(?!aws:)[\s\S]*$/i,
    source: "Tag, Amazon ECS API Reference: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html",
  })),
  {
    what: "EC2 tag key (at most 127 characters, not aws:)",
    types: EC2_TAGGED,
    property: "tags.@keys",
    pattern: /^(?!aws:)[\s\S]*$/,
    maxLength: 127,
    source: "Tag, Amazon EC2 API Reference: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Tag.html",
  },

  // Physical names (autonamed; the mocks imitate pulumi-aws, see computedState in scripts/offlineStack.ts)
  /** Pulumi autonames aws_lb up to 255 characters, so only this rule catches a name over 32. */
  {
    what: "load balancer name",
    types: [T.loadBalancer],
    property: "@name",
    pattern: /^(?!internal-)[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
    maxLength: 32,
    source:
      "CreateLoadBalancer (Name), Elastic Load Balancing API Reference: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
  },
  {
    what: "target group name",
    types: [T.targetGroup],
    property: "@name",
    pattern: ELB_NAME,
    maxLength: 32,
    source:
      "CreateTargetGroup (Name), Elastic Load Balancing API Reference: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
  },
  {
    what: "IAM role name",
    types: [T.role],
    property: "@name",
    pattern: /^[\w+=,.@-]+$/,
    minLength: 1,
    maxLength: 64,
    source: "CreateRole (RoleName), IAM API Reference: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
  },
  {
    what: "IAM role inline policy name",
    types: [T.rolePolicy],
    property: "@name",
    pattern: /^[\w+=,.@-]+$/,
    minLength: 1,
    maxLength: 128,
    source:
      "AWS::IAM::RolePolicy (PolicyName: 1-128, [\\w+=,.@-]+), CloudFormation Template Reference: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-rolepolicy.html",
  },
  {
    what: "CloudWatch Logs log group name",
    types: [T.logGroup],
    property: "@name",
    pattern: /^[.\-_/#A-Za-z0-9]+$/,
    minLength: 1,
    maxLength: 512,
    source:
      "CreateLogGroup (logGroupName), Amazon CloudWatch Logs API Reference: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
  },
  /** Length, characters, first/last character, no "..", not an IP address, and the reserved prefixes and suffixes the page lists. */
  {
    what: "S3 general purpose bucket name",
    types: [T.bucket],
    property: "@name",
    pattern:
      /^(?!xn--|sthree-|amzn-s3-demo-)(?!.*\.\.)(?!\d{1,3}(?:\.\d{1,3}){3}$)(?!.*(?:-s3alias|--ol-s3|\.mrap)$)[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
    minLength: 3,
    maxLength: 63,
    source:
      "General purpose bucket naming rules, Amazon S3 User Guide: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
  },
  /** The API pattern, plus the text's "must start with a letter". */
  {
    what: "ECR repository name",
    types: [T.repository],
    property: "@name",
    pattern: /^(?=[a-z])[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/,
    minLength: 2,
    maxLength: 256,
    source:
      "CreateRepository (repositoryName), Amazon ECR API Reference: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html",
  },
  {
    what: "ECS cluster name",
    types: [T.cluster],
    property: "@name",
    pattern: ECS_NAME,
    maxLength: 255,
    source:
      "CreateCluster (clusterName), Amazon ECS API Reference: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html",
  },
  {
    what: "ECS service name",
    types: [T.service],
    property: "@name",
    pattern: ECS_NAME,
    maxLength: 255,
    source:
      "CreateService (serviceName), Amazon ECS API Reference: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html",
  },
  {
    what: "ECS task definition family",
    types: [T.taskDefinition],
    property: "family",
    pattern: ECS_NAME,
    maxLength: 255,
    source:
      "RegisterTaskDefinition (family), Amazon ECS API Reference: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
  },
  {
    what: "DynamoDB table name",
    types: [T.table],
    property: "@name",
    pattern: /^[a-zA-Z0-9_.-]+$/,
    minLength: 3,
    maxLength: 255,
    source:
      "Supported data types and naming rules in Amazon DynamoDB: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html",
  },

  // Values with a documented set or range
  {
    what: "log group retention in days",
    types: [T.logGroup],
    property: "retentionInDays",
    oneOf: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
    source:
      "PutRetentionPolicy (retentionInDays), Amazon CloudWatch Logs API Reference: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
  },
  {
    what: "VPC flow log maximum aggregation interval (seconds)",
    types: [T.flowLog],
    property: "maxAggregationInterval",
    oneOf: [60, 600],
    source:
      "CreateFlowLogs (MaxAggregationInterval), Amazon EC2 API Reference: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateFlowLogs.html",
  },
  {
    what: "target group deregistration delay (deregistration_delay.timeout_seconds)",
    types: [T.targetGroup],
    property: "deregistrationDelay",
    range: [0, 3600],
    source:
      "TargetGroupAttribute, Elastic Load Balancing API Reference: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html",
  },
  {
    what: "target group health check interval (seconds)",
    types: [T.targetGroup],
    property: "healthCheck.interval",
    range: [5, 300],
    source:
      "CreateTargetGroup (HealthCheckIntervalSeconds), Elastic Load Balancing API Reference: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
  },
  {
    what: "target group health check timeout (seconds)",
    types: [T.targetGroup],
    property: "healthCheck.timeout",
    range: [2, 120],
    source:
      "CreateTargetGroup (HealthCheckTimeoutSeconds), Elastic Load Balancing API Reference: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
  },
  {
    what: "target group healthy threshold count",
    types: [T.targetGroup],
    property: "healthCheck.healthyThreshold",
    range: [2, 10],
    source:
      "CreateTargetGroup (HealthyThresholdCount), Elastic Load Balancing API Reference: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
  },
  {
    what: "target group unhealthy threshold count",
    types: [T.targetGroup],
    property: "healthCheck.unhealthyThreshold",
    range: [2, 10],
    source:
      "CreateTargetGroup (UnhealthyThresholdCount), Elastic Load Balancing API Reference: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
  },
  /** Application Load Balancer: codes 200-499, as a list ("200,202") or a range ("200-299"). */
  {
    what: "target group health check success codes (ALB)",
    types: [T.targetGroup],
    property: "healthCheck.matcher",
    pattern: /^(?:[2-4]\d\d(?:,[2-4]\d\d)*|[2-4]\d\d-[2-4]\d\d)$/,
    source:
      "Matcher (HttpCode), Elastic Load Balancing API Reference: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Matcher.html",
  },
  {
    what: "S3 lifecycle rule ID",
    types: [T.bucketLifecycle],
    property: "rules.*.id",
    maxLength: 255,
    source: "LifecycleRule (ID), Amazon S3 API Reference: https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html",
  },
  {
    what: "DynamoDB TTL attribute name",
    types: [T.table],
    property: "ttl.attributeName",
    minLength: 1,
    maxLength: 255,
    source:
      "TimeToLiveSpecification (AttributeName), Amazon DynamoDB API Reference: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TimeToLiveSpecification.html",
  },

  // CloudFront (the VPC origin's name and the cache policy's name have no documented constraint)
  {
    what: "CloudFront distribution comment",
    types: [DISTRIBUTION],
    property: "comment",
    maxLength: 128,
    source:
      'DistributionConfig (Comment: "cannot be longer than 128 characters"), Amazon CloudFront API Reference: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html',
  },
  {
    what: "CloudFront distribution price class",
    types: [DISTRIBUTION],
    property: "priceClass",
    oneOf: ["PriceClass_100", "PriceClass_200", "PriceClass_All", "None"],
    source:
      "DistributionConfig (PriceClass), Amazon CloudFront API Reference: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html",
  },
  {
    what: "CloudFront distribution HTTP version",
    types: [DISTRIBUTION],
    property: "httpVersion",
    oneOf: ["http1.1", "http2", "http3", "http2and3"],
    source:
      "DistributionConfig (HttpVersion), Amazon CloudFront API Reference: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html",
  },
  {
    what: "CloudFront default cache behavior viewer protocol policy",
    types: [DISTRIBUTION],
    property: "defaultCacheBehavior.viewerProtocolPolicy",
    oneOf: VIEWER_PROTOCOL_POLICY,
    source:
      "DefaultCacheBehavior (ViewerProtocolPolicy), Amazon CloudFront API Reference: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DefaultCacheBehavior.html",
  },
  {
    what: "CloudFront cache behavior viewer protocol policy",
    types: [DISTRIBUTION],
    property: "orderedCacheBehaviors.*.viewerProtocolPolicy",
    oneOf: VIEWER_PROTOCOL_POLICY,
    source:
      "CacheBehavior (ViewerProtocolPolicy), Amazon CloudFront API Reference: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CacheBehavior.html",
  },
  /** The API reference says 1-120 for both; the CloudFormation schema says up to 300 for the keep-alive: the stricter one. */
  {
    what: "CloudFront VPC origin response (read) timeout, seconds",
    types: [DISTRIBUTION],
    property: "origins.*.vpcOriginConfig.originReadTimeout",
    range: [1, 120],
    source:
      "VpcOriginConfig (OriginReadTimeout), Amazon CloudFront API Reference: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_VpcOriginConfig.html",
  },
  {
    what: "CloudFront VPC origin keep-alive timeout, seconds",
    types: [DISTRIBUTION],
    property: "origins.*.vpcOriginConfig.originKeepaliveTimeout",
    range: [1, 120],
    source:
      "VpcOriginConfig (OriginKeepaliveTimeout), Amazon CloudFront API Reference: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_VpcOriginConfig.html",
  },
  {
    what: "CloudFront cache policy comment",
    types: [T.cachePolicy],
    property: "comment",
    maxLength: 128,
    source:
      'CachePolicyConfig (Comment: "cannot be longer than 128 characters"), Amazon CloudFront API Reference: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachePolicyConfig.html',
  },

  // AWS WAF
  {
    what: "WAF web ACL name",
    types: [WEB_ACL],
    property: "name",
    pattern: /^[\w-]+$/,
    minLength: 1,
    maxLength: 128,
    source: WAF_NAME_SOURCE,
  },
  {
    what: "WAF rule name",
    types: [WEB_ACL],
    property: "rules.*.name",
    pattern: /^[\w-]+$/,
    minLength: 1,
    maxLength: 128,
    source: WAF_NAME_SOURCE,
  },
  {
    what: "WAF web ACL metric name",
    types: [WEB_ACL],
    property: "visibilityConfig.metricName",
    pattern: WAF_METRIC_NAME,
    minLength: 1,
    maxLength: 128,
    source: WAF_METRIC_SOURCE,
  },
  {
    what: "WAF rule metric name",
    types: [WEB_ACL],
    property: "rules.*.visibilityConfig.metricName",
    pattern: WAF_METRIC_NAME,
    minLength: 1,
    maxLength: 128,
    source: WAF_METRIC_SOURCE,
  },
  {
    what: "WAF rate-based rule limit (requests per evaluation window)",
    types: [WEB_ACL],
    property: "rules.*.statement.rateBasedStatement.limit",
    range: [10, 2_000_000_000],
    source:
      "RateBasedStatement (Limit), AWS WAFV2 API Reference: https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html",
  },
  {
    what: "WAF rate-based rule evaluation window, seconds",
    types: [WEB_ACL],
    property: "rules.*.statement.rateBasedStatement.evaluationWindowSec",
    oneOf: [60, 120, 300, 600],
    source:
      'RateBasedStatement (EvaluationWindowSec: "The valid settings are 60, 120, 300, and 600"), AWS WAFV2 API Reference: https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html',
  },

  // CloudWatch Logs deliveries (standard logging v2) and Route 53
  {
    what: "CloudWatch Logs delivery source name",
    types: [T.logDeliverySource],
    property: "name",
    pattern: /^[\w-]+$/,
    minLength: 1,
    maxLength: 60,
    source:
      "PutDeliverySource (name), Amazon CloudWatch Logs API Reference: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDeliverySource.html",
  },
  {
    what: "CloudWatch Logs delivery destination name",
    types: [T.logDeliveryDestination],
    property: "name",
    pattern: /^[\w-]+$/,
    minLength: 1,
    maxLength: 60,
    source:
      "PutDeliveryDestination (name), Amazon CloudWatch Logs API Reference: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDeliveryDestination.html",
  },
  {
    what: "Route 53 record type",
    types: [T.record],
    property: "type",
    oneOf: ["SOA", "A", "TXT", "NS", "CNAME", "MX", "NAPTR", "PTR", "SRV", "SPF", "AAAA", "CAA", "DS", "TLSA", "SSHFP", "SVCB", "HTTPS"],
    source:
      "ResourceRecordSet (Type), Amazon Route 53 API Reference: https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html",
  },
];
