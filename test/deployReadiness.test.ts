/**
 * Deploy readiness: what AWS would refuse that mocks accept. For every stack variant the tests
 * run, the real program under mocks is checked against AWS's own value constraints, against the
 * IAM actions its resources need from the deploy and preview roles, and against the orderings
 * AWS needs. Each constraint, action and ordering is in a table with its source.
 */
import assert from "node:assert/strict";
import { deployStatements, previewStatements, reviewStatements } from "../bootstrap/deployPermissions";
import {
  byMockId,
  MOCK_ACCOUNT,
  mockIdOf,
  type OfflineResource,
  type OfflineStack,
  ofType,
  runOfflineStack,
} from "../scripts/offlineStack";
import { T } from "../scripts/resourceTypes";
import { DEPENDENCY_RULES } from "./support/awsDependencies";
import { VALUE_RULES, type ValueRule } from "./support/awsValueRules";
import { type ActionGroup, DEPLOY_ACTIONS, INVOKE_ACTIONS } from "./support/deployActions";
import { allowsRegion, grantsOf } from "./support/iamPolicy";
import { runReviewStack } from "./support/reviewStack";
import { STACK_VARIANTS } from "./support/stackVariants";

const REGION = "ap-northeast-1";

/** The values at an input path (`a.*.b`, `tags.@keys`) or the physical name (`@name`). */
function valuesAt(resource: OfflineResource, property: string): unknown[] {
  if (property === "@name") return resource.state.name === undefined ? [] : [resource.state.name];
  let values: unknown[] = [resource.inputs];
  for (const step of property.split(".")) {
    values = values.flatMap((value): unknown[] => {
      if (value === null || typeof value !== "object") return [];
      if (step === "*") return Object.values(value);
      if (step === "@keys") return Object.keys(value);
      return step in value ? [(value as Record<string, unknown>)[step]] : [];
    });
  }
  return values.filter((value) => value !== undefined);
}

/**
 * The resource with the tags AWS will see: the provider's default tags (index.ts) under its own.
 * The provider's inputs reach the mocks JSON-encoded.
 */
function withDefaultTags(stack: OfflineStack, resource: OfflineResource): OfflineResource {
  const provider = stack.resources.find(
    (candidate) => candidate.type === "pulumi:providers:aws" && candidate.inputs.defaultTags !== undefined,
  );
  if (!provider || !resource.type.startsWith("aws:")) return resource;
  const defaults = JSON.parse(String(provider.inputs.defaultTags)).tags as Record<string, string>;
  return { ...resource, inputs: { ...resource.inputs, tags: { ...defaults, ...(resource.inputs.tags ?? {}) } } };
}

/** What is wrong with a value under a rule, or undefined. */
function violation(rule: ValueRule, value: unknown): string | undefined {
  if (rule.oneOf && !rule.oneOf.includes(value as string | number)) return `is not one of ${rule.oneOf.join(", ")}`;
  if (rule.range && !(typeof value === "number" && value >= rule.range[0] && value <= rule.range[1]))
    return `is outside ${rule.range[0]}..${rule.range[1]}`;
  if (rule.pattern || rule.minLength !== undefined || rule.maxLength !== undefined) {
    if (typeof value !== "string") return "is not a string";
    const length = [...value].length;
    if (rule.minLength !== undefined && length < rule.minLength) return `is shorter than ${rule.minLength}`;
    if (rule.maxLength !== undefined && length > rule.maxLength) return `is longer than ${rule.maxLength} (${length})`;
    if (rule.pattern && !rule.pattern.test(value)) return `does not match ${rule.pattern}`;
  }
  return undefined;
}

/** The resources `resource` waits for: through `dependsOn` (a component means its children) and through its inputs. */
function dependenciesOf(stack: OfflineStack, resource: OfflineResource): Set<OfflineResource> {
  const direct = (from: OfflineResource): OfflineResource[] => {
    const explicit = from.options.dependsOn.flatMap((name) =>
      stack.resources.filter((candidate) => candidate.name === name || candidate.parentName === name),
    );
    const inputs = JSON.stringify(from.inputs);
    const referenced = stack.resources.filter(
      (candidate) =>
        candidate !== from &&
        (inputs.includes(JSON.stringify(mockIdOf(candidate))) ||
          (typeof candidate.state.arn === "string" && candidate.type.startsWith("aws:") && inputs.includes(candidate.state.arn))),
    );
    return [...explicit, ...referenced];
  };
  const seen = new Set<OfflineResource>();
  const queue = direct(resource);
  while (queue.length) {
    const next = queue.pop() as OfflineResource;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...direct(next));
  }
  return seen;
}

