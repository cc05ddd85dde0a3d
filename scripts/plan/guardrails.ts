/**
 * Guardrails: if a policy pack with an offline evaluator exists (policy/offline.ts exporting
 * `evaluatePolicies(stack)`), the plan runs it on the same offline stack and lists violations.
 * Without it the plan says so and carries on.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { OfflineStack } from "../offlineStack";
import { PROJECT_ROOT } from "../project";

export const POLICY_MODULE = path.join(PROJECT_ROOT, "policy", "offline.ts");

export interface Violation {
  policy: string;
  level: string;
  resource?: string;
  message: string;
}

export type GuardrailReport =
  | { available: false; reason: string }
  | { available: true; module: string; violations: Violation[] }
  | { available: true; module: string; error: string };

function text(value: unknown): string | undefined {
  return typeof value === "string" && value ? value : undefined;
}

/** Accepts the shapes an evaluator is likely to return: an array, or `{ violations }`, of strings or objects. */
export function normalizeViolations(result: unknown): Violation[] {
  const list = Array.isArray(result) ? result : ((result as { violations?: unknown[] } | undefined)?.violations ?? []);
  return list.map((entry: any) => {
    if (typeof entry === "string") return { policy: "?", level: "?", message: entry };
    return {
      policy: text(entry?.policyName) ?? text(entry?.policy) ?? text(entry?.name) ?? "?",
      level: text(entry?.enforcementLevel) ?? text(entry?.level) ?? "?",
      ...((text(entry?.resourceName) ?? text(entry?.resource) ?? text(entry?.urn))
        ? { resource: text(entry?.resourceName) ?? text(entry?.resource) ?? text(entry?.urn) }
        : {}),
      message: text(entry?.message) ?? text(entry?.description) ?? JSON.stringify(entry),
    };
  });
}

export async function evaluateGuardrails(stack: OfflineStack, modulePath = POLICY_MODULE): Promise<GuardrailReport> {
  const shown = path.relative(PROJECT_ROOT, modulePath);
  if (!existsSync(modulePath)) return { available: false, reason: `no policy pack (${shown} not found)` };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the pack is optional: loaded only when it exists
    const loaded = require(modulePath) as Record<string, unknown>;
    const evaluate = (loaded.evaluatePolicies ?? loaded.default) as ((stack: OfflineStack) => unknown) | undefined;
    if (typeof evaluate !== "function")
      return { available: true, module: shown, error: `${shown} exports no evaluatePolicies(stack) function` };
    return { available: true, module: shown, violations: normalizeViolations(await evaluate(stack)) };
  } catch (error) {
    return { available: true, module: shown, error: `${shown} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
