import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface DomainCertificateArgs {
  /** The name the certificate is for, e.g. boyacky.example.com. */
  domainName: string;
  /** The Route 53 hosted zone the validation records are written to. */
  zoneId: pulumi.Input<string>;
  /**
   * Where the certificate lives: us-east-1 for CloudFront (ACM User Guide, "Supported Regions":
   * CloudFront only uses certificates from US East (N. Virginia)). Default the stack's region.
   */
  region?: string;
}

/**
 * An ACM certificate issued and validated by DNS in a Route 53 zone: ACM renews it by itself as
 * long as the validation record stays. `certificateArn` resolves once ACM says it is issued, so
 * whatever uses it waits for the validation.
 */
export class DomainCertificate extends pulumi.ComponentResource {
  readonly certificateArn: pulumi.Output<string>;

  constructor(name: string, args: DomainCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boyacky:infra:DomainCertificate", name, {}, opts);
    const parent = { parent: this };

    const certificate = new aws.acm.Certificate(
      `${name}-cert`,
      {
        domainName: args.domainName,
        validationMethod: "DNS",
        region: args.region,
      },
      parent,
    );
    // One record for the one name (Route 53 is global).
    const validation = certificate.domainValidationOptions.apply((options) => options[0]);
    const record = new aws.route53.Record(
      `${name}-validation`,
      {
        zoneId: args.zoneId,
        name: validation.resourceRecordName,
        type: validation.resourceRecordType,
        records: [validation.resourceRecordValue],
        ttl: 300,
        allowOverwrite: true,
      },
      parent,
    );
    const validated = new aws.acm.CertificateValidation(
      `${name}-validated`,
      {
        certificateArn: certificate.arn,
        validationRecordFqdns: [record.fqdn],
        region: args.region,
      },
      parent,
    );

    this.certificateArn = validated.certificateArn;
    this.registerOutputs({ certificateArn: this.certificateArn });
  }
}

/**
 * The hosted zone of a domain: the given id, or the public zone named after the domain's parent
 * (boyacky.example.com → example.com; an apex such as example.com is its own zone).
 */
export function hostedZoneIdOf(
  domainName: string,
  hostedZoneId: string | undefined,
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<string> {
  if (hostedZoneId) return pulumi.output(hostedZoneId);
  const labels = domainName.split(".");
  const zoneName = labels.length > 2 ? labels.slice(1).join(".") : domainName;
  return aws.route53.getZoneOutput({ name: zoneName, privateZone: false }, opts).zoneId;
}
