import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type OfflineStack, runOfflineStack } from "../../scripts/offlineStack";
import { PROJECT_ROOT } from "../../scripts/project";

/** The overrides review-stack.yml gives a review stack on top of dev's settings: the cheapest layout. */
export const REVIEW_OVERRIDES = { spot: "true", onDemandBase: "0", desiredCount: "1", minCount: "1", maxCount: "1", protectData: "false" };

/**
 * The real program as the review stack `pr-<number>` under mocks. runOfflineStack reads
 * Pulumi.<stack>.yaml and a review stack has none in the repository (review-stack.yml copies
 * Pulumi.dev.yaml), so it runs from a temporary project with that copy and links to the program.
 */
export async function runReviewStack(number: number): Promise<OfflineStack> {
  const dir = mkdtempSync(path.join(tmpdir(), "review-stack-"));
  try {
    copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    copyFileSync(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), path.join(dir, `Pulumi.pr-${number}.yaml`));
    for (const entry of ["index.ts", "app"]) symlinkSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry));
    return await runOfflineStack(`pr-${number}`, REVIEW_OVERRIDES, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
