import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import dockerignore from "@balena/dockerignore";

/**
 * A short SHA-256 of every file Docker would send as build context (honouring .dockerignore
 * exactly, via a port of Docker's own matcher): the image tag changes exactly when the image's
 * inputs do. ECR tags are immutable, so a tag must never be reused for different content.
 */
export function hashBuildContext(contextDir: string): string {
  const ignoreFile = path.join(contextDir, ".dockerignore");
  const rules = existsSync(ignoreFile) ? readFileSync(ignoreFile, "utf8") : "";
  const ignore = dockerignore().add(rules);
  // A `!` rule can re-include files below an ignored folder; without one, ignored folders are skipped whole.
  const hasExceptions = /^\s*!/m.test(rules);
  const hash = createHash("sha256");
  const walk = (relativeDir: string) => {
    const entries = readdirSync(path.join(contextDir, relativeDir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const relative = path.posix.join(relativeDir, entry.name);
      if (entry.isDirectory()) {
        if (hasExceptions || !ignore.ignores(relative)) walk(relative);
      } else if (entry.isFile() && !ignore.ignores(relative)) {
        hash.update(relative).update("\0").update(readFileSync(path.join(contextDir, relative))).update("\0");
      }
    }
  };
  walk("");
  return hash.digest("hex").slice(0, 16);
}
