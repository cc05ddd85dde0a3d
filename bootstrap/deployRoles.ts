import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BootstrapConfig } from "./config";
import { deployStatements, type PermissionScope, previewStatements, reviewStatements, type Statement } from "./deployPermissions";

export const GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com";
const TOKEN_HOST = "token.actions.githubusercontent.com";

export type GitHubDeployRolesArgs = BootstrapConfig;

/**
 * GitHub's OIDC provider and three roles assumable only with a token GitHub issued for this
 * repository: the deploy role (pushes to the deploy branch, and the production environment,
 * whose reviewers approve each prod deploy), the preview role (pull requests; read-only) and the
 * review role (jobs in the review environment; only the review stacks `pr-<number>`).
 */
export class GitHubDeployRoles extends pulumi.ComponentResource {
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly deployRoleArn: pulumi.Output<string>;
  readonly previewRoleArn: pulumi.Output<string>;
  readonly reviewRoleArn: pulumi.Output<string>;

  constructor(name: string, args: GitHubDeployRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boyacky:bootstrap:GitHubDeployRoles", name, {}, opts);
    const parent = { parent: this };
    const accountId = aws.getCallerIdentityOutput({}, parent).accountId;

    const providerArn = args.existingOidcProviderArn
      ? pulumi.output(args.existingOidcProviderArn)
      : new aws.iam.OpenIdConnectProvider(`${name}-oidc`, { url: GITHUB_OIDC_URL, clientIdLists: ["sts.amazonaws.com"] }, parent).arn;

    const repo = `repo:${args.githubRepository}`;
    const trust = (subjects: string[]) =>
      providerArn.apply((federated) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Federated: federated },
              Action: "sts:AssumeRoleWithWebIdentity",
              // Exact subjects, no wildcards: another repository, branch or environment gets nothing.
              Condition: { StringEquals: { [`${TOKEN_HOST}:aud`]: "sts.amazonaws.com", [`${TOKEN_HOST}:sub`]: subjects } },
            },
          ],
        }),
      );
    const role = (roleName: string, subjects: string[], statements: (scope: PermissionScope) => Statement[]) => {
      const created = new aws.iam.Role(`${name}-${roleName}`, { assumeRolePolicy: trust(subjects), maxSessionDuration: 3600 }, parent);
      new aws.iam.RolePolicy(
        `${name}-${roleName}`,
        {
          role: created.id,
          policy: accountId.apply((account) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: statements({ region: args.region, accountId: account, stateBucket: args.stateBucket }),
            }),
          ),
        },
        parent,
      );
      return created;
    };

    const deployRole = role(
      "deploy",
      [`${repo}:ref:refs/heads/${args.deployBranch}`, `${repo}:environment:${args.productionEnvironment}`],
      deployStatements,
    );
    const previewRole = role("preview", [`${repo}:pull_request`], previewStatements);
    // Not `pull_request`: every job of every pull-request workflow presents that subject, the
    // preview's included, and a branch can add such a workflow. Only jobs that name the review
    // environment get this one, and the environment's own rules apply to them.
    const reviewRole = role("review", [`${repo}:environment:${args.reviewEnvironment}`], reviewStatements);

    this.oidcProviderArn = providerArn;
    this.deployRoleArn = deployRole.arn;
    this.previewRoleArn = previewRole.arn;
    this.reviewRoleArn = reviewRole.arn;
    this.registerOutputs({
      oidcProviderArn: this.oidcProviderArn,
      deployRoleArn: this.deployRoleArn,
      previewRoleArn: this.previewRoleArn,
      reviewRoleArn: this.reviewRoleArn,
    });
  }
}
