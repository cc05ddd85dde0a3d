import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * Rules of AWS's common rule set that inspect the request body and would refuse legitimate
 * grumbles: a grumble is free text, so `<script>x()</script>`, `../` or a URL are things people
 * post (app/test/hostile.test.ts stores them), and the app validates and escapes every text
 * itself. They only count, so their matches still show in WAF's metrics. The rule names are
 * those of AWSManagedRulesCommonRuleSet (AWS WAF Developer Guide, "Core rule set (CRS) managed
 * rule group").
 */
export const COUNTED_COMMON_RULES = ["CrossSiteScripting_BODY", "GenericLFI_BODY", "GenericRFI_BODY"] as const;

export interface WebAclArgs {
  /** Requests one client IP may send in 5 minutes before it is blocked (AWS WAF: at least 10). */
  requestsPer5Minutes: number;
}

/**
 * An AWS WAF web ACL for a CloudFront distribution: AWS's managed common rule set, and a
 * rate-based rule per client IP, which holds across every task (the app's own limits count per
 * task). Everything else is allowed.
 */
export class WebAcl extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: WebAclArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boyacky:infra:WebAcl", name, {}, opts);
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

    const webAcl = new aws.wafv2.WebAcl(
      `${name}-waf`,
      {
        name: `${name}-waf`,
        // A web ACL for CloudFront has scope CLOUDFRONT, whose calls go to us-east-1 (WAF API reference, Scope).
        scope: "CLOUDFRONT",
        region: "us-east-1",
        defaultAction: { allow: {} },
        rules: [
          {
            name: "common-rule-set",
            priority: 1,
            overrideAction: { none: {} },
            statement: {
              managedRuleGroupStatement: {
                vendorName: "AWS",
                name: "AWSManagedRulesCommonRuleSet",
                ruleActionOverrides: COUNTED_COMMON_RULES.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
              },
            },
            visibilityConfig: visibility(`${name}-common`),
          },
          {
            name: "requests-per-client-ip",
            priority: 2,
            action: { block: {} },
            statement: { rateBasedStatement: { limit: args.requestsPer5Minutes, aggregateKeyType: "IP", evaluationWindowSec: 300 } },
            visibilityConfig: visibility(`${name}-rate`),
          },
        ],
        visibilityConfig: visibility(`${name}-waf`),
      },
      { parent: this },
    );

    this.arn = webAcl.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
