import assert from "node:assert/strict";
import path from "node:path";
import { GITHUB_OIDC_URL } from "../bootstrap/deployRoles";
import { type OfflineStack, OfflineStackError, PROJECT_ROOT, runOfflineStack } from "../scripts/offlineStack";
import { ofType, one, T } from "./support/stackQueries";

const BOOTSTRAP = path.join(PROJECT_ROOT, "bootstrap");
const REPOSITORY = "example-org/boyacky";

function trustOf(stack: OfflineStack, roleSuffix: string) {
  return JSON.parse(one(stack, T.role, roleSuffix).inputs.assumeRolePolicy).Statement;
}

describe("OIDC bootstrap program under mocks", () => {
  let stack: OfflineStack;
  before(async () => {
    stack = await runOfflineStack("github", { githubRepository: REPOSITORY }, BOOTSTRAP);
  });

  it("creates GitHub's OIDC provider for STS", () => {
    const provider = one(stack, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    assert.equal(provider.inputs.url, GITHUB_OIDC_URL);
    assert.deepEqual(provider.inputs.clientIdLists, ["sts.amazonaws.com"]);
  });

  it("deploy role: only this repository's deploy branch and production environment, audience STS", () => {
    const [statement, ...others] = trustOf(stack, "-deploy");
    assert.equal(others.length, 0);
    assert.equal(statement.Action, "sts:AssumeRoleWithWebIdentity");
    assert.match(statement.Principal.Federated, /oidc-provider|openIdConnectProvider|arn:aws/);
    assert.deepEqual(statement.Condition, {
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": [`repo:${REPOSITORY}:ref:refs/heads/main`, `repo:${REPOSITORY}:environment:production`],
      },
    });
    assert.equal(one(stack, T.role, "-deploy").inputs.maxSessionDuration, 3600);
  });

  it("preview role: pull requests of this repository only, and it can change nothing", () => {
    const [statement] = trustOf(stack, "-preview");
    assert.deepEqual(statement.Condition.StringEquals["token.actions.githubusercontent.com:sub"], [`repo:${REPOSITORY}:pull_request`]);
    const actions = JSON.parse(one(stack, T.rolePolicy, "-preview").inputs.policy).Statement.flatMap((entry: { Action: string[] }) => entry.Action);
    for (const action of actions) assert.match(action, /:(Describe|Get|List)/, `${action} is not read-only`);
  });

  it("no trust condition uses a wildcard (StringLike) or another repository", () => {
    for (const role of ofType(stack, T.role)) {
      const text = role.inputs.assumeRolePolicy;
      assert.doesNotMatch(text, /StringLike|\*/);
      for (const subject of JSON.parse(text).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]) {
        assert.ok(subject.startsWith(`repo:${REPOSITORY}:`), subject);
      }
    }
  });

  it("deploy permissions: explicit actions (no `*` or `service:*`), resource-scoped or region-limited", () => {
    const statements = JSON.parse(one(stack, T.rolePolicy, "-deploy").inputs.policy).Statement;
    for (const statement of statements) {
      for (const action of statement.Action) assert.doesNotMatch(action, /^\*$|^[\w-]+:\*$/, `${statement.Sid}: ${action}`);
      if ([].concat(statement.Resource).includes("*" as never)) {
        assert.equal(statement.Condition?.StringEquals?.["aws:RequestedRegion"], "ap-northeast-1", `${statement.Sid} has Resource * without a region limit`);
      } else {
        for (const resource of [].concat(statement.Resource) as string[]) assert.match(resource, /boyacky-|aws-service-role/, `${statement.Sid}: ${resource}`);
      }
    }
    const passRole = statements.find((statement: { Action: string[] }) => statement.Action.includes("iam:PassRole"));
    assert.deepEqual(passRole.Condition.StringEquals["iam:PassedToService"], ["ecs-tasks.amazonaws.com", "vpc-flow-logs.amazonaws.com"]);
  });

  it("reuses an existing OIDC provider instead of creating a second one", async () => {
    const existing = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    const reused = await runOfflineStack("github", { githubRepository: REPOSITORY, existingOidcProviderArn: existing }, BOOTSTRAP);
    assert.equal(ofType(reused, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").length, 0);
    assert.equal(trustOf(reused, "-deploy")[0].Principal.Federated, existing);
  });

  it("refuses to run without a valid repository, saying how to set it", async () => {
    await assert.rejects(runOfflineStack("github", {}, BOOTSTRAP), (error: Error) => {
      assert.ok(error instanceof OfflineStackError);
      assert.match(error.message, /githubRepository= is not a repository; set it with `pulumi config set githubRepository <owner>\/<name>`/);
      return true;
    });
    await assert.rejects(runOfflineStack("github", { githubRepository: "*/*" }, BOOTSTRAP), /githubRepository=\*\/\* is not a repository/);
  });
});
