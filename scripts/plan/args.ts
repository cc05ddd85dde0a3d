/** Command line of `npm run plan -- <stack> [--config key=value ...] [--json]`. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { listStacks, PROJECT_ROOT } from "../offlineStack";
import { PlanError } from "./errors";

export const USAGE = "usage: npm run plan -- <stack> [--config key=value ...] [--json]";

export interface PlanArgs {
  stack: string;
  /** Config overrides, keys as given (`cpu`, `boyacky:cpu`, `aws:region`). */
  overrides: Record<string, string>;
  json: boolean;
  help: boolean;
}

/** The project's name and the keys Pulumi.yaml declares, to refuse a misspelt `--config` key. */
export function declaredConfig(root = PROJECT_ROOT): { project: string; keys: string[] } {
  const project = parse(readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string; config?: Record<string, unknown> };
  return { project: project.name, keys: Object.keys(project.config ?? {}) };
}

function parseOverride(text: string, declared: { project: string; keys: string[] }): [string, string] {
  const equals = text.indexOf("=");
  if (equals <= 0) throw new PlanError(`malformed --config "${text}": use --config key=value, e.g. --config egressMode=nat`);
  const key = text.slice(0, equals);
  const value = text.slice(equals + 1);
  if (!/^([\w-]+:)?[\w-]+$/.test(key)) throw new PlanError(`malformed --config key "${key}": use key or namespace:key, e.g. cpu or aws:region`);
  const [namespace, name] = key.includes(":") ? key.split(":") : [declared.project, key];
  if (namespace === declared.project && !declared.keys.includes(name)) {
    throw new PlanError(`unknown config key ${namespace}:${name}; Pulumi.yaml declares: ${declared.keys.join(", ")}`);
  }
  return [key, value];
}

export function parsePlanArgs(argv: string[], declared = declaredConfig()): PlanArgs {
  const args: PlanArgs = { stack: "", overrides: {}, json: false, help: false };
  const positional: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === "--json") args.json = true;
    else if (arg === "--help" || arg === "-h") args.help = true;
    else if (arg === "--config" || arg === "-c") {
      const next = argv[++index];
      if (next === undefined || next.startsWith("-")) throw new PlanError(`${arg} needs key=value, e.g. --config egressMode=nat`);
      const [key, value] = parseOverride(next, declared);
      args.overrides[key] = value;
    } else if (arg.startsWith("--config=")) {
      const [key, value] = parseOverride(arg.slice("--config=".length), declared);
      args.overrides[key] = value;
    } else if (arg.startsWith("-")) throw new PlanError(`unknown option ${arg}; ${USAGE}`);
    else positional.push(arg);
  }
  if (args.help) return args;
  if (positional.length !== 1) {
    throw new PlanError(`${positional.length ? `one stack only, got ${positional.join(" ")}` : "which stack?"}; ${USAGE} (stacks: ${listStacks().join(", ")})`);
  }
  args.stack = positional[0];
  return args;
}
