import assert from "node:assert/strict";
import { type OfflineResource, type OfflineStack, ofType } from "../../scripts/offlineStack";
import { T } from "../../scripts/resourceTypes";

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
