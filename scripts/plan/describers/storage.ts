/** Where data and images are kept: S3 buckets and their settings, the ECR repository and image, the DynamoDB table. */
import { T } from "../../resourceTypes";
import { type Describer, parseJson } from "./describe";

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

const bucket: Describer = ({ inputs, options }) => ({
  forceDestroy: inputs.forceDestroy ?? false,
  retainOnDelete: options.retainOnDelete ?? false,
});

const bucketEncryption: Describer = ({ inputs }, { refs }) => ({
  bucket: refs.name(inputs.bucket),
  encryption: (inputs.rules ?? []).map(
    (rule: any) =>
      `${rule.applyServerSideEncryptionByDefault?.sseAlgorithm}${rule.applyServerSideEncryptionByDefault?.kmsMasterKeyId ? ` ${rule.applyServerSideEncryptionByDefault.kmsMasterKeyId}` : ""}`,
  ),
});

const bucketLifecycle: Describer = ({ inputs }, { refs }) => ({
  bucket: refs.name(inputs.bucket),
  rules: (inputs.rules ?? []).map(
    (rule: any) => `${rule.id ?? "rule"} (${rule.status})${rule.expiration?.days ? `: expire after ${rule.expiration.days} days` : ""}`,
  ),
});

export const STORAGE: Record<string, Describer> = {
  [T.bucket]: bucket,
  [T.bucketV2]: bucket,
  [T.bucketPolicy]: ({ inputs }, { refs }) => ({
    bucket: refs.name(inputs.bucket),
    statements: (parseJson(inputs.policy)?.Statement ?? []).map(
      (statement: any) =>
        `${statement.Sid ?? "?"}: ${statement.Effect} ${[statement.Action].flat().join(" ")} to ${typeof statement.Principal === "string" ? statement.Principal : JSON.stringify(statement.Principal)}`,
    ),
  }),
  [T.bucketPublicAccessBlock]: ({ inputs }, { refs }) => {
    const off = PUBLIC_ACCESS_FLAGS.filter((flag) => inputs[flag] !== true);
    return { bucket: refs.name(inputs.bucket), publicAccess: off.length ? `NOT blocked: ${off.join(", ")}` : "all blocked" };
  },
  [T.bucketOwnershipControls]: ({ inputs }, { refs }) => ({
    bucket: refs.name(inputs.bucket),
    objectOwnership: inputs.rule?.objectOwnership ?? "?",
  }),
  [T.bucketEncryption]: bucketEncryption,
  [T.bucketEncryptionV2]: bucketEncryption,
  [T.bucketLifecycle]: bucketLifecycle,
  [T.bucketLifecycleV2]: bucketLifecycle,
  [T.repository]: ({ inputs }) => ({
    tagMutability: inputs.imageTagMutability ?? "MUTABLE",
    scanOnPush: inputs.imageScanningConfiguration?.scanOnPush ?? false,
    forceDelete: inputs.forceDelete ?? false,
    encryption: inputs.encryptionConfigurations?.[0]?.encryptionType ?? "AES256",
  }),
  [T.lifecyclePolicy]: ({ inputs }) => ({
    rules: (parseJson(inputs.policy)?.rules ?? []).map(
      (rule: any) => `${rule.action?.type} ${rule.selection?.tagStatus} when ${rule.selection?.countType} ${rule.selection?.countNumber}`,
    ),
  }),
  [T.image]: ({ inputs, state }) => ({
    image: inputs.imageName,
    platform: inputs.build?.platform ?? "?",
    pushedAs: state.repoDigest ?? "?",
  }),
  [T.table]: ({ inputs, options }) => ({
    billing: inputs.billingMode ?? "PROVISIONED",
    keys: [inputs.hashKey, inputs.rangeKey].filter(Boolean).join(" + "),
    pitr: inputs.pointInTimeRecovery?.enabled ?? false,
    deletionProtection: inputs.deletionProtectionEnabled ?? false,
    retainOnDelete: options.retainOnDelete ?? false,
    ttl: inputs.ttl?.enabled ? inputs.ttl.attributeName : "off",
    encryption: inputs.serverSideEncryption?.enabled ? `KMS ${inputs.serverSideEncryption.kmsKeyArn ?? "aws/dynamodb"}` : "AWS owned key",
  }),
};
