/**
 * One-time bootstrap for GitHub Actions: the GitHub OIDC provider and three roles that workflows
 * assume with short-lived tokens. Outputs go into the repository's variables
 * (see the README, "Deploy from GitHub").
 */
import * as pulumi from "@pulumi/pulumi";
import { loadBootstrapConfig } from "./config";
import { GitHubDeployRoles } from "./deployRoles";

const config = loadBootstrapConfig(new pulumi.Config(), new pulumi.Config("aws").get("region"));
const roles = new GitHubDeployRoles("boyacky-github", config);

export const oidcProviderArn = roles.oidcProviderArn;
export const deployRoleArn = roles.deployRoleArn;
export const previewRoleArn = roles.previewRoleArn;
export const reviewRoleArn = roles.reviewRoleArn;
