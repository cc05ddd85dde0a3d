import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Where a delivery policy is written for: the bucket's ARN, and the account and region writing into it. */
export interface BucketTarget {
  arn: string;
  accountId: string;
  region: string;
}

/** An IAM policy statement (JSON form). */
export type PolicyStatement = Record<string, unknown>;

export interface PrivateBucketArgs {
  /**
   * The statements that let an AWS service deliver its logs into the bucket (for example the ALB's
   * log delivery, or VPC Flow Logs). The bucket policy always adds a TLS-only deny to them.
   * Default none: only IAM principals the account grants may write (the export job's task role).
   */
  delivery?: (target: BucketTarget) => PolicyStatement[];
  /** Days before objects expire. Default 30 (the log buckets' retention: the stacks set none). */
  expireDays?: number;
  /**
   * Keep the bucket, its objects and its settings (encryption, public access block, policy) on
   * `pulumi destroy` (prod: logs are evidence, exports are data). Default false: the bucket is emptied and removed.
   */
  protectData?: boolean;
}

/** The bucket policy statement that refuses every request not made over TLS (FSBP S3.5). */
export function tlsOnlyStatement(bucketArn: string): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * A private S3 bucket, for logs an AWS service delivers or for the exports: SSE-S3 encryption
 * (the only kind ALB log delivery supports), every public access blocked, ACLs disabled
 * (BucketOwnerEnforced), objects expiring after `expireDays`, and a bucket policy with the
 * delivery statements and a TLS-only deny.
 */
export class PrivateBucket extends pulumi.ComponentResource {
  /** The bucket's name (its id). */
  readonly bucketName: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** The bucket policy: writers must wait for it, as the ALB checks it may write when access logs are turned on. */
  readonly policy: aws.s3.BucketPolicy;

  constructor(name: string, args: PrivateBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boyacky:infra:PrivateBucket", name, {}, opts);
    const protectData = args.protectData ?? false;
    // A kept bucket keeps its settings too: deleting the public access block or the TLS-only policy
    // of a bucket left behind would loosen it.
    const parent = { parent: this, retainOnDelete: protectData };

    const bucket = new aws.s3.Bucket(name, { forceDestroy: !protectData }, parent);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      },
      parent,
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    const ownership = new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      {
        bucket: bucket.id,
        rule: { objectOwnership: "BucketOwnerEnforced" },
      },
      parent,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-logs",
            status: "Enabled",
            filter: {},
            expiration: { days: args.expireDays ?? 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      parent,
    );

    const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
    const region = aws.getRegionOutput({}, parent).region;
    this.policy = new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucket.id,
        policy: pulumi.all([bucket.arn, accountId, region]).apply(([arn, account, regionName]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [...(args.delivery?.({ arn, accountId: account, region: regionName }) ?? []), tlsOnlyStatement(arn)],
          }),
        ),
      },
      { ...parent, dependsOn: [publicAccess, ownership] },
    ); // S3 refuses concurrent changes to one bucket's settings

    this.bucketName = bucket.id;
    this.arn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }
}
