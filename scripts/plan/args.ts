/** Command line of `npm run plan -- <stack> [--config key=value ...] [--json]`. */
import { listStacks, type Project, readProject } from "../project";
import { PlanError } from "./errors";

export const USAGE = "usage: npm run plan -- <stack> [--config key=value ...] [--json]";

export interface PlanArgs {
  stack: string;
  /** Config overrides, keys as given (`cpu`, `boyacky:cpu`, `aws:region`). */
  overrides: Record<string, string>;
  json: boolean;
  help: boolean;
}

/** What `--config` keys are checked against: the project's name and the keys Pulumi.yaml declares. */
type Declared = Pick<Project, "name" | "keys">;

function parseOverride(text: string, declared: Declared): [string, string] {
  const equals = text.indexOf("=");
  if (equals <= 0) throw new PlanError(`malformed --config "${text}": use --config key=value, e.g. --config egressMode=nat`);
  const key = text.slice(0, equals);
  const value = text.slice(equals + 1);
  if (!/^([\w-]+:)?[\w-]+$/.test(key))
    throw new PlanError(`malformed --config key "${key}": use key or namespace:key, e.g. cpu or aws:region`);
  const [namespace, name] = key.includes(":") ? key.split(":") : [declared.name, key];
  if (namespace === declared.name && !declared.keys.includes(name)) {
    throw new PlanError(`unknown config key ${namespace}:${name}; Pulumi.yaml declares: ${declared.keys.join(", ")}`);
  }
  return [key, value];
}

export function parsePlanArgs(argv: string[], declared: Declared = readProject()): PlanArgs {
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
    throw new PlanError(
      `${positional.length ? `one stack only, got ${positional.join(" ")}` : "which stack?"}; ${USAGE} (stacks: ${listStacks().join(", ")})`,
    );
  }
  args.stack = positional[0];
  return args;
}
