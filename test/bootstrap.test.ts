import assert from "node:assert/strict";
import path from "node:path";
import { GITHUB_OIDC_URL } from "../bootstrap/deployRoles";
import { STACK_ROLE_PATH } from "../infra/taskRoles";
import { MOCK_ACCOUNT, type OfflineStack, OfflineStackError, PROJECT_ROOT, runOfflineStack } from "../scripts/offlineStack";
import { arnMatches } from "./support/iamPolicy";
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
        // The stack's region, or us-east-1 where CloudFront, Route 53 and CloudFront's WAF scope answer.
        assert.ok(["ap-northeast-1", "us-east-1"].includes(statement.Condition?.StringEquals?.["aws:RequestedRegion"]), `${statement.Sid} has Resource * without a region limit`);
      } else {
        for (const resource of [].concat(statement.Resource) as string[]) assert.match(resource, /boyacky-|role\/boyacky\/|aws-service-role|^arn:aws:route53:::(hostedzone|change)\/\*$|:certificate\/\*$|:delivery:\*$|\/managedruleset\//, `${statement.Sid}: ${resource}`);
      }
    }
    const passRole = statements.find((statement: { Action: string[] }) => statement.Action.includes("iam:PassRole"));
    assert.deepEqual(passRole.Condition.StringEquals["iam:PassedToService"], ["ecs-tasks.amazonaws.com", "ecs.amazonaws.com"]);
  });

  it("IAM actions reach the stacks' roles only, never the bootstrap's own roles", () => {
    const statements: { Action: string[]; Resource: string | string[] }[] = JSON.parse(one(stack, T.rolePolicy, "-deploy").inputs.policy).Statement;
    const iam = statements.filter((statement) => statement.Action.some((action) => action.startsWith("iam:") && action !== "iam:CreateServiceLinkedRole"));
    assert.ok(iam.length > 0);
    const bootstrapRoles = ofType(stack, T.role).map((role) => `arn:aws:iam::${MOCK_ACCOUNT}:role${role.inputs.path ?? "/"}${role.state.name}`);
    const stackRole = `arn:aws:iam::${MOCK_ACCOUNT}:role${STACK_ROLE_PATH}boyacky-dev-task-1a2b3c4`;
    for (const statement of iam) {
      const matches = (arn: string) => [statement.Resource].flat().some((pattern) => arnMatches(pattern, arn));
      assert.ok(matches(stackRole), `${JSON.stringify(statement.Resource)} must reach ${stackRole}`);
      for (const arn of bootstrapRoles) assert.ok(!matches(arn), `${JSON.stringify(statement.Resource)} reaches the bootstrap's ${arn}`);
    }
  });

  it("a self-managed state bucket: both roles may read the state, only the deploy role writes it (and its locks)", async () => {
    const withBucket = await runOfflineStack("github", { githubRepository: REPOSITORY, stateBucket: "my-boyacky-state" }, BOOTSTRAP);
    const grants = (roleSuffix: string, action: string, resource: string) =>
      JSON.parse(one(withBucket, T.rolePolicy, roleSuffix).inputs.policy).Statement.some((statement: { Action: string[]; Resource: string | string[] }) =>
        statement.Action.includes(action) && [statement.Resource].flat().some((pattern) => arnMatches(pattern, resource)));
    const checkpoint = "arn:aws:s3:::my-boyacky-state/.pulumi/stacks/boyacky/dev.json";
    const lock = "arn:aws:s3:::my-boyacky-state/.pulumi/locks/organization/boyacky/dev/1234.json";
    for (const role of ["-deploy", "-preview"]) {
      assert.ok(grants(role, "s3:ListBucket", "arn:aws:s3:::my-boyacky-state"), role);
      assert.ok(grants(role, "s3:GetObject", checkpoint), role);
    }
    for (const object of [checkpoint, lock]) {
      assert.ok(grants("-deploy", "s3:PutObject", object) && grants("-deploy", "s3:DeleteObject", object), object);
      assert.ok(!grants("-preview", "s3:PutObject", object), "a preview takes no lock and writes nothing");
    }
    assert.ok(!grants("-deploy", "s3:GetObject", "arn:aws:s3:::someone-elses-bucket/x"));
    // Without a state bucket, neither role can touch any bucket outside the stacks' own.
    assert.ok(!JSON.parse(one(stack, T.rolePolicy, "-preview").inputs.policy).Statement.some((statement: { Action: string[] }) => statement.Action.some((action) => action.startsWith("s3:"))));
    await assert.rejects(runOfflineStack("github", { githubRepository: REPOSITORY, stateBucket: "s3://my-boyacky-state" }, BOOTSTRAP), /stateBucket=s3:\/\/my-boyacky-state is not an S3 bucket name; give the bucket's name only/);
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
