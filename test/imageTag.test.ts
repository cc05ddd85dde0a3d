import assert from "node:assert/strict";
import { appendFileSync, chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { hashBuildContext } from "../infra/buildContextHash";
import { PROJECT_ROOT } from "../scripts/project";

// ECR tags are IMMUTABLE: whatever makes the docker provider rebuild must also change the tag,
// or the push of the rebuilt image under the old tag is refused.
describe("image tag: a content hash of everything the build reads", () => {
  let context: string;
  const settings = { platform: "linux/amd64", builderVersion: "BuilderBuildKit" };
  const tag = (changes: Partial<typeof settings> = {}) =>
    hashBuildContext(context, { dockerfile: path.join(context, "Dockerfile"), settings: { ...settings, ...changes } });

  beforeEach(() => {
    context = mkdtempSync(path.join(tmpdir(), "boyacky-context-"));
    const app = path.join(PROJECT_ROOT, "app");
    cpSync(app, context, {
      recursive: true,
      filter: (source) => !source.includes(`${path.sep}node_modules`) && !source.includes(`${path.sep}dist`),
    });
  });
  afterEach(() => rmSync(context, { recursive: true, force: true }));

  it("is stable for the same inputs", () => {
    assert.equal(tag(), tag());
    assert.match(tag(), /^[0-9a-f]{16}$/);
  });

  it("changes with the Dockerfile, although .dockerignore leaves it out of the context", () => {
    const before = tag();
    appendFileSync(path.join(context, "Dockerfile"), "\n# a new base image\n");
    assert.notEqual(tag(), before);
  });

  it("changes with a file's mode alone", () => {
    const before = tag();
    chmodSync(path.join(context, "build.mjs"), 0o755);
    assert.notEqual(tag(), before);
  });

  it("changes with the build settings (platform)", () => {
    assert.notEqual(tag({ platform: "linux/arm64" }), tag());
  });

  it("changes with a source file, not with a file .dockerignore excludes", () => {
    const before = tag();
    writeFileSync(path.join(context, "NOTES.md"), "not in the image");
    assert.equal(tag(), before, "README-like files are ignored");
    appendFileSync(path.join(context, "src", "server.ts"), "\n");
    assert.notEqual(tag(), before);
  });
});
