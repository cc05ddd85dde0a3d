import * as pulumi from "@pulumi/pulumi";

export interface BootstrapConfig {
  region: string;
  /** owner/name */
  githubRepository: string;
  deployBranch: string;
  productionEnvironment: string;
  /** GitHub environment of the review-stack jobs (review-stack.yml, review-stack-sweep.yml): the review role trusts it alone. */
  reviewEnvironment: string;
  existingOidcProviderArn?: string;
  /** The self-managed backend's S3 bucket, when the stacks' state lives there. */
  stateBucket?: string;
}

/** Validates the bootstrap's settings; a bad one fails `pulumi preview` naming the key. */
export function loadBootstrapConfig(config: Pick<pulumi.Config, "get">, region: string | undefined): BootstrapConfig {
  const problems: string[] = [];
  const repository = config.get("githubRepository") ?? "";
  if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repository)) {
    problems.push(
      `boyacky-bootstrap:githubRepository=${repository} is not a repository; set it with \`pulumi config set githubRepository <owner>/<name>\``,
    );
  }
  const deployBranch = config.get("deployBranch") ?? "";
  if (!/^[A-Za-z0-9._/-]+$/.test(deployBranch) || deployBranch.includes("*")) {
    problems.push(`boyacky-bootstrap:deployBranch=${deployBranch} is not a branch name (no wildcards)`);
  }
  const productionEnvironment = config.get("productionEnvironment") ?? "";
  if (!/^[A-Za-z0-9._-]+$/.test(productionEnvironment)) {
    problems.push(`boyacky-bootstrap:productionEnvironment=${productionEnvironment} is not an environment name`);
  }
  const reviewEnvironment = config.get("reviewEnvironment") ?? "";
  if (!/^[A-Za-z0-9._-]+$/.test(reviewEnvironment)) {
    problems.push(`boyacky-bootstrap:reviewEnvironment=${reviewEnvironment} is not an environment name`);
  } else if (reviewEnvironment === productionEnvironment) {
    problems.push(
      `boyacky-bootstrap:reviewEnvironment=${reviewEnvironment} is also the production environment; the review stacks' jobs need an environment of their own (default: review)`,
    );
  }
  const existingOidcProviderArn = config.get("existingOidcProviderArn") || undefined;
  if (
    existingOidcProviderArn &&
    !/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(existingOidcProviderArn)
  ) {
    problems.push(`boyacky-bootstrap:existingOidcProviderArn=${existingOidcProviderArn} is not the ARN of a GitHub OIDC provider`);
  }
  const stateBucket = config.get("stateBucket") || undefined;
  // S3 bucket naming rules (S3 User Guide, "General purpose bucket naming rules").
  if (stateBucket && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(stateBucket)) {
    problems.push(
      `boyacky-bootstrap:stateBucket=${stateBucket} is not an S3 bucket name; give the bucket's name only (not s3://...), or leave it empty for Pulumi Cloud`,
    );
  }
  if (!region) problems.push("aws:region is not set; set it with `pulumi config set aws:region ap-northeast-1`");
  if (problems.length) throw new pulumi.RunError(`invalid bootstrap configuration:\n  - ${problems.join("\n  - ")}`);
  return {
    region: region as string,
    githubRepository: repository,
    deployBranch,
    productionEnvironment,
    reviewEnvironment,
    existingOidcProviderArn,
    stateBucket,
  };
}
