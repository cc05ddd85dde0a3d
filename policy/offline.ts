/**
 * Runs the pack's policies without the Pulumi CLI: every resource of an offline stack (see
 * scripts/offlineStack.ts) goes through each policy's `validateResource`, and the whole stack
 * through each `validateStack`, with the argument objects @pulumi/policy's analyzer server builds
 * (type, props, urn, name, opts, isType/asType, notApplicable...) and a collector as
 * `reportViolation`. Used by test/policy.test.ts and by `npm run plan`.
 *
 * Resource policies see the resource's inputs, as in `pulumi preview`; stack policies see its
 * state (inputs plus what AWS computes, with its id), as at the end of a preview or update.
 */
import type {
  EnforcementLevel,
  Policies,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import { mockIdOf, type OfflineResource, type OfflineStack } from "../scripts/offlineStack";
import type { PackContext } from "./context";
import { buildPolicies } from "./policies";

export interface PolicyViolation {
  /** The policy's name, e.g. `ecs-no-public-ip`. */
  policy: string;
  /** Logical name of the resource at fault, when the policy names one. */
  resource?: string;
  message: string;
  enforcementLevel: EnforcementLevel;
}

/** A resource as policies see it. */
export interface PolicySubject {
  type: string;
  name: string;
  /** What resource policies check (the inputs). */
  inputs: Record<string, any>;
  /** What stack policies check (the outputs); defaults to the inputs. */
  outputs?: Record<string, any>;
  /** Property name -> logical names of the resources it was computed from (what the engine records). */
  propertyDependencies?: Record<string, string[]>;
  options?: Partial<PolicyResourceOptions>;
}

/** Thrown by `notApplicable`, as the analyzer server does, and swallowed. */
class NotApplicable extends Error {}
const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

/** @pulumi/policy's own test of a resource class against a type token. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  const pulumiType = (resourceClass as { __pulumiType?: unknown }).__pulumiType;
  if (typeof pulumiType === "string" && pulumiType !== "") return type === pulumiType;
  const isInstance = (resourceClass as { isInstance?: (object: unknown) => boolean }).isInstance;
  return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function typeFilterOf(validation: unknown): string | undefined {
  const pulumiType = (validation as { __pulumiType?: unknown }).__pulumiType;
  return typeof pulumiType === "string" && pulumiType !== "" ? pulumiType : undefined;
}

const urnOf = (stack: string, subject: PolicySubject) => `urn:pulumi:${stack}::boyacky::${subject.type}::${subject.name}`;

function optionsOf(subject: PolicySubject): PolicyResourceOptions {
  return {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...subject.options,
  };
}

/** Whether a policy stops a deployment or only reports. */
function effectiveLevel(level: EnforcementLevel | undefined, packLevel: EnforcementLevel): EnforcementLevel {
  const effective = level ?? packLevel;
  return effective === "remediate" ? "mandatory" : effective;
}

/**
 * Every violation of `policies` by `subjects` (the resources of one stack). `packLevel` is the
 * pack's default enforcement level, for policies that set none.
 */
export async function evaluate(
  policies: Policies,
  subjects: PolicySubject[],
  stack = "offline",
  packLevel: EnforcementLevel = "mandatory",
): Promise<PolicyViolation[]> {
  const violations: PolicyViolation[] = [];
  const nameOfUrn = new Map(subjects.map((subject) => [urnOf(stack, subject), subject.name]));
  const stackTags: ReadonlyMap<string, string> = new Map();
  const common = { stackTags, getConfig: <T extends object>() => ({}) as T, notApplicable };

  for (const policy of policies) {
    const enforcementLevel = effectiveLevel(policy.enforcementLevel, packLevel);
    if (enforcementLevel === "disabled") continue;
    const collect = (resource: string | undefined) => (message: string, urn?: string) => {
      violations.push({ policy: policy.name, resource: (urn && nameOfUrn.get(urn)) || resource, message, enforcementLevel });
    };

    if ("validateResource" in policy && policy.validateResource) {
      const validations: ResourceValidation[] = ([] as ResourceValidation[]).concat(policy.validateResource);
      for (const subject of subjects) {
        for (const validation of validations) {
          const filter = validations.length === 1 ? typeFilterOf(validation) : undefined;
          if (filter && filter !== subject.type) continue; // the server's fast path
          const props = structuredClone(subject.inputs);
          const args: ResourceValidationArgs = {
            ...common,
            type: subject.type,
            props,
            urn: urnOf(stack, subject),
            name: subject.name,
            opts: optionsOf(subject),
            isType: (resourceClass) => isTypeOf(subject.type, resourceClass),
            asType: ((resourceClass: unknown) =>
              isTypeOf(subject.type, resourceClass) ? props : undefined) as ResourceValidationArgs["asType"],
          };
          try {
            await validation(args, collect(subject.name));
          } catch (error) {
            if (!(error instanceof NotApplicable)) throw error;
          }
        }
      }
    }

    if ("validateStack" in policy && policy.validateStack) {
      const filter = typeFilterOf(policy.validateStack);
      if (filter && !subjects.some((subject) => subject.type === filter)) continue;
      const resources = subjects.map((subject): PolicyResource => {
        const props = structuredClone(subject.outputs ?? subject.inputs);
        return {
          type: subject.type,
          props,
          urn: urnOf(stack, subject),
          name: subject.name,
          opts: optionsOf(subject),
          dependencies: [],
          propertyDependencies: {},
          isType: (resourceClass) => isTypeOf(subject.type, resourceClass),
          asType: ((resourceClass: unknown) => (isTypeOf(subject.type, resourceClass) ? props : undefined)) as PolicyResource["asType"],
        };
      });
      const byName = new Map(resources.map((resource) => [resource.name, resource]));
      subjects.forEach((subject, index) => {
        for (const [key, names] of Object.entries(subject.propertyDependencies ?? {})) {
          const dependencies = names
            .map((name) => byName.get(name))
            .filter((resource): resource is PolicyResource => resource !== undefined);
          resources[index].propertyDependencies[key] = dependencies;
          resources[index].dependencies.push(...dependencies);
        }
      });
      const args: StackValidationArgs = { ...common, resources };
      try {
        await policy.validateStack(args, collect(undefined));
      } catch (error) {
        if (!(error instanceof NotApplicable)) throw error;
      }
    }
  }
  return violations;
}

/** An offline stack's resource as a policy subject: inputs for resource policies, state and id for stack ones. */
export function subjectOf(resource: OfflineResource): PolicySubject {
  return {
    type: resource.type,
    name: resource.name,
    inputs: resource.inputs,
    outputs: { ...resource.state, id: mockIdOf(resource) }, // the mocks' id, which other resources' inputs hold
    options: { protect: resource.options.protect ?? false, ignoreChanges: resource.options.ignoreChanges ?? [] },
  };
}

/** The policy context of an offline stack: its name and resolved configuration. */
export function contextOf(stack: OfflineStack): PackContext {
  return { stack: stack.stack, config: stack.config };
}

/**
 * Every violation of the boyacky-guardrails pack by an offline stack, with each policy's
 * enforcement level for that stack (mandatory, or advisory for a dev exception).
 */
export async function evaluatePolicies(
  stack: OfflineStack,
): Promise<{ policy: string; resource?: string; message: string; enforcementLevel: EnforcementLevel }[]> {
  return evaluate(buildPolicies(contextOf(stack)), stack.resources.map(subjectOf), stack.stack);
}
