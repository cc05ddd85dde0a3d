import assert from "node:assert/strict";
import type { OfflineResource, OfflineStack } from "../../scripts/offlineStack";
import { T } from "../../scripts/resourceTypes";

/** All resources of a type, e.g. `aws:ec2/subnet:Subnet`. */
export function ofType(stack: OfflineStack, type: string): OfflineResource[] {
  return stack.resources.filter((resource) => resource.type === type);
}

/** The single resource of a type (optionally with this logical name suffix); fails otherwise. */
export function one(stack: OfflineStack, type: string, nameSuffix = ""): OfflineResource {
  const matches = ofType(stack, type).filter((resource) => resource.name.endsWith(nameSuffix));
  assert.equal(matches.length, 1, `expected exactly one ${type}${nameSuffix ? ` named *${nameSuffix}` : ""}, found ${matches.length}`);
  return matches[0];
}

/** Count of resources per type, for inventory assertions. */
export function inventory(stack: OfflineStack): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of stack.resources) counts[resource.type] = (counts[resource.type] ?? 0) + 1;
  return counts;
}

/** The app container's definition inside the web service's task definition. */
export function containerDefinition(stack: OfflineStack): Record<string, any> {
  const definitions = JSON.parse(one(stack, T.taskDefinition, "-task").inputs.containerDefinitions);
  assert.equal(definitions.length, 1);
  return definitions[0];
}

/** The resource of a type whose (mock) id is `id`. */
export function byId(stack: OfflineStack, type: string, id: string): OfflineResource | undefined {
  return stack.resources.find((resource) => resource.type === type && `${resource.name}-id` === id);
}
