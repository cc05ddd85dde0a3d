/**
 * What every describer shares: the shape of a describer (a resource in, the properties a reviewer
 * checks out) and the lookups it may need: names for the ids and ARNs other resources hold, the
 * resource's siblings, a JSON document that may not parse.
 */
import { mockIdOf, type OfflineResource, type OfflineStack } from "../../offlineStack";

export type DetailValue = string | number | boolean | string[];

export type Details = Record<string, DetailValue>;

export interface DescribeContext {
  stack: OfflineStack;
  refs: References;
}

/** The reviewer-relevant properties of one resource of the type it is registered for. */
export type Describer = (resource: OfflineResource, context: DescribeContext) => Details;

/** Looks up resources by the ids and ARNs the mocks gave them, to show names instead of ids. */
export class References {
  private readonly names = new Map<string, string>();
  constructor(stack: OfflineStack) {
    for (const resource of stack.resources) {
      this.names.set(mockIdOf(resource), resource.name);
      if (typeof resource.state.arn === "string") this.names.set(resource.state.arn, resource.name);
    }
    // Physical names (role.name, cluster.name...) last, so that they never shadow an id or ARN.
    for (const resource of stack.resources) {
      const physical = resource.state.name;
      if (typeof physical === "string" && physical !== resource.name && !this.names.has(physical)) this.names.set(physical, resource.name);
    }
  }
  name(value: unknown): string {
    return this.names.get(String(value)) ?? String(value);
  }
  names_(values: unknown): string[] {
    return ((values as unknown[] | undefined) ?? []).map((value) => this.name(value));
  }
}

/** The resources of `type` in the same component as `resource`. */
export function sameComponent(stack: OfflineStack, resource: OfflineResource, type: string): OfflineResource[] {
  return stack.resources.filter(
    (other) => other.type === type && other.parent === resource.parent && other.parentName === resource.parentName,
  );
}

export function parseJson(text: unknown): any {
  try {
    return JSON.parse(String(text));
  } catch {
    return undefined;
  }
}
