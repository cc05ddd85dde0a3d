/**
 * `npm run plan -- <stack> [--config key=value ...] [--json]`: what the stack would create, what it
 * costs per month, how fast it rolls out and what the guardrails say, from the real program run
 * offline (scripts/offlineStack.ts): no AWS account, Pulumi CLI or network needed.
 *
 * Exit codes: 0 plan printed; 2 bad arguments, unknown stack, invalid config or a region without
 * prices (one line on stderr, no stack trace); 1 anything unexpected.
 */
import { parsePlanArgs, USAGE } from "./plan/args";
import { runCli } from "./plan/cli";
import { buildPlan, renderPlan } from "./plan/report";

const HELP = `${USAGE}
  --config key=value  override a setting of Pulumi.yaml or the stack (repeatable), e.g. egressMode=nat, aws:region=us-east-1
  --json              print the plan as one JSON document
`;

async function main(): Promise<number> {
  const args = parsePlanArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const plan = await buildPlan(args.stack, args.overrides);
  process.stdout.write(args.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlan(plan));
  return 0;
}

if (require.main === module) runCli("plan", main);
