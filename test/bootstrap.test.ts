import assert from "node:assert/strict";
import path from "node:path";
import { deployStatements, REVIEW_STACK_PREFIX, reviewStatements, type Statement } from "../bootstrap/deployPermissions";
import { GITHUB_OIDC_URL } from "../bootstrap/deployRoles";
import { STACK_ROLE_PATH } from "../infra/taskRoles";
import { MOCK_ACCOUNT, type OfflineStack, OfflineStackError, ofType, runOfflineStack } from "../scripts/offlineStack";
import { PROJECT_ROOT } from "../scripts/project";
import { T } from "../scripts/resourceTypes";
import { arnMatches } from "./support/iamPolicy";
import { one } from "./support/stackQueries";

const BOOTSTRAP = path.join(PROJECT_ROOT, "bootstrap");
const REPOSITORY = "example-org/boyacky";

function trustOf(stack: OfflineStack, roleSuffix: string) {
  return JSON.parse(one(stack, T.role, roleSuffix).inputs.assumeRolePolicy).Statement;
}

function policyOf(stack: OfflineStack, roleSuffix: string): Statement[] {
  return JSON.parse(one(stack, T.rolePolicy, roleSuffix).inputs.policy).Statement;
}

/** Whether an Allow statement grants `action` on `arn` (conditions aside). */
function allows(statements: Statement[], action: string, arn: string): boolean {
  return statements.some(
    (statement) =>
      statement.Effect === "Allow" &&
      statement.Action.includes(action) &&
      [statement.Resource].flat().some((pattern) => arnMatches(pattern, arn)),
  );
}

/** Resources no role can scope by name: AWS-generated ids, AWS's own names. */
const UNNAMED_RESOURCES = /aws-service-role|^arn:aws:route53:::(hostedzone|change)\/\*$|:certificate\/\*$|:delivery:\*$|\/managedruleset\//;

