import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DomainCertificate } from "./domainCertificate";
import { PrivateBucket } from "./privateBucket";
import { WebAcl } from "./webAcl";

/** Where CloudFront's own regional resources live: ACM certificates, WAF's CLOUDFRONT scope, the log delivery. */
export const EDGE_REGION = "us-east-1";

/** AWS-managed CloudFront policies (CloudFront Developer Guide, "Use managed cache policies", "Use managed origin request policies"). */
export const MANAGED_POLICY = {
  /** Nothing cached: every page and API answer comes from the app, so a post is never hidden from its author. */
  cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
  /** Every viewer header (Host included), cookie and query string, plus CloudFront's headers such as CloudFront-Forwarded-Proto. */
  allViewerAndCloudFrontHeaders: "33f36d7e-f396-46d9-90e0-52428a34d9dc",
} as const;

/** The viewer's protocol as CloudFront tells the origin: the app reads it (BOYACKY_FORWARDED_PROTO_HEADER). */
export const VIEWER_PROTO_HEADER = "cloudfront-forwarded-proto";

/** The zone every alias record to a CloudFront distribution points into (Route 53 API reference, AliasTarget). */
export const CLOUDFRONT_ALIAS_ZONE_ID = "Z2FDTNDATAQYW2";

const ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"];
const READ_METHODS = ["GET", "HEAD"];
const ORIGIN_ID = "alb";

export interface EdgeArgs {
  /** The internal ALB CloudFront reaches through the VPC origin. */
  loadBalancerArn: pulumi.Input<string>;
  /** The name CloudFront connects to: the ALB's DNS name, or `origin.<domain>` when the origin has a certificate. */
  originDomainName: pulumi.Input<string>;
  /** CloudFront reaches the ALB over HTTPS (the ALB has a certificate for `originDomainName`). Default false: HTTP inside the VPC. */
  originHttps?: boolean;
  /** Your domain for viewers (certificate in us-east-1 and alias records created). Default none: the distribution's *.cloudfront.net name. */
  domain?: { name: string; zoneId: pulumi.Input<string> };
  /** An AWS WAF web ACL on the distribution, with this per-client-IP limit per 5 minutes. Default none. */
  waf?: { requestsPer5Minutes: number };
  /** What the VPC origin must wait for: CloudFront needs the VPC's internet gateway. Default none. */
  dependsOn?: pulumi.Resource[];
  /** Keep the access-log bucket on `pulumi destroy` (prod). */
  protectData: boolean;
  /** Days the access logs are kept. Default PrivateBucket's (30). */
  accessLogExpireDays?: number;
}

/**
 * HTTPS on every stack without a domain: a CloudFront distribution in front of the internal ALB,
 * reached through a CloudFront VPC origin. Viewers are redirected to HTTPS (HTTP/2 and HTTP/3);
 * pages and the API are never cached and get every viewer header, cookie and query string;
 * `/static/*` is cached at the edge for as long as the app's Cache-Control says, compressed.
 * Access logs go to S3 (standard logging v2). Optionally a WAF web ACL and your own domain.
 */
export class Edge extends pulumi.ComponentResource {
  /** `https://<domain or *.cloudfront.net name>`. */
  readonly url: pulumi.Output<string>;
  readonly distributionId: pulumi.Output<string>;
  readonly distributionDomainName: pulumi.Output<string>;

  constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boyacky:infra:Edge", name, {}, opts);
    const parent = { parent: this };

    // Relied on (CloudFront Developer Guide, "Restrict access with VPC origins"): the origin is an
    // internal ALB in private subnets of a VPC with an internet gateway (not used for routing, but
    // required); CloudFront reaches it through interfaces it creates in those subnets; the ALB's
    // security group admits CloudFront's origin-facing prefix list; a VPC origin attached to a
    // distribution cannot be updated in place (409), so a change replaces it, new one first.
    const vpcOrigin = new aws.cloudfront.VpcOrigin(
      `${name}-origin`,
      {
        vpcOriginEndpointConfig: {
          name: `${name}-alb`,
          arn: args.loadBalancerArn,
          httpPort: 80,
          httpsPort: 443,
          originProtocolPolicy: args.originHttps ? "https-only" : "http-only",
          originSslProtocols: { items: ["TLSv1.2"], quantity: 1 },
        },
      },
      { parent: this, dependsOn: args.dependsOn, replaceOnChanges: ["vpcOriginEndpointConfig"] },
    );

    const staticAssets = new aws.cloudfront.CachePolicy(
      `${name}-static`,
      {
        name: `${name}-static`,
        comment: "Static assets: cached as long as the app's Cache-Control says, compressed",
        minTtl: 0,
        defaultTtl: 0,
        maxTtl: 31_536_000,
        parametersInCacheKeyAndForwardedToOrigin: {
          enableAcceptEncodingGzip: true,
          enableAcceptEncodingBrotli: true,
          cookiesConfig: { cookieBehavior: "none" },
          headersConfig: { headerBehavior: "none" },
          queryStringsConfig: { queryStringBehavior: "none" },
        },
      },
      parent,
    );

