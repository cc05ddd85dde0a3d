/**
 * What every area file of the pack shares: the shape of a guardrail (a policy before the stack
 * decides its enforcement level), dispatch over several resource types, and reading references
 * and IAM documents in a way that also works during `pulumi preview`.
 */
import type {
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  StackValidation,
  StackValidationArgs,
} from "@pulumi/policy";
import { pulumiTypeOf } from "../scripts/resourceTypes";

/**
 * A policy of the pack without its enforcement level, which `buildPolicies` sets per stack.
 * `controls` names the AWS Foundational Security Best Practices controls it encodes (or "custom").
 */
export type Guardrail = {
  name: string;
  controls: string[];
  description: string;
  remediationSteps: string;
} & ({ validateResource: ResourceValidation; validateStack?: never } | { validateStack: StackValidation; validateResource?: never });

/**
 * One validation over several resource types, each checked by its own `validateResourceOfType`
 * (whose function carries the type it accepts). A single function, not an array: the engine would
 * report the policy "not applicable" for every array entry that does not match.
 */
export function anyOf(...validations: ResourceValidation[]): ResourceValidation {
  const byType = new Map(validations.map((validation) => [pulumiTypeOf(validation), validation]));
  return (args, reportViolation) => {
    const validation = byType.get(args.type);
    if (!validation) return args.notApplicable(`Policy only applies to ${[...byType.keys()].join(", ")}`);
    return validation(args, reportViolation);
  };
}

/** A stack validation over the resources of the stack, with the resources of one type at hand. */
export function resourcesOf(args: StackValidationArgs, resourceClass: unknown): PolicyResource[] {
  const type = pulumiTypeOf(resourceClass);
  return args.resources.filter((resource) => resource.type === type);
}

/** Reports with the resource's URN, so a stack violation names the resource at fault. */
export function reportOn(reportViolation: ReportViolation, resource: PolicyResource) {
  return (message: string) => reportViolation(message, resource.urn);
}

/** True for the error @pulumi/policy throws when a check reads a value unknown during preview. */
function isUnknownValueError(error: unknown): boolean {
  return (error as { constructor?: { name?: string } })?.constructor?.name === "UnknownValueError";
}

/** Sentinel for a value that is only known once the resource exists (a preview of a new stack). */
export const UNKNOWN = Symbol("unknown during preview");

/** Reads `object[key]`, giving UNKNOWN instead of throwing for a value computed during preview. */
export function peek(object: Record<string, any> | undefined, key: string): any {
  if (!object) return undefined;
  try {
    return object[key];
  } catch (error) {
    if (isUnknownValueError(error)) return UNKNOWN;
    throw error;
  }
}

/**
 * The list at `object[key]`; empty when it is not set, or is an output that stays unknown during
 * preview because the program did not set it (e.g. a security group's inline rules).
 */
export function listAt(object: Record<string, any> | undefined, key: string): any[] {
  const value = peek(object, key);
  return Array.isArray(value) ? value : [];
}

/** Every string inside a value (a string, or arrays and objects of them), skipping unknown ones. */
function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return Array.from({ length: value.length }, (_, index) => stringsIn(peek(value, String(index)))).flat();
  if (value && typeof value === "object") return Object.keys(value).flatMap((key) => stringsIn(peek(value, key)));
  return [];
}

/** How a resource is referred to: its id, name and ARN, where known. */
export function identitiesOf(resource: PolicyResource): string[] {
  return ["id", "name", "arn"]
    .map((key) => peek(resource.props, key))
    .filter((value): value is string => typeof value === "string" && value !== "");
}

/**
 * Whether `from`'s property `key` refers to `to`. By the engine's property dependencies when it
 * recorded any for `key` (they are known during preview, when new resources' ids are not);
 * otherwise by value: a string in the property equals one of `expected(to)` (default: its id,
 * name or ARN).
 */
export function refersTo(
  from: PolicyResource,
  key: string,
  to: PolicyResource,
  expected: (to: PolicyResource) => string[] = identitiesOf,
): boolean {
  const dependencies = from.propertyDependencies?.[key];
  if (dependencies && dependencies.length > 0) return dependencies.some((dependency) => dependency.urn === to.urn);
  const wanted = expected(to);
  return stringsIn(peek(from.props, key)).some((value) => wanted.includes(value));
}

/** An IAM policy statement as found in a policy document. */
export interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of a policy document, given as a JSON string or an object. */
export function statementsOf(document: unknown): Statement[] {
  const parsed =
    typeof document === "string" ? (JSON.parse(document) as { Statement?: unknown }) : (document as { Statement?: unknown } | undefined);
  const statements = parsed?.Statement;
  if (statements === undefined) return [];
  return (Array.isArray(statements) ? statements : [statements]) as Statement[];
}

/** A string-or-list field of a statement, as a list. */
export function listOf(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : ([] as string[]).concat(value);
}

export type { ReportViolation, ResourceValidationArgs };