describe("OIDC bootstrap program under mocks", () => {
  let stack: OfflineStack;
  before(async () => {
    stack = await runOfflineStack("github", { githubRepository: REPOSITORY }, BOOTSTRAP);
  });

  it("creates GitHub's OIDC provider for STS", () => {
    const provider = one(stack, T.openIdConnectProvider);
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
    const actions = JSON.parse(one(stack, T.rolePolicy, "-preview").inputs.policy).Statement.flatMap(
      (entry: { Action: string[] }) => entry.Action,
    );
    for (const action of actions) assert.match(action, /:(Describe|Get|List)/, `${action} is not read-only`);
  });

  it("review role: only jobs in the review environment of this repository, audience STS; not a pull request, not the deploy role's subjects", () => {
    const [statement, ...others] = trustOf(stack, "-review");
    assert.equal(others.length, 0);
    assert.equal(statement.Action, "sts:AssumeRoleWithWebIdentity");
    assert.deepEqual(statement.Condition, {
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": [`repo:${REPOSITORY}:environment:review`],
      },
    });
    assert.equal(one(stack, T.role, "-review").inputs.maxSessionDuration, 3600);
    // Each job's subject reaches exactly one role.
    const subjects = ["-deploy", "-preview", "-review"].flatMap(
      (role) => trustOf(stack, role)[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"],
    );
    assert.equal(new Set(subjects).size, subjects.length, subjects.join(", "));
    assert.ok(stack.outputs.reviewRoleArn, "the bootstrap exports reviewRoleArn");
  });

  it("review role: the deploy role's statements with every name-scoped resource narrowed to boyacky-pr-*, and the deny", () => {
    const scope = { region: "ap-northeast-1", accountId: MOCK_ACCOUNT };
    const deploy = deployStatements(scope);
    const review = policyOf(stack, "-review");
    assert.deepEqual(
      review,
      reviewStatements(scope).map((statement) => JSON.parse(JSON.stringify(statement))),
    );
    const allows = review.filter((statement) => statement.Effect === "Allow");
    assert.deepEqual(
      allows.map((statement) => statement.Sid),
      deploy.map((statement) => statement.Sid),
      "one counterpart per deploy statement, in order",
    );
    allows.forEach((statement, index) => {
      const counterpart = deploy[index];
      assert.deepEqual(statement.Action, counterpart.Action, statement.Sid);
      assert.deepEqual(statement.Condition, counterpart.Condition, statement.Sid);
      const resources = [statement.Resource].flat();
      const deployResources = [counterpart.Resource].flat();
      assert.equal(resources.length, deployResources.length, statement.Sid);
      resources.forEach((resource, at) => {
        if (resource === "*" || UNNAMED_RESOURCES.test(resource))
          assert.equal(resource, deployResources[at], `${statement.Sid}: AWS scopes ${resource} by no name`);
        else {
          assert.match(resource, /boyacky-pr-\*/, `${statement.Sid}: ${resource} is scoped to the review stacks`);
          assert.equal(
            resource.replace("boyacky-pr-*", "boyacky-*"),
            deployResources[at],
            `${statement.Sid}: ${resource} is the review counterpart of ${deployResources[at]}`,
          );
        }
      });
    });
    // IAM: the stacks' path, and within it only the review stacks' roles.
    const iam = allows.filter((statement) =>
      statement.Action.some((action) => action.startsWith("iam:") && action !== "iam:CreateServiceLinkedRole"),
    );
    assert.ok(iam.length > 0);
    for (const statement of iam)
      assert.deepEqual([statement.Resource].flat(), [`arn:aws:iam::${MOCK_ACCOUNT}:role${STACK_ROLE_PATH}boyacky-pr-*`], statement.Sid);
    for (const statement of allows) {
      for (const action of statement.Action) assert.doesNotMatch(action, /^\*$|^[\w-]+:\*$/, `${statement.Sid}: ${action}`);
    }
  });

  it("review role: reaches a pr-123 stack's resources, never dev's or prod's, nor the bootstrap's roles", () => {
    const review = policyOf(stack, "-review");
    const region = "ap-northeast-1";
    const arns = (stackName: string) => ({
      "s3:DeleteBucket": `arn:aws:s3:::boyacky-${stackName}-alb-logs-d4b66df`,
      "s3:DeleteObject": `arn:aws:s3:::boyacky-${stackName}-flow-logs-a32e707/AWSLogs/x.log.gz`,
      "dynamodb:DeleteTable": `arn:aws:dynamodb:${region}:${MOCK_ACCOUNT}:table/boyacky-${stackName}-grumbles-3818ac7`,
      "dynamodb:UpdateTable": `arn:aws:dynamodb:${region}:${MOCK_ACCOUNT}:table/boyacky-${stackName}-grumbles-3818ac7`,
      "ecr:DeleteRepository": `arn:aws:ecr:${region}:${MOCK_ACCOUNT}:repository/boyacky-${stackName}-repo-9bd25ac`,
      "ecr:PutImage": `arn:aws:ecr:${region}:${MOCK_ACCOUNT}:repository/boyacky-${stackName}-repo-9bd25ac`,
      "logs:DeleteLogGroup": `arn:aws:logs:${region}:${MOCK_ACCOUNT}:log-group:/ecs/boyacky-${stackName}-202501010000003936763630bf`,
      "iam:PutRolePolicy": `arn:aws:iam::${MOCK_ACCOUNT}:role${STACK_ROLE_PATH}boyacky-${stackName}-task-ff718b2`,
      "iam:PassRole": `arn:aws:iam::${MOCK_ACCOUNT}:role${STACK_ROLE_PATH}boyacky-${stackName}-execution-d32b1e5`,
      "wafv2:DeleteWebACL": `arn:aws:wafv2:us-east-1:${MOCK_ACCOUNT}:global/webacl/boyacky-${stackName}-web/0123abcd`,
      "logs:DeleteDeliverySource": `arn:aws:logs:us-east-1:${MOCK_ACCOUNT}:delivery-source:boyacky-${stackName}-cdn`,
    });
    for (const [action, arn] of Object.entries(arns("pr-123"))) assert.ok(allows(review, action, arn), `${action} on ${arn}`);
    for (const other of ["prod", "dev"]) {
      for (const [action, arn] of Object.entries(arns(other)))
        assert.ok(!allows(review, action, arn), `the review role grants ${action} on ${other}'s ${arn}`);
    }
    for (const role of ofType(stack, T.role)) {
      const arn = `arn:aws:iam::${MOCK_ACCOUNT}:role${role.inputs.path ?? "/"}${role.state.name}`;
      for (const action of ["iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole", "iam:PassRole"])
        assert.ok(!allows(review, action, arn), `${action} on the bootstrap's ${arn}`);
    }
  });

  it("review role: denies everything on resources tagged as another Boyacky stack, and nothing on its own or untagged ones", () => {
    const denies = policyOf(stack, "-review").filter((statement) => statement.Effect === "Deny");
    assert.equal(denies.length, 1);
    const [deny] = denies;
    assert.deepEqual([deny.Action, deny.Resource], [["*"], "*"]);
    // IAM's condition operators, for the keys this statement uses: a key the request lacks makes
    // StringEquals false and StringNotLike true; both must hold for the deny to apply.
    const denied = (tags: Record<string, string>) => {
      const conditions = deny.Condition as Record<string, Record<string, string>>;
      const key = (name: string) => tags[name.replace("aws:ResourceTag/", "")];
      const like = (value: string, pattern: string) => arnMatches(pattern, value);
      return (
        Object.entries(conditions.StringEquals).every(([name, value]) => key(name) === value) &&
        Object.entries(conditions.StringNotLike).every(([name, pattern]) => key(name) === undefined || !like(key(name), pattern))
      );
    };
    assert.ok(denied({ app: "boyacky", stack: "prod" }));
    assert.ok(denied({ app: "boyacky", stack: "dev" }));
    assert.ok(denied({ app: "boyacky" }), "a Boyacky resource without a stack tag is not a review stack's");
    assert.ok(!denied({ app: "boyacky", stack: `${REVIEW_STACK_PREFIX}123` }));
    assert.ok(!denied({}), "untagged resources, or actions AWS checks no resource tag for: the allows decide");
    assert.ok(!denied({ app: "something-else", stack: "prod" }));
  });

  it("review role: a self-managed state bucket is read whole (as by the preview role) and written only for the review stacks", async () => {
    const withBucket = await runOfflineStack("github", { githubRepository: REPOSITORY, stateBucket: "my-boyacky-state" }, BOOTSTRAP);
    const review = policyOf(withBucket, "-review");
    const state = (key: string) => `arn:aws:s3:::my-boyacky-state/.pulumi/${key}`;
    assert.ok(allows(review, "s3:ListBucket", "arn:aws:s3:::my-boyacky-state"));
    for (const key of ["stacks/boyacky/prod.json", "stacks/boyacky/pr-12.json", "meta.yaml"])
      assert.ok(allows(review, "s3:GetObject", state(key)), key);
    const own = [
      "stacks/boyacky/pr-12.json",
      "stacks/boyacky/pr-12.json.bak",
      "history/boyacky/pr-12/pr-12-1700000000.history.json",
      "backups/boyacky/pr-12/pr-12.1700000000.json",
      "locks/organization/boyacky/pr-12/1234.json",
    ];
    const others = [
      "stacks/boyacky/prod.json",
      "stacks/boyacky/dev.json",
      "history/boyacky/prod/prod-1700000000.history.json",
      "locks/organization/boyacky/prod/1234.json",
      "meta.yaml",
    ];
    for (const key of own) assert.ok(allows(review, "s3:PutObject", state(key)) && allows(review, "s3:DeleteObject", state(key)), key);
    for (const key of others)
      assert.ok(
        !allows(review, "s3:PutObject", state(key)) && !allows(review, "s3:DeleteObject", state(key)),
        `the review role may write ${key}`,
      );
  });

  it("review environment: configurable, but never the production environment", async () => {
    const custom = await runOfflineStack("github", { githubRepository: REPOSITORY, reviewEnvironment: "pr-stacks" }, BOOTSTRAP);
    assert.deepEqual(trustOf(custom, "-review")[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"], [
      `repo:${REPOSITORY}:environment:pr-stacks`,
    ]);
    await assert.rejects(
      runOfflineStack("github", { githubRepository: REPOSITORY, reviewEnvironment: "production" }, BOOTSTRAP),
      /reviewEnvironment=production is also the production environment; the review stacks' jobs need an environment of their own/,
    );
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
        assert.ok(
          ["ap-northeast-1", "us-east-1"].includes(statement.Condition?.StringEquals?.["aws:RequestedRegion"]),
          `${statement.Sid} has Resource * without a region limit`,
        );
      } else {
        for (const resource of [].concat(statement.Resource) as string[])
          assert.match(
            resource,
            /boyacky-|role\/boyacky\/|aws-service-role|^arn:aws:route53:::(hostedzone|change)\/\*$|:certificate\/\*$|:delivery:\*$|\/managedruleset\//,
            `${statement.Sid}: ${resource}`,
          );
      }
    }
    const passRole = statements.find((statement: { Action: string[] }) => statement.Action.includes("iam:PassRole"));
    assert.deepEqual(passRole.Condition.StringEquals["iam:PassedToService"], [
      "ecs-tasks.amazonaws.com",
      "ecs.amazonaws.com",
      "scheduler.amazonaws.com",
    ]);
  });

  it("IAM actions reach the stacks' roles only, never the bootstrap's own roles", () => {
    const statements: { Action: string[]; Resource: string | string[] }[] = JSON.parse(
      one(stack, T.rolePolicy, "-deploy").inputs.policy,
    ).Statement;
    const iam = statements.filter((statement) =>
      statement.Action.some((action) => action.startsWith("iam:") && action !== "iam:CreateServiceLinkedRole"),
    );
    assert.ok(iam.length > 0);
    const bootstrapRoles = ofType(stack, T.role).map(
      (role) => `arn:aws:iam::${MOCK_ACCOUNT}:role${role.inputs.path ?? "/"}${role.state.name}`,
    );
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
      JSON.parse(one(withBucket, T.rolePolicy, roleSuffix).inputs.policy).Statement.some(
        (statement: { Action: string[]; Resource: string | string[] }) =>
          statement.Action.includes(action) && [statement.Resource].flat().some((pattern) => arnMatches(pattern, resource)),
      );
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
    assert.ok(
      !JSON.parse(one(stack, T.rolePolicy, "-preview").inputs.policy).Statement.some((statement: { Action: string[] }) =>
        statement.Action.some((action) => action.startsWith("s3:")),
      ),
    );
    await assert.rejects(
      runOfflineStack("github", { githubRepository: REPOSITORY, stateBucket: "s3://my-boyacky-state" }, BOOTSTRAP),
      /stateBucket=s3:\/\/my-boyacky-state is not an S3 bucket name; give the bucket's name only/,
    );
  });

  it("reuses an existing OIDC provider instead of creating a second one", async () => {
    const existing = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    const reused = await runOfflineStack("github", { githubRepository: REPOSITORY, existingOidcProviderArn: existing }, BOOTSTRAP);
    assert.equal(ofType(reused, T.openIdConnectProvider).length, 0);
    assert.equal(trustOf(reused, "-deploy")[0].Principal.Federated, existing);
  });

  it("refuses to run without a valid repository, saying how to set it", async () => {
    await assert.rejects(runOfflineStack("github", {}, BOOTSTRAP), (error: Error) => {
      assert.ok(error instanceof OfflineStackError);
      assert.match(
        error.message,
        /githubRepository= is not a repository; set it with `pulumi config set githubRepository <owner>\/<name>`/,
      );
      return true;
    });
    await assert.rejects(runOfflineStack("github", { githubRepository: "*/*" }, BOOTSTRAP), /githubRepository=\*\/\* is not a repository/);
  });
});
