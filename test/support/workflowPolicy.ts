/**
 * House rules for the GitHub Actions workflows, checked on the parsed YAML (and, for comments,
 * on the raw lines). `workflowPolicyProblems` returns one plain sentence per broken rule, so a
 * failing test says what to fix. test/workflows.test.ts runs it on .github/workflows/ (expecting
 * none) and on a fixture that breaks every rule (expecting each).
 */
import { parse } from "yaml";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Mapping = { [key: string]: Json };

export interface Step extends Mapping {}
export interface Job extends Mapping {}

export interface Workflow {
  file: string;
  source: string;
  doc: Mapping;
  jobs: Record<string, Job>;
}

export const AWS_CREDENTIALS_ACTION = "aws-actions/configure-aws-credentials";
export const PULUMI_ACTION = "pulumi/actions";

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
  if (ref.startsWith("docker://")) return /@sha256:[0-9a-f]{64}$/.test(ref) ? undefined : "a docker:// action must be pinned by @sha256 digest";
  const at = ref.lastIndexOf("@");
  if (at < 0) return "has no @ref at all";
  const version = ref.slice(at + 1);
  if (FULL_SHA.test(version)) {
    return /^v\d+\.\d+\.\d+\b/.test(comment) ? undefined : "is pinned to a commit SHA without a `# vX.Y.Z` comment saying which release it is";
  }
  if (VERSION_TAG.test(version)) return undefined;
  return `is pinned to "${version}", a branch or a moving name: use a release tag (vN…) or a full commit SHA`;
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
      if (level === "write") problems.push(`${file}: the workflow grants ${scope}: write to every job; grant it only in the job that needs it`);
    }
  }
  // A workflow-level group that cancels would cancel a running pulumi up or destroy.
  if (isMapping(doc.concurrency) && doc.concurrency["cancel-in-progress"] !== false && Object.values(jobs).some((job) => stepsUsing(job, PULUMI_ACTION).some((step) => ["up", "destroy"].includes(String(withOf(step).command))))) {
    problems.push(`${file}: a workflow-level concurrency that may cancel in progress would interrupt pulumi up/destroy`);
  }

  for (const [jobId, job] of Object.entries(jobs)) {
    const where = `${file}: job ${jobId}`;
    problems.push(...permissionsProblems(where, job.permissions));
    const usesAws = stepsUsing(job, AWS_CREDENTIALS_ACTION).length > 0;
    const pulumiSteps = stepsUsing(job, PULUMI_ACTION);
    const commentsOnPr = pulumiSteps.some((step) => String(withOf(step)["comment-on-pr"]) === "true");

    if (isMapping(job.permissions)) {
      for (const [scope, level] of Object.entries(job.permissions)) {
        if (level !== "write") continue;
        if (scope === "id-token" && usesAws) continue;
        if (scope === "pull-requests" && commentsOnPr) continue;
        problems.push(
          scope === "id-token"
            ? `${where} has id-token: write but does not use ${AWS_CREDENTIALS_ACTION} (OIDC)`
            : scope === "pull-requests"
              ? `${where} has pull-requests: write but posts no preview comment`
              : `${where} has ${scope}: write, which no job here needs`,
        );
      }
      if (usesAws && job.permissions["id-token"] !== "write") problems.push(`${where} uses ${AWS_CREDENTIALS_ACTION} without id-token: write (OIDC needs it)`);
    }

    if (typeof job.uses !== "string" && job["timeout-minutes"] === undefined) problems.push(`${where} has no timeout-minutes`);

    for (const step of stepsUsing(job, AWS_CREDENTIALS_ACTION)) {
      const inputs = withOf(step);
      for (const key of ["aws-access-key-id", "aws-secret-access-key", "aws-session-token"]) {
        if (key in inputs) problems.push(`${where} passes ${key}: use role-to-assume (OIDC), never long-lived keys`);
      }
      if (!/^\$\{\{\s*(vars|secrets)\.AWS_[A-Z_]*ROLE_ARN\b/.test(String(inputs["role-to-assume"] ?? ""))) {
        problems.push(`${where}: role-to-assume must come from vars.AWS_ROLE_ARN (or a secret), got ${JSON.stringify(inputs["role-to-assume"] ?? null)}`);
      }
      if (!/^\$\{\{\s*(vars|secrets)\.AWS_REGION\s*\}\}$/.test(String(inputs["aws-region"] ?? ""))) {
        problems.push(`${where}: aws-region must be \${{ vars.AWS_REGION }}, got ${JSON.stringify(inputs["aws-region"] ?? null)}`);
      }
    }

    for (const step of pulumiSteps) {
      const command = String(withOf(step).command ?? "");
      if (command === "up" || command === "destroy") {
        const concurrency = job.concurrency;
        if (!isMapping(concurrency) || typeof concurrency.group !== "string" || concurrency["cancel-in-progress"] !== false) {
          problems.push(`${where} runs pulumi ${command} without concurrency: {group: <one per stack>, cancel-in-progress: false}`);
        }
      }
    }

    stepsOf(job).forEach((step, index) => {
      if (typeof step.run === "string" && step.run.includes("${{")) {
        problems.push(`${where}, step ${index + 1} (${String(step.name ?? step.run.split("\n")[0])}): expands \${{ }} inside run:; pass the value through env: instead`);
      }
    });
  }

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