/** The ARN IAM evaluates for resources whose deploy-role statements are scoped by name; undefined for the rest. */
function scopedArnOf(stack: OfflineStack, resource: OfflineResource): string | undefined {
  const bucketArn = (id: string) => {
    const bucket = byMockId(stack, T.bucket, id);
    return bucket && `arn:aws:s3:::${bucket.state.name}`;
  };
  switch (resource.type) {
    case T.role:
      return `arn:aws:iam::${MOCK_ACCOUNT}:role${resource.inputs.path ?? "/"}${resource.state.name}`;
    case T.rolePolicy:
    case T.rolePolicyAttachment: {
      const role =
        byMockId(stack, T.role, resource.inputs.role) ??
        ofType(stack, T.role).find((candidate) => candidate.state.name === resource.inputs.role);
      return role && scopedArnOf(stack, role);
    }
    case T.bucket:
      return `arn:aws:s3:::${resource.state.name}`;
    case T.bucketPolicy:
    case T.bucketPublicAccessBlock:
    case T.bucketOwnershipControls:
    case T.bucketEncryption:
    case T.bucketLifecycle:
      return bucketArn(resource.inputs.bucket);
    case T.logGroup:
      return `arn:aws:logs:${REGION}:${MOCK_ACCOUNT}:log-group:${resource.state.name}`;
    case T.repository:
      return `arn:aws:ecr:${REGION}:${MOCK_ACCOUNT}:repository/${resource.state.name}`;
    case T.lifecyclePolicy:
      return `arn:aws:ecr:${REGION}:${MOCK_ACCOUNT}:repository/${resource.inputs.repository}`;
    case T.image:
      return `arn:aws:ecr:${REGION}:${MOCK_ACCOUNT}:repository/${String(resource.inputs.imageName)
        .replace(/^[^/]+\//, "")
        .replace(/:[^:]+$/, "")}`;
    case T.table:
      return `arn:aws:dynamodb:${REGION}:${MOCK_ACCOUNT}:table/${resource.state.name}`;
    default:
      return undefined;
  }
}

/** The action groups that apply to this resource (its type's, filtered by `when`). */
function groupsFor(resource: OfflineResource): ActionGroup[] {
  return (DEPLOY_ACTIONS[resource.type] ?? []).filter((group) => group.when === undefined || group.when(resource.inputs));
}

/** The service prefix an ARN belongs to (`arn:aws:s3:::x` → `s3`). */
const arnService = (arn: string) => arn.split(":")[2];

/** Services answered in us-east-1 whatever the stack's region (IAM User Guide, aws:RequestedRegion for global services). */
const GLOBAL_SERVICES = ["iam", "cloudfront", "route53", "sts"];

/** The region a call for `resource` is made to: us-east-1 for global services, else the resource's own `region` or the stack's. */
function requestedRegionOf(resource: OfflineResource, action: string): string {
  return GLOBAL_SERVICES.includes(action.split(":")[0]) ? "us-east-1" : (resource.inputs.region ?? REGION);
}

