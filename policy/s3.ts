/** S3 buckets: public access, ACLs and TLS (FSBP S3.5, S3.8, S3.12). */
import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidation } from "@pulumi/policy";
import { type Guardrail, listOf, refersTo, reportOn, resourcesOf, statementsOf } from "./support";

/**
 * A stack validation: every bucket must have a companion resource of `companionClass` that refers
 * to it (through its `bucket` property) and satisfies `good`, otherwise `problem` is reported.
 */
function everyBucketHas(companionClass: unknown, good: (companion: PolicyResource) => boolean, problem: string): StackValidation {
  return (args, reportViolation) => {
    const companions = resourcesOf(args, companionClass).filter(good);
    for (const bucket of resourcesOf(args, aws.s3.Bucket)) {
      if (!companions.some((companion) => refersTo(companion, "bucket", bucket)))
        reportOn(reportViolation, bucket)(`bucket ${bucket.name}: ${problem}`);
    }
  };
}

const PUBLIC_ACCESS_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

/**
 * Whether a bucket policy denies every request not made over TLS. (A policy document unknown during
 * preview throws, and the engine then reports that the check could not run before the update.)
 */
function deniesInsecureTransport(policy: PolicyResource): boolean {
  return statementsOf(policy.props.policy).some((statement) => {
    const secureTransport = statement.Condition?.Bool?.["aws:SecureTransport"];
    const actions = listOf(statement.Action);
    return (
      statement.Effect === "Deny" &&
      (secureTransport === "false" || secureTransport === false) &&
      (actions.includes("s3:*") || actions.includes("*"))
    );
  });
}

export const s3Policies: Guardrail[] = [
  {
    name: "s3-block-public-access",
    controls: ["S3.8"],
    description: "S3 buckets should block public access at the bucket level.",
    remediationSteps: "Add an aws.s3.BucketPublicAccessBlock with all four settings true (PrivateBucket does).",
    validateStack: everyBucketHas(
      aws.s3.BucketPublicAccessBlock,
      (block) => PUBLIC_ACCESS_SETTINGS.every((setting) => block.props[setting] === true),
      "public access is not fully blocked (BucketPublicAccessBlock with all four settings true).",
    ),
  },
  {
    name: "s3-acls-disabled",
    controls: ["S3.12"],
    description: "ACLs should not be used to manage user access to S3 buckets.",
    remediationSteps: "Add an aws.s3.BucketOwnershipControls with objectOwnership BucketOwnerEnforced (PrivateBucket does).",
    validateStack: everyBucketHas(
      aws.s3.BucketOwnershipControls,
      (controls) => controls.props.rule?.objectOwnership === "BucketOwnerEnforced",
      "ACLs are not disabled (BucketOwnershipControls with BucketOwnerEnforced).",
    ),
  },
  {
    name: "s3-tls-only",
    controls: ["S3.5"],
    description: "S3 general purpose buckets should require requests to use SSL/TLS.",
    remediationSteps: "Give the bucket a policy denying s3:* when aws:SecureTransport is false (PrivateBucket does).",
    validateStack: everyBucketHas(
      aws.s3.BucketPolicy,
      deniesInsecureTransport,
      "its policy does not deny requests without TLS (aws:SecureTransport false).",
    ),
  },
];
