import assert from "node:assert/strict";
import { CLOUDFRONT_ALIAS_ZONE_ID, EDGE_REGION, MANAGED_POLICY, VIEWER_PROTO_HEADER } from "../infra/edge";
import { CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST } from "../infra/loadBalancer";
import { COUNTED_COMMON_RULES } from "../infra/webAcl";
import { mockIdOf, type OfflineResource, type OfflineStack, OfflineStackError, ofType, runOfflineStack } from "../scripts/offlineStack";
import { T } from "../scripts/resourceTypes";
import { containerDefinition, one } from "./support/stackQueries";
import { CERTIFICATE, DOMAIN } from "./support/stackVariants";

function albGroupRules(stack: OfflineStack): OfflineResource[] {
  const group = mockIdOf(one(stack, T.securityGroup, "-alb"));
  return ofType(stack, T.ingress).filter((rule) => rule.inputs.securityGroupId === group);
}

function environmentOf(stack: OfflineStack): Record<string, string> {
  return Object.fromEntries(
    containerDefinition(stack).environment.map((entry: { name: string; value: string }) => [entry.name, entry.value]),
  );
}

describe("the CloudFront edge (edge: cloudfront, every stack by default)", () => {
  let dev: OfflineStack;
  let prod: OfflineStack;
  let withDomain: OfflineStack;
  before(async () => {
    dev = await runOfflineStack("dev");
    prod = await runOfflineStack("prod");
    withDomain = await runOfflineStack("dev", { domainName: DOMAIN });
  });

  it("the ALB is internal, in the private subnets, and admits only CloudFront's origin-facing addresses on 80", () => {
    for (const stack of [dev, prod]) {
      const alb = one(stack, T.loadBalancer);
      assert.equal(alb.inputs.internal, true, stack.stack);
      const privateSubnets = ofType(stack, T.subnet)
        .filter((subnet) => subnet.inputs.tags.tier === "private")
        .map(mockIdOf);
      assert.deepEqual([...alb.inputs.subnets].sort(), privateSubnets.sort(), "VPC origins need private subnets");
      const rules = albGroupRules(stack);
      assert.deepEqual(
        rules.map((rule) => [rule.inputs.fromPort, rule.inputs.toPort, rule.inputs.prefixListId]),
        [[80, 80, "pl-58a04531"]],
      );
      for (const rule of ofType(stack, T.ingress))
        assert.ok(rule.inputs.cidrIpv4 !== "0.0.0.0/0" && rule.inputs.cidrIpv6 !== "::/0", `${rule.name} is open to the world`);
      assert.ok(stack.invokes.includes("aws:ec2/getManagedPrefixList:getManagedPrefixList"), CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST);
      const [listener] = ofType(stack, T.listener);
      assert.deepEqual(
        [ofType(stack, T.listener).length, listener.inputs.port, listener.inputs.defaultActions[0].type],
        [1, 80, "forward"],
        "HTTPS is the edge's",
      );
    }
  });

  it("the distribution reaches the ALB through a VPC origin, over HTTP inside the VPC without a domain", () => {
    const alb = one(dev, T.loadBalancer);
    const vpcOrigin = one(dev, T.vpcOrigin);
    assert.equal(vpcOrigin.inputs.vpcOriginEndpointConfig.arn, alb.state.arn);
    assert.equal(vpcOrigin.inputs.vpcOriginEndpointConfig.originProtocolPolicy, "http-only");
    const [origin] = one(dev, T.distribution).inputs.origins;
    assert.equal(origin.vpcOriginConfig.vpcOriginId, mockIdOf(vpcOrigin));
    assert.equal(origin.domainName, alb.state.dnsName);
    assert.equal(origin.customOriginConfig, undefined, "no public custom origin");
  });

  it("viewers: HTTPS only (redirect), HTTP/2 and HTTP/3, IPv6, and the URL is the distribution's https name", () => {
    const distribution = one(dev, T.distribution).inputs;
    assert.equal(distribution.httpVersion, "http2and3");
    assert.equal(distribution.isIpv6Enabled, true);
    for (const behaviour of [distribution.defaultCacheBehavior, ...distribution.orderedCacheBehaviors])
      assert.equal(behaviour.viewerProtocolPolicy, "redirect-to-https");
    assert.deepEqual(distribution.viewerCertificate, { cloudfrontDefaultCertificate: true });
    assert.equal(dev.outputs.url, `https://${one(dev, T.distribution).state.domainName}`);
  });

  it("pages and the API are never cached and get every method, header, cookie and query string; /static/* is cached by the app's Cache-Control", () => {
    const distribution = one(dev, T.distribution).inputs;
    const pages = distribution.defaultCacheBehavior;
    assert.equal(pages.cachePolicyId, MANAGED_POLICY.cachingDisabled);
    assert.equal(pages.originRequestPolicyId, MANAGED_POLICY.allViewerAndCloudFrontHeaders);
    assert.deepEqual([...pages.allowedMethods].sort(), ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]);
    const [assets] = distribution.orderedCacheBehaviors;
    assert.equal(assets.pathPattern, "/static/*");
    assert.equal(assets.compress, true);
    const policy = one(dev, T.cachePolicy);
    assert.equal(assets.cachePolicyId, mockIdOf(policy));
    assert.deepEqual([policy.inputs.minTtl, policy.inputs.defaultTtl], [0, 0], "nothing cached beyond what the app's Cache-Control allows");
    const key = policy.inputs.parametersInCacheKeyAndForwardedToOrigin;
    assert.deepEqual(
      [key.enableAcceptEncodingGzip, key.enableAcceptEncodingBrotli, key.cookiesConfig.cookieBehavior],
      [true, true, "none"],
    );
  });

  it("the app sees the viewer: trusts the VPC and CloudFront's ranges, reads the protocol from CloudFront's header", () => {
    const environment = environmentOf(dev);
    assert.deepEqual(environment.BOYACKY_TRUSTED_PROXIES.split(","), ["10.0.0.0/16", "120.52.22.96/27", "205.251.249.0/24"]);
    assert.equal(environment.BOYACKY_FORWARDED_PROTO_HEADER, VIEWER_PROTO_HEADER);
  });

  it("access logs: standard logging v2 from us-east-1 into an ACL-free bucket, after its policy", () => {
    const source = one(dev, T.logDeliverySource);
    assert.deepEqual(
      [source.inputs.logType, source.inputs.resourceArn, source.inputs.region],
      ["ACCESS_LOGS", one(dev, T.distribution).state.arn, EDGE_REGION],
    );
    const delivery = one(dev, T.logDelivery);
    assert.ok(delivery.options.dependsOn.some((name) => name.endsWith("-cdn-logs-policy")));
    const bucket = one(dev, T.bucket, "-cdn-logs");
    const ownership = ofType(dev, T.bucketOwnershipControls).find((controls) => controls.inputs.bucket === mockIdOf(bucket));
    assert.equal(ownership?.inputs.rule.objectOwnership, "BucketOwnerEnforced");
  });

  it("WAF: prod's web ACL (CLOUDFRONT scope, us-east-1) has AWS's common rules and a per-IP rate limit; dev has none", () => {
    assert.equal(ofType(dev, T.webAcl).length, 0);
    assert.equal(one(dev, T.distribution).inputs.webAclId, undefined);
    const acl = one(prod, T.webAcl);
    assert.deepEqual([acl.inputs.scope, acl.inputs.region], ["CLOUDFRONT", EDGE_REGION]);
    assert.equal(one(prod, T.distribution).inputs.webAclId, acl.state.arn);
    const [common, rate] = acl.inputs.rules;
    assert.equal(common.statement.managedRuleGroupStatement.name, "AWSManagedRulesCommonRuleSet");
    assert.deepEqual(
      common.statement.managedRuleGroupStatement.ruleActionOverrides.map((override: { name: string }) => override.name),
      [...COUNTED_COMMON_RULES],
    );
    assert.deepEqual(rate.statement.rateBasedStatement, { limit: 2000, aggregateKeyType: "IP", evaluationWindowSec: 300 });
    assert.deepEqual(rate.action, { block: {} });
  });

  it("WAF's rate limit follows wafRequestsPer5Minutes", async () => {
    const strict = await runOfflineStack("prod", { wafRequestsPer5Minutes: "300" });
    assert.equal(one(strict, T.webAcl).inputs.rules[1].statement.rateBasedStatement.limit, 300);
  });

  describe("with a domain (domainName)", () => {
    it("issues the viewer certificate in us-east-1, validated by DNS in the zone, and points the domain at the distribution", () => {
      const viewer = ofType(withDomain, T.certificate).find((certificate) => certificate.inputs.domainName === DOMAIN) as OfflineResource;
      assert.deepEqual([viewer.inputs.validationMethod, viewer.inputs.region], ["DNS", EDGE_REGION]);
      const validation = ofType(withDomain, T.certificateValidation).find(
        (candidate) => candidate.inputs.certificateArn === viewer.state.arn,
      ) as OfflineResource;
      assert.equal(validation.inputs.region, EDGE_REGION);
      const records = ofType(withDomain, T.record);
      const validationRecord = records.find((record) => record.inputs.name === viewer.state.domainValidationOptions[0].resourceRecordName);
      assert.equal(validationRecord?.inputs.zoneId, "Z0MOCKZONE0123456789", "the zone looked up by the parent name");
      const distribution = one(withDomain, T.distribution);
      assert.deepEqual(distribution.inputs.aliases, [DOMAIN]);
      assert.deepEqual(distribution.inputs.viewerCertificate, {
        acmCertificateArn: viewer.state.arn,
        sslSupportMethod: "sni-only",
        minimumProtocolVersion: "TLSv1.2_2021",
      });
      const aliases = records.filter((record) => record.inputs.name === DOMAIN);
      assert.deepEqual(aliases.map((record) => record.inputs.type).sort(), ["A", "AAAA"]);
      for (const record of aliases)
        assert.deepEqual(record.inputs.aliases[0], {
          name: distribution.state.domainName,
          zoneId: CLOUDFRONT_ALIAS_ZONE_ID,
          evaluateTargetHealth: false,
        });
      assert.equal(withDomain.outputs.url, `https://${DOMAIN}`);
    });

    it("CloudFront reaches the ALB over HTTPS too: origin.<domain> with its own certificate, 443 the only listener", () => {
      const originName = `origin.${DOMAIN}`;
      const originCertificate = ofType(withDomain, T.certificate).find(
        (certificate) => certificate.inputs.domainName === originName,
      ) as OfflineResource;
      assert.equal(originCertificate.inputs.region, undefined, "the ALB's certificate is in the stack's region");
      const [listener, ...others] = ofType(withDomain, T.listener);
      assert.equal(others.length, 0);
      assert.deepEqual([listener.inputs.port, listener.inputs.protocol], [443, "HTTPS"]);
      assert.deepEqual(
        albGroupRules(withDomain).map((rule) => rule.inputs.fromPort),
        [443],
      );
      assert.equal(one(withDomain, T.vpcOrigin).inputs.vpcOriginEndpointConfig.originProtocolPolicy, "https-only");
      assert.equal(one(withDomain, T.distribution).inputs.origins[0].domainName, originName);
      const originRecord = ofType(withDomain, T.record).find((record) => record.inputs.name === originName);
      assert.equal(originRecord?.inputs.aliases[0].name, one(withDomain, T.loadBalancer).state.dnsName);
    });

    it("a given hostedZoneId is used as is, with no lookup", async () => {
      const zoned = await runOfflineStack("dev", { domainName: DOMAIN, hostedZoneId: "Z0EXAMPLEZONE123" });
      assert.ok(!zoned.invokes.includes("aws:route53/getZone:getZone"));
      assert.ok(ofType(zoned, T.record).every((record) => record.inputs.zoneId === "Z0EXAMPLEZONE123"));
    });

    it("without the edge, the domain is the ALB's: regional certificate, 80 redirects to 443, an alias record", async () => {
      const direct = await runOfflineStack("dev", { edge: "none", domainName: DOMAIN });
      assert.equal(ofType(direct, T.distribution).length, 0);
      const certificate = one(direct, T.certificate);
      assert.deepEqual([certificate.inputs.domainName, certificate.inputs.region], [DOMAIN, undefined]);
      const http = ofType(direct, T.listener).find((listener) => listener.inputs.port === 80);
      assert.equal(http?.inputs.defaultActions[0].type, "redirect");
      assert.equal(one(direct, T.record, "-alb-dns").inputs.name, DOMAIN);
      assert.equal(direct.outputs.url, `https://${DOMAIN}`);
    });
  });

  describe("edge: none, the seeds' shape", () => {
    it("an internet-facing ALB and nothing of CloudFront; the app trusts only the VPC", async () => {
      const direct = await runOfflineStack("dev", { edge: "none" });
      for (const type of [T.distribution, T.vpcOrigin, T.webAcl, T.logDeliverySource]) assert.equal(ofType(direct, type).length, 0, type);
      assert.equal(one(direct, T.loadBalancer).inputs.internal, false);
      assert.equal(environmentOf(direct).BOYACKY_FORWARDED_PROTO_HEADER, "x-forwarded-proto", "the ALB's own header");
    });
  });

  describe("bad combinations fail the preview with a clear message", () => {
    const refused: [string, Record<string, string>, RegExp][] = [
      ["an unknown edge", { edge: "akamai" }, /boyacky:edge=akamai is not allowed; use one of cloudfront, none/],
      [
        "certificateArn and domainName",
        { domainName: DOMAIN, certificateArn: CERTIFICATE },
        /boyacky:certificateArn and boyacky:domainName are both set; use one/,
      ],
      [
        "certificateArn with the CloudFront edge",
        { certificateArn: CERTIFICATE },
        /boyacky:certificateArn is for edge none.*set domainName instead/,
      ],
      [
        "a zone without a domain",
        { hostedZoneId: "Z0EXAMPLEZONE123" },
        /boyacky:hostedZoneId=Z0EXAMPLEZONE123 is set without boyacky:domainName/,
      ],
      [
        "a malformed domain",
        { domainName: "Boyacky_Example" },
        /boyacky:domainName=Boyacky_Example is not valid; use a lower-case DNS name/,
      ],
      ["WAF without the edge", { edge: "none", waf: "true" }, /boyacky:waf=true needs boyacky:edge=cloudfront/],
    ];
    for (const [what, overrides, message] of refused) {
      it(`refuses ${what}`, async () => {
        await assert.rejects(runOfflineStack("dev", overrides), (error: Error) => {
          assert.ok(error instanceof OfflineStackError, String(error));
          assert.match(error.message, message);
          return true;
        });
      });
    }
  });
});