describe("deploy readiness: what AWS accepts, checked offline for every stack variant", function () {
  this.timeout(120_000);
  const stacks: { label: string; stack: OfflineStack }[] = [];
  const deploy = deployStatements({ region: REGION, accountId: MOCK_ACCOUNT });
  const preview = previewStatements({ region: REGION, accountId: MOCK_ACCOUNT });

  before(async () => {
    for (const variant of STACK_VARIANTS)
      stacks.push({ label: variant.label, stack: await runOfflineStack(variant.stack, variant.overrides) });
  });

  describe("AWS value constraints (test/support/awsValueRules.ts)", () => {
    it("every value the program sets is one AWS accepts", () => {
      const problems: string[] = [];
      for (const { label, stack } of stacks) {
        for (const resource of stack.resources.map((candidate) => withDefaultTags(stack, candidate))) {
          for (const rule of VALUE_RULES.filter(
            (candidate) => candidate.types.includes(resource.type) && (candidate.when?.(resource.inputs) ?? true),
          )) {
            for (const value of valuesAt(resource, rule.property)) {
              const wrong = violation(rule, value);
              if (wrong)
                problems.push(
                  `${label}: ${resource.name} ${rule.property} ${JSON.stringify(value)} ${wrong} (${rule.what}: ${rule.source})`,
                );
            }
          }
        }
      }
      assert.deepEqual([...new Set(problems)], []);
    });

    it("every rule is exercised by some resource, so the table cannot rot", () => {
      const unused = VALUE_RULES.filter(
        (rule) =>
          !stacks.some(({ stack }) =>
            stack.resources
              .map((resource) => withDefaultTags(stack, resource))
              .some(
                (resource) =>
                  rule.types.includes(resource.type) &&
                  (rule.when?.(resource.inputs) ?? true) &&
                  valuesAt(resource, rule.property).length > 0,
              ),
          ),
      );
      assert.deepEqual(
        unused.map((rule) => `${rule.what} (${rule.property} of ${rule.types.join(", ")})`),
        [],
      );
    });

    it("every rule names its source and constrains something", () => {
      for (const rule of VALUE_RULES) {
        assert.match(rule.source, /https:\/\//, rule.what);
        assert.ok(rule.pattern || rule.oneOf || rule.range || rule.maxLength !== undefined || rule.minLength !== undefined, rule.what);
      }
    });

    it("the rules do refuse what AWS refuses: an apostrophe in a security group description", () => {
      const sgDescription = VALUE_RULES.find((rule) => rule.types.includes(T.securityGroup) && rule.property === "description");
      assert.ok(sgDescription, "a rule for security group descriptions");
      assert.match(String(violation(sgDescription, "to the tasks' port")), /does not match/);
      assert.equal(violation(sgDescription, "to the task port (8080) from the ALB"), undefined);
    });
  });

  describe("deploy-role coverage (test/support/deployActions.ts, bootstrap/deployPermissions.ts)", () => {
    it("the table knows every resource type the program creates", () => {
      const types = new Set(
        stacks.flatMap(({ stack }) => stack.resources.map((resource) => resource.type)).filter((type) => /^(aws|docker):/.test(type)),
      );
      assert.deepEqual([...types].filter((type) => !(type in DEPLOY_ACTIONS)).sort(), []);
    });

    it("every action groups names its source", () => {
      for (const groups of [...Object.values(DEPLOY_ACTIONS), ...Object.values(INVOKE_ACTIONS)]) {
        for (const group of groups) assert.ok(group.source.length > 10, group.actions.join(", "));
      }
    });

    it("the deploy role grants every action each resource needs, on that resource where the policy is scoped by name", () => {
      const missing = new Set<string>();
      for (const { label, stack } of stacks) {
        for (const resource of stack.resources) {
          const arn = scopedArnOf(stack, resource);
          for (const group of groupsFor(resource)) {
            for (const action of group.actions) {
              const region = requestedRegionOf(resource, action);
              const grants = grantsOf(deploy, action);
              if (grants.length === 0) missing.add(`${action} (${resource.type}; ${group.source})`);
              else if (!grants.some((statement) => allowsRegion(statement, region)))
                missing.add(`${action} in ${region} (${label}: ${resource.type})`);
              else if (arn && action.split(":")[0] === arnService(arn) && grantsOf(deploy, action, arn).length === 0) {
                missing.add(`${action} on ${arn} (${label}: ${resource.type})`);
              }
            }
          }
        }
      }
      assert.deepEqual([...missing].sort(), []);
    });

    it("the task definition's roles can be passed: iam:PassRole on each of them, to ECS tasks only", () => {
      for (const { label, stack } of stacks) {
        for (const task of ofType(stack, T.taskDefinition)) {
          for (const roleArn of [task.inputs.executionRoleArn, task.inputs.taskRoleArn]) {
            const role = ofType(stack, T.role).find((candidate) => candidate.state.arn === roleArn);
            assert.ok(role, `${label}: the role ${roleArn}`);
            const grants = grantsOf(deploy, "iam:PassRole", scopedArnOf(stack, role));
            assert.equal(grants.length, 1, `${label}: iam:PassRole on ${scopedArnOf(stack, role)}`);
          }
        }
      }
    });

    it("data sources: the deploy role and the preview role can call every one the program invokes", () => {
      const invoked = new Set(stacks.flatMap(({ stack }) => stack.invokes));
      assert.ok(invoked.size > 0);
      for (const token of invoked) {
        assert.ok(token in INVOKE_ACTIONS, `${token} is not in INVOKE_ACTIONS`);
        for (const action of INVOKE_ACTIONS[token].flatMap((group) => group.actions)) {
          assert.ok(grantsOf(deploy, action).length > 0, `deploy role: ${action} (${token})`);
          assert.ok(grantsOf(preview, action).length > 0, `preview role: ${action} (${token})`);
        }
      }
    });

    it("the check fails when the role lacks an action: without the flow-log delivery actions it reports them", () => {
      const without = deploy.map((statement) => ({
        ...statement,
        Action: statement.Action.filter((action) => !action.startsWith("logs:") || !/LogDelivery$/.test(action)),
      }));
      const flowLog = stacks[0].stack.resources.find((resource) => resource.type === T.flowLog) as OfflineResource;
      const needed = groupsFor(flowLog).flatMap((group) => group.actions);
      assert.ok(needed.includes("logs:CreateLogDelivery"), "the table lists the delivery actions for flow logs to S3");
      assert.deepEqual(needed.filter((action) => grantsOf(without, action).length === 0).sort(), [
        "logs:CreateLogDelivery",
        "logs:DeleteLogDelivery",
      ]);
    });
  });

  describe("orderings AWS needs (test/support/awsDependencies.ts)", () => {
    it("each resource waits for what AWS needs to exist first", () => {
      const problems: string[] = [];
      for (const { label, stack } of stacks) {
        for (const rule of DEPENDENCY_RULES) {
          for (const resource of ofType(stack, rule.from).filter((candidate) => rule.when?.(candidate) ?? true)) {
            const needed = rule.waitsFor(stack, resource);
            if (needed.length === 0) problems.push(`${label}: ${resource.name}: found nothing to wait for (${rule.what})`);
            const dependencies = dependenciesOf(stack, resource);
            for (const dependency of needed.filter((candidate) => !dependencies.has(candidate))) {
              problems.push(`${label}: ${resource.name} does not wait for ${dependency.name}: ${rule.what} (${rule.source})`);
            }
          }
        }
      }
      assert.deepEqual(problems, []);
    });

    it("every rule applies to some resource of some variant", () => {
      const unused = DEPENDENCY_RULES.filter(
        (rule) => !stacks.some(({ stack }) => ofType(stack, rule.from).some((resource) => rule.when?.(resource) ?? true)),
      );
      assert.deepEqual(
        unused.map((rule) => rule.what),
        [],
      );
    });
  });
});

describe("review-role coverage: what a review stack pr-<number> needs (bootstrap/deployPermissions.ts reviewStatements)", function () {
  this.timeout(120_000);

  it("the review role grants every action a pr-123 stack's resources need, on that stack's resources", async () => {
    const stack = await runReviewStack(123);
    const review = reviewStatements({ region: REGION, accountId: MOCK_ACCOUNT });
    const missing = new Set<string>();
    for (const resource of stack.resources) {
      const arn = scopedArnOf(stack, resource);
      if (arn) assert.match(arn, /boyacky-pr-123-/, `${resource.name}: a review stack's resources are named boyacky-pr-123-…`);
      for (const group of groupsFor(resource)) {
        for (const action of group.actions) {
          const grants = grantsOf(review, action);
          if (!grants.some((statement) => allowsRegion(statement, requestedRegionOf(resource, action))))
            missing.add(`${action} (${resource.type})`);
          else if (arn && action.split(":")[0] === arnService(arn) && grantsOf(review, action, arn).length === 0)
            missing.add(`${action} on ${arn}`);
        }
      }
    }
    assert.deepEqual([...missing].sort(), []);
  });
});
