/**
 * House rules for app/Dockerfile, checked on the syntax tree from dockerfile-ast (not on text):
 * `dockerfileProblems` returns one `[rule] sentence` per broken rule, so a failing test says what
 * to fix. test/dockerfile.test.ts runs it on app/Dockerfile (expecting none) and on small bad
 * Dockerfiles (expecting each rule to fire).
 */
import path from "node:path";
import { type Arg, type Copy, DockerfileParser, type Env, type From, type Instruction } from "dockerfile-ast";
import { CONTAINER_PORT } from "../../app/src/contract";

export type DockerfileRule = "multi-stage" | "non-root" | "pinned-base" | "no-secrets" | "expose" | "runtime-copies";

/** The port the app listens on (PORT's default) and the target group sends to: the contract's. */
export const APP_PORT = String(CONTAINER_PORT);

// An exact release (24.21.0, 24.21.0-bookworm-slim), not a moving one (latest, 24, 24-slim, lts).
const EXACT_TAG = /^v?\d+\.\d+\.\d+(?:[-_.][0-9A-Za-z][0-9A-Za-z._-]*)?$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL/i;
const SECRET_VALUE = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|-----BEGIN [A-Z ]*PRIVATE KEY|\bgh[pousr]_[A-Za-z0-9]{36}\b|\bxox[abprs]-/;
const ROOT_USERS = new Set(["root", "0"]);

interface Stage {
  from: From;
  /** The image after ARG substitution, e.g. node:24.21.0-bookworm-slim. */
  image: string;
  name?: string;
  instructions: Instruction[];
}

function splitStages(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.getKeyword() === "FROM") {
      const from = instruction as From;
      const image = from.getExpandedArguments()[0]?.getValue() ?? "";
      stages.push({ from, image, name: from.getBuildStage() ?? undefined, instructions: [] });
    } else {
      stages[stages.length - 1]?.instructions.push(instruction);
    }
  }
  return stages;
}

/** `registry/name:tag@digest` → its tag and digest (either may be absent). */
export function imageReference(image: string): { tag?: string; digest?: string } {
  const [nameAndTag, digest] = image.split("@", 2);
  const lastSlash = nameAndTag.lastIndexOf("/");
  const colon = nameAndTag.indexOf(":", lastSlash + 1);
  return { tag: colon >= 0 ? nameAndTag.slice(colon + 1) : undefined, digest };
}

const keyword = (name: string) => (instruction: Instruction) => instruction.getKeyword() === name;

function normalizedSource(source: string): string {
  return path.posix.normalize(source).replace(/\/+$/, "");
}

/** Every broken rule in `source` (a Dockerfile's text), as `[rule] what is wrong`. */
export function dockerfileProblems(source: string): string[] {
  const problems: string[] = [];
  const report = (rule: DockerfileRule, message: string) => problems.push(`[${rule}] ${message}`);
  const dockerfile = DockerfileParser.parse(source);
  const instructions = dockerfile.getInstructions();
  const stages = splitStages(instructions);
  const final = stages[stages.length - 1];
  if (!final) return ["[multi-stage] no FROM"];

  // Dependencies and the compiler stay in a build stage; the runtime starts from a fresh base.
  if (stages.length < 2) report("multi-stage", "one stage only: build in one stage, copy the output into a clean runtime stage");

  // Base images: an exact version or a digest, after ARG defaults are substituted.
  const stageNames = new Set<string>();
  for (const stage of stages) {
    if (stageNames.has(stage.image)) continue; // FROM an earlier stage of this file
    const { tag, digest } = imageReference(stage.image);
    if (stage.image.includes("$")) {
      report("pinned-base", `FROM ${stage.from.getImage()}: the ARG has no default, so the base is whatever the builder passes`);
    } else if (!(digest && DIGEST.test(digest)) && !(tag && EXACT_TAG.test(tag))) {
      report(
        "pinned-base",
        `FROM ${stage.image}: pin an exact version tag (e.g. node:24.21.0-bookworm-slim) or a digest, not ${tag ?? "no tag (latest)"}`,
      );
    }
    if (stage.name) stageNames.add(stage.name);
  }

  // No secrets baked into the image's metadata or build history.
  const properties = instructions.flatMap((instruction) => {
    if (instruction.getKeyword() === "ENV") return (instruction as Env).getProperties();
    if (instruction.getKeyword() === "ARG") return [(instruction as Arg).getProperty()].filter((property) => property !== null);
    return [];
  });
  for (const property of properties) {
    const name = property.getName();
    const value = property.getValue() ?? "";
    if (SECRET_NAME.test(name))
      report("no-secrets", `${name}: a secret-like name in ENV/ARG ends up in the image's config or history; pass secrets at run time`);
    if (SECRET_VALUE.test(value)) report("no-secrets", `${name}: its value looks like a credential`);
  }

  // The final stage runs as a user without root rights.
  const users = final.instructions.filter(keyword("USER"));
  const user = users[users.length - 1]?.getArguments()[0]?.getValue().split(":")[0];
  if (user === undefined) report("non-root", "the runtime stage sets no USER, so it runs as root");
  else if (ROOT_USERS.has(user)) report("non-root", `the runtime stage's last USER is ${user}`);

  const ports = final.instructions
    .filter(keyword("EXPOSE"))
    .flatMap((expose) => expose.getArguments().map((argument) => argument.getValue().replace(/\/tcp$/, "")));
  if (ports.length !== 1 || ports[0] !== APP_PORT)
    report("expose", `the runtime stage should EXPOSE ${APP_PORT} only, not [${ports.join(", ")}]`);

  // The runtime stage gets the bundle from the build stage and the static files, nothing else.
  if (final.instructions.some(keyword("ADD"))) report("runtime-copies", "ADD in the runtime stage: use COPY");
  const copied = new Set<string>();
  for (const copy of final.instructions.filter(keyword("COPY")) as Copy[]) {
    const fromStage = copy.getFromFlag()?.getValue() ?? undefined;
    const sources = copy
      .getArguments()
      .slice(0, -1)
      .map((argument) => normalizedSource(argument.getValue()));
    for (const source of sources) {
      if (fromStage !== undefined && stageNames.has(fromStage) && path.posix.basename(source) === "dist") copied.add("dist");
      else if (fromStage === undefined && source === "public") copied.add("public");
      else
        report(
          "runtime-copies",
          `COPY ${fromStage ? `--from=${fromStage} ` : ""}${source}: the runtime stage copies only dist/ from a build stage and public/ from the context`,
        );
    }
  }
  for (const needed of ["dist", "public"]) {
    if (!copied.has(needed)) report("runtime-copies", `the runtime stage does not copy ${needed}/`);
  }
  return problems;
}
