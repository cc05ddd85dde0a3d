/**
 * `npm run docs:costs [-- --check] [-- --readme <file>]`: regenerates the cost table in README.md
 * between `<!-- costs:start -->` and `<!-- costs:end -->` from the program and
 * scripts/plan/prices.json. With --check it changes nothing and exits 1 when the table is out of date.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "./project";
import { runCli } from "./plan/cli";
import { readBetweenMarkers, renderCostTable, replaceBetweenMarkers } from "./plan/costTable";
import { PlanError } from "./plan/errors";

const USAGE = "usage: npm run docs:costs [-- --check] [--readme <file>]";

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let check = false;
  let readme = path.join(PROJECT_ROOT, "README.md");
  for (let index = 0; index < argv.length; index++) {
    if (argv[index] === "--check") check = true;
    else if (argv[index] === "--readme" && argv[index + 1]) readme = path.resolve(argv[++index]);
    else throw new PlanError(`unknown argument ${argv[index]}; ${USAGE}`);
  }
  const relative = path.relative(process.cwd(), readme);
  const shown = relative && !relative.startsWith("..") ? relative : readme;
  if (!existsSync(readme)) throw new PlanError(`${shown} does not exist`);
  const text = readFileSync(readme, "utf8");
  const current = readBetweenMarkers(text, shown); // fails on missing markers before running anything
  const table = await renderCostTable();
  const upToDate = current === table.trim();
  if (check) {
    process.stdout.write(
      upToDate ? `${shown}: cost table is up to date\n` : `${shown}: cost table is out of date; run npm run docs:costs\n`,
    );
    return upToDate ? 0 : 1;
  }
  if (!upToDate) writeFileSync(readme, replaceBetweenMarkers(text, table, shown));
  process.stdout.write(upToDate ? `${shown}: cost table already up to date\n` : `${shown}: cost table updated\n`);
  return 0;
}

if (require.main === module) runCli("docs:costs", main);