    const certificate =
      args.domain &&
      new DomainCertificate(`${name}-viewer`, { domainName: args.domain.name, zoneId: args.domain.zoneId, region: EDGE_REGION }, parent);
    const webAcl = args.waf && new WebAcl(name, { requestsPer5Minutes: args.waf.requestsPer5Minutes }, parent);

    const distribution = new aws.cloudfront.Distribution(
      `${name}-cdn`,
      {
        enabled: true,
        comment: `${name}: Boyacky behind its internal ALB`,
        isIpv6Enabled: true,
        httpVersion: "http2and3",
        // Edges in North America, Europe, Asia (Japan included), the Middle East and Africa.
        priceClass: "PriceClass_200",
        aliases: args.domain ? [args.domain.name] : [],
        origins: [
          {
            originId: ORIGIN_ID,
            domainName: args.originDomainName,
            vpcOriginConfig: { vpcOriginId: vpcOrigin.id, originReadTimeout: 30, originKeepaliveTimeout: 5 },
          },
        ],
        defaultCacheBehavior: {
          targetOriginId: ORIGIN_ID,
          viewerProtocolPolicy: "redirect-to-https",
          allowedMethods: ALL_METHODS,
          cachedMethods: READ_METHODS,
          cachePolicyId: MANAGED_POLICY.cachingDisabled,
          originRequestPolicyId: MANAGED_POLICY.allViewerAndCloudFrontHeaders,
          compress: true,
        },
        orderedCacheBehaviors: [
          {
            pathPattern: "/static/*",
            targetOriginId: ORIGIN_ID,
            viewerProtocolPolicy: "redirect-to-https",
            allowedMethods: READ_METHODS,
            cachedMethods: READ_METHODS,
            cachePolicyId: staticAssets.id,
            compress: true,
          },
        ],
        restrictions: { geoRestriction: { restrictionType: "none" } },
        viewerCertificate: certificate
          ? { acmCertificateArn: certificate.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" }
          : { cloudfrontDefaultCertificate: true },
        webAclId: webAcl?.arn,
        // `pulumi up` returns once the distribution is deployed to the edges (minutes).
        waitForDeployment: true,
      },
      parent,
    );

    // Standard logging v2 into an ACL-free bucket (the legacy logging needs bucket ACLs): the
    // delivery is configured in us-east-1 whatever the bucket's region (CloudFront Developer Guide,
    // "Standard logging (v2)").
    const accessLogs = new PrivateBucket(
      `${name}-cdn-logs`,
      {
        delivery: ({ arn, accountId }) => [
          {
            Sid: "CloudFrontLogDelivery",
            Effect: "Allow",
            Principal: { Service: "delivery.logs.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${arn}/*`,
            Condition: {
              StringEquals: { "aws:SourceAccount": accountId, "s3:x-amz-acl": "bucket-owner-full-control" },
              // AWS's own policy for vended logs to S3 names the account's CloudWatch Logs in the delivery's region.
              ArnLike: { "aws:SourceArn": `arn:aws:logs:${EDGE_REGION}:${accountId}:*` },
            },
          },
        ],
        expireDays: args.accessLogExpireDays,
        protectData: args.protectData,
      },
      parent,
    );
    const source = new aws.cloudwatch.LogDeliverySource(
      `${name}-cdn-logs`,
      { name: `${name}-cdn`, logType: "ACCESS_LOGS", resourceArn: distribution.arn, region: EDGE_REGION },
      parent,
    );
    const destination = new aws.cloudwatch.LogDeliveryDestination(
      `${name}-cdn-logs`,
      {
        name: `${name}-cdn-s3`,
        deliveryDestinationConfiguration: { destinationResourceArn: accessLogs.arn },
        region: EDGE_REGION,
      },
      parent,
    );
    new aws.cloudwatch.LogDelivery(
      `${name}-cdn-logs`,
      {
        deliverySourceName: source.name,
        deliveryDestinationArn: destination.arn,
        region: EDGE_REGION,
      },
      { parent: this, dependsOn: [accessLogs.policy] },
    );

    if (args.domain) {
      for (const type of ["A", "AAAA"]) {
        new aws.route53.Record(
          `${name}-cdn-${type.toLowerCase()}`,
          {
            zoneId: args.domain.zoneId,
            name: args.domain.name,
            type,
            aliases: [{ name: distribution.domainName, zoneId: CLOUDFRONT_ALIAS_ZONE_ID, evaluateTargetHealth: false }],
          },
          parent,
        );
      }
    }

    this.distributionId = distribution.id;
    this.distributionDomainName = distribution.domainName;
    this.url = args.domain ? pulumi.output(`https://${args.domain.name}`) : pulumi.interpolate`https://${distribution.domainName}`;
    this.registerOutputs({ url: this.url, distributionId: this.distributionId });
  }
}
