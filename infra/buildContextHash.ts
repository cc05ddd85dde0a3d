import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";
import dockerignore from "@balena/dockerignore";

/** What else, besides the context's files, decides the image a build produces. */
export interface BuildInputs {
  /** The Dockerfile, hashed even when `.dockerignore` leaves it out of the context (Docker still reads it). */
  dockerfile: string;
  /** Everything else that changes the build: platform, builder, build args. */
  settings: Record<string, string>;
}

/**
 * A short SHA-256 of everything that decides the image: every file Docker would send as build
 * context (honouring .dockerignore exactly, via a port of Docker's own matcher) with its file
 * mode, the Dockerfile, and the build settings. The image tag changes exactly when the image's
 * inputs do. ECR tags are immutable, so a tag must never be reused for different content: a
 * Dockerfile-only or a chmod-only change must give a new tag, as the docker provider rebuilds
 * on either.
 */
export function hashBuildContext(contextDir: string, inputs: BuildInputs): string {
  const ignoreFile = path.join(contextDir, ".dockerignore");
  const rules = existsSync(ignoreFile) ? readFileSync(ignoreFile, "utf8") : "";
  const ignore = dockerignore().add(rules);
  // A `!` rule can re-include files below an ignored folder; without one, ignored folders are skipped whole.
  const hasExceptions = /^\s*!/m.test(rules);
  const hash = createHash("sha256");
  const field = (value: string | Buffer) => hash.update(value).update("\0");
  const walk = (relativeDir: string) => {
    const entries = readdirSync(path.join(contextDir, relativeDir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const relative = path.posix.join(relativeDir, entry.name);
      const absolute = path.join(contextDir, relative);
      if (entry.isDirectory()) {
        if (hasExceptions || !ignore.ignores(relative)) walk(relative);
      } else if (!ignore.ignores(relative) && (entry.isFile() || entry.isSymbolicLink())) {
        const mode = (lstatSync(absolute).mode & 0o7777).toString(8);
        field(relative);
        field(mode);
        field(entry.isSymbolicLink() ? `-> ${readlinkSync(absolute)}` : readFileSync(absolute));
      }
    }
  };
  walk("");
  field("Dockerfile");
  field(readFileSync(inputs.dockerfile));
  for (const [key, value] of Object.entries(inputs.settings).sort(([a], [b]) => a.localeCompare(b))) field(`${key}=${value}`);
  return hash.digest("hex").slice(0, 16);
}
