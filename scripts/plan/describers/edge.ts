/** In front of the load balancer: the CloudFront distribution and its VPC origin, the web ACL, the certificate and DNS records. */
import { T } from "../../resourceTypes";
import type { Describer } from "./describe";

/** AWS-managed CloudFront policies by id, as the console names them. */
const MANAGED_POLICIES: Record<string, string> = {
  "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": "Managed-CachingDisabled",
  "33f36d7e-f396-46d9-90e0-52428a34d9dc": "Managed-AllViewerAndCloudFrontHeaders-2022-06",
};
const managedPolicyName = (id: string) => MANAGED_POLICIES[id] ?? id;

function webAclRuleText(rule: any): string {
  const rateBased = rule.statement?.rateBasedStatement;
  if (rateBased) return `${rule.name}: block above ${rateBased.limit} requests per ${rateBased.evaluationWindowSec ?? 300} s per IP`;
  const managed = rule.statement?.managedRuleGroupStatement;
  return `${rule.name}: ${managed?.name ?? "?"}${managed?.ruleActionOverrides?.length ? ` (count only: ${managed.ruleActionOverrides.map((override: any) => override.name).join(", ")})` : ""}`;
}

export const EDGE: Record<string, Describer> = {
  [T.vpcOrigin]: ({ inputs }, { refs }) => {
    const endpoint = inputs.vpcOriginEndpointConfig ?? {};
    return { to: refs.name(endpoint.arn), protocol: endpoint.originProtocolPolicy };
  },
  [T.distribution]: ({ inputs, state }, { refs }) => {
    const cache = (policyId: string) => (refs.name(policyId) === policyId ? managedPolicyName(policyId) : refs.name(policyId));
    const behaviour = (entry: any) =>
      `${entry.pathPattern ?? "default"}: ${entry.viewerProtocolPolicy}, cache ${cache(entry.cachePolicyId)}`;
    const certificate = inputs.viewerCertificate ?? {};
    return {
      url: `https://${(inputs.aliases ?? [])[0] ?? state.domainName}`,
      origins: (inputs.origins ?? []).map(
        (origin: any) =>
          `${origin.originId} via ${origin.vpcOriginConfig ? `VPC origin ${refs.name(origin.vpcOriginConfig.vpcOriginId)}` : origin.domainName}`,
      ),
      behaviours: [inputs.defaultCacheBehavior, ...(inputs.orderedCacheBehaviors ?? [])].filter(Boolean).map(behaviour),
      http: inputs.httpVersion,
      certificate: certificate.cloudfrontDefaultCertificate
        ? "CloudFront default (*.cloudfront.net)"
        : `${refs.name(certificate.acmCertificateArn)} (${certificate.minimumProtocolVersion})`,
      waf: inputs.webAclId ? refs.name(inputs.webAclId) : "none",
    };
  },
  [T.webAcl]: ({ inputs }) => ({ scope: `${inputs.scope} (${inputs.region})`, rules: (inputs.rules ?? []).map(webAclRuleText) }),
  [T.certificate]: ({ inputs }, { stack }) => ({
    domain: inputs.domainName,
    validation: inputs.validationMethod,
    region: inputs.region ?? stack.config["aws:region"],
  }),
  [T.record]: ({ inputs }, { refs }) => ({
    record: `${inputs.name} ${inputs.type}`,
    to: inputs.aliases?.length ? `alias ${refs.name(inputs.aliases[0].name)}` : (inputs.records ?? []).join(" "),
  }),
};
