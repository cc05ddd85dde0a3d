/** CloudFront distributions and their VPC origins (FSBP CloudFront.3, .5, .6, .7, .9, .10, .15). */
import * as aws from "@pulumi/aws";
import type { PolicyResource } from "@pulumi/policy";
import { type Guardrail, listAt, peek, refersTo, reportOn, resourcesOf } from "./support";

/** Viewer security policies of TLS 1.2 and up (CloudFront Developer Guide, "Supported protocols and ciphers between viewers and CloudFront"). */
export const ALLOWED_VIEWER_TLS = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"] as const;
const VIEWER_HTTPS = ["redirect-to-https", "https-only"];

/** Every cache behaviour of a distribution, the default one first. */
function behavioursOf(distribution: PolicyResource): Record<string, any>[] {
  return [peek(distribution.props, "defaultCacheBehavior"), ...listAt(distribution.props, "orderedCacheBehaviors")].filter(Boolean);
}

/** Origin protocols that encrypt and allow no SSLv3 (CloudFront.9 and .10). */
function originProblems(policy: string | undefined, protocols: unknown): string[] {
  const problems: string[] = [];
  if (policy !== "https-only") problems.push(`origin protocol policy ${policy ?? "(none)"}: traffic to the origin is not always encrypted`);
  const items = listAt(protocols as Record<string, any>, "items");
  if (items.includes("SSLv3")) problems.push("the origin may be reached over SSLv3");
  return problems;
}

export const cloudfrontPolicies: Guardrail[] = [
  {
    name: "cloudfront-viewer-https",
    controls: ["CloudFront.3"],
    description:
      "CloudFront distributions should require encryption in transit: every cache behaviour redirects viewers to HTTPS or accepts HTTPS only.",
    remediationSteps: "Set viewerProtocolPolicy: redirect-to-https on the default and every ordered cache behaviour (Edge does).",
    validateStack: (args, reportViolation) => {
      for (const distribution of resourcesOf(args, aws.cloudfront.Distribution)) {
        for (const behaviour of behavioursOf(distribution)) {
          if (!VIEWER_HTTPS.includes(behaviour.viewerProtocolPolicy)) {
            reportOn(
              reportViolation,
              distribution,
            )(`behaviour ${behaviour.pathPattern ?? "default"} lets viewers use HTTP (${behaviour.viewerProtocolPolicy}).`);
          }
        }
      }
    },
  },
  {
    name: "cloudfront-custom-certificate",
    controls: ["CloudFront.7", "CloudFront.15"],
    description: "CloudFront distributions should use a custom SSL/TLS certificate, served by SNI with a TLS 1.2+ security policy.",
    remediationSteps: `Set domainName: the certificate is issued in us-east-1 and used with sslSupportMethod sni-only and minimumProtocolVersion ${ALLOWED_VIEWER_TLS[0]}.`,
    validateStack: (args, reportViolation) => {
      for (const distribution of resourcesOf(args, aws.cloudfront.Distribution)) {
        const certificate = peek(distribution.props, "viewerCertificate") ?? {};
        const report = reportOn(reportViolation, distribution);
        if (!peek(certificate, "acmCertificateArn") && !peek(certificate, "iamCertificateId")) {
          report("viewers get CloudFront's default certificate, for which CloudFront fixes the minimum TLS version at TLSv1.");
        } else if (
          certificate.sslSupportMethod !== "sni-only" ||
          !(ALLOWED_VIEWER_TLS as readonly string[]).includes(certificate.minimumProtocolVersion)
        ) {
          report(
            `the certificate is served with ${certificate.sslSupportMethod ?? "?"} and ${certificate.minimumProtocolVersion ?? "?"}; use sni-only and ${ALLOWED_VIEWER_TLS.join(" or ")}.`,
          );
        }
      }
    },
  },
  {
    name: "cloudfront-origin-encryption",
    controls: ["CloudFront.9", "CloudFront.10"],
    description:
      "CloudFront should encrypt traffic to custom origins, with no SSLv3. A VPC origin over HTTP meets the control's intent: " +
      "CloudFront enters the VPC through interfaces it creates in the private subnets, so the hop never crosses the internet, and the ALB is internal.",
    remediationSteps:
      "Use a VPC origin (Edge does); or set originProtocolPolicy https-only with TLSv1.2 on custom origins (domainName gives the ALB a certificate and makes the VPC origin https-only).",
    validateStack: (args, reportViolation) => {
      const vpcOrigins = resourcesOf(args, aws.cloudfront.VpcOrigin);
      for (const vpcOrigin of vpcOrigins) {
        const endpoint = peek(vpcOrigin.props, "vpcOriginEndpointConfig") ?? {};
        if (listAt(peek(endpoint, "originSslProtocols"), "items").includes("SSLv3"))
          reportOn(reportViolation, vpcOrigin)("the VPC origin may be reached over SSLv3.");
      }
      for (const distribution of resourcesOf(args, aws.cloudfront.Distribution)) {
        for (const origin of listAt(distribution.props, "origins")) {
          if (peek(origin, "vpcOriginConfig")) continue;
          const custom = peek(origin, "customOriginConfig");
          if (!custom) continue; // S3 origins are CloudFront.12/.13's
          for (const problem of originProblems(custom.originProtocolPolicy, custom.originSslProtocols))
            reportOn(reportViolation, distribution)(`origin ${origin.originId}: ${problem}.`);
        }
      }
    },
  },
  {
    name: "cloudfront-access-logs",
    controls: ["CloudFront.5"],
    description:
      "CloudFront distributions should have logging enabled. Standard logging v2 (CloudWatch vended logs) counts as well as legacy logging, " +
      "which needs bucket ACLs; Security Hub's CloudFront.5 check sees only the legacy kind.",
    remediationSteps:
      "Deliver the distribution's ACCESS_LOGS with aws.cloudwatch.LogDeliverySource, LogDeliveryDestination and LogDelivery (Edge does).",
    validateStack: (args, reportViolation) => {
      const sources = resourcesOf(args, aws.cloudwatch.LogDeliverySource).filter((source) => source.props.logType === "ACCESS_LOGS");
      const deliveries = resourcesOf(args, aws.cloudwatch.LogDelivery);
      for (const distribution of resourcesOf(args, aws.cloudfront.Distribution)) {
        if (peek(distribution.props, "loggingConfig")) continue;
        const delivered = sources.some(
          (source) =>
            refersTo(source, "resourceArn", distribution) &&
            deliveries.some((delivery) => refersTo(delivery, "deliverySourceName", source)),
        );
        if (!delivered)
          reportOn(
            reportViolation,
            distribution,
          )("no access logs: neither legacy logging nor a standard logging v2 delivery of ACCESS_LOGS.");
      }
    },
  },
  {
    name: "cloudfront-waf",
    controls: ["CloudFront.6"],
    description: "CloudFront distributions should have AWS WAF enabled.",
    remediationSteps: "Set waf: true (a web ACL with AWS's common rule set and a per-client-IP rate limit).",
    validateStack: (args, reportViolation) => {
      for (const distribution of resourcesOf(args, aws.cloudfront.Distribution)) {
        if (!peek(distribution.props, "webAclId")) reportOn(reportViolation, distribution)("no AWS WAF web ACL is attached (webAclId).");
      }
    },
  },
];
