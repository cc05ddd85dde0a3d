/**
 * The Pulumi project on disk: where it is, its stacks (Pulumi.<stack>.yaml) and what its project
 * file (Pulumi.yaml) declares. The one reader of Pulumi.yaml, for the offline stack, the plan, the
 * policy pack and the tests.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

/** The repository root: the main project's Pulumi.yaml and stack files. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

export interface Project {
  name: string;
  /** The settings Pulumi.yaml declares, without the project's namespace (`cpu`, `egressMode`...). */
  keys: string[];
  /** Their declared defaults as the CLI passes them to the program: full keys (`boyacky:cpu`), string values. */
  defaults: Record<string, string>;
}

/** What the Pulumi.yaml of `projectDir` (the main project by default) declares. */
export function readProject(projectDir = PROJECT_ROOT): Project {
  const file = parse(readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config?: Record<string, { default?: unknown } | null>;
  };
  const declarations = file.config ?? {};
  const defaults: Record<string, string> = {};
  for (const [key, declaration] of Object.entries(declarations)) {
    if (declaration?.default !== undefined) defaults[`${file.name}:${key}`] = String(declaration.default);
  }
  return { name: file.name, keys: Object.keys(declarations), defaults };
}

/** Stacks that have a Pulumi.<stack>.yaml. */
export function listStacks(projectDir = PROJECT_ROOT): string[] {
  return readdirSync(projectDir)
    .map((file) => /^Pulumi\.([\w-]+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}
