/**
 * app/Dockerfile against the house rules (test/support/dockerfilePolicy.ts, on dockerfile-ast's
 * syntax tree): multi-stage, pinned base, no secrets in ENV/ARG, non-root user, EXPOSE 8080, and a
 * runtime stage that copies only dist/ and public/. Small bad Dockerfiles prove each rule fires.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { type DockerfileRule, dockerfileProblems, imageReference } from "./support/dockerfilePolicy";

const GOOD = `# syntax=docker/dockerfile:1
ARG NODE_IMAGE=node:24.21.0-bookworm-slim
FROM --platform=$BUILDPLATFORM \${NODE_IMAGE} AS build
ENV NPM_CONFIG_FUND=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY src ./src
RUN npm run build

FROM \${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/dist ./dist
COPY public ./public
USER node
EXPOSE 8080
CMD ["node", "dist/server.js"]
`;

/** GOOD with the first occurrence of `line` replaced (a line is added by replacing a neighbour). */
function goodWith(line: string, replacement: string): string {
  assert.ok(GOOD.includes(line), `GOOD has no ${line}`);
  return GOOD.replace(line, replacement);
}

const SINGLE_STAGE = `FROM node:24.21.0-bookworm-slim
WORKDIR /app
COPY . .
RUN npm ci && npm run build
USER node
EXPOSE 8080
CMD ["node", "dist/server.js"]
`;

/** Bad Dockerfiles and the rules each must break (exactly those). */
const BAD: [string, string, DockerfileRule[]][] = [
  ["one stage, building where it runs", SINGLE_STAGE, ["multi-stage", "runtime-copies"]],
  ["no USER in the runtime stage", goodWith("USER node\n", ""), ["non-root"]],
  ["USER root", goodWith("USER node", "USER root"), ["non-root"]],
  ["USER 0:0", goodWith("USER node", "USER 0:0"), ["non-root"]],
  ["back to root after the app user", goodWith("EXPOSE 8080", "USER root\nEXPOSE 8080"), ["non-root"]],
  ["USER node in the build stage only", goodWith("USER node\n", "").replace("WORKDIR /app\n", "WORKDIR /app\nUSER node\n"), ["non-root"]],
  ["base image latest", goodWith("node:24.21.0-bookworm-slim", "node:latest"), ["pinned-base"]],
  ["base image without a tag", goodWith("node:24.21.0-bookworm-slim", "node"), ["pinned-base"]],
  ["base image by major version", goodWith("node:24.21.0-bookworm-slim", "node:24-bookworm-slim"), ["pinned-base"]],
  ["base image by minor version", goodWith("node:24.21.0-bookworm-slim", "public.ecr.aws/docker/library/node:24.21"), ["pinned-base"]],
  ["base image ARG without a default", goodWith("ARG NODE_IMAGE=node:24.21.0-bookworm-slim", "ARG NODE_IMAGE"), ["pinned-base"]],
  [
    "AWS access key in ENV",
    goodWith("ENV NODE_ENV=production", "ENV NODE_ENV=production AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"),
    ["no-secrets"],
  ],
  ["a token as build ARG", goodWith("WORKDIR /app\nCOPY package.json", "ARG NPM_TOKEN\nWORKDIR /app\nCOPY package.json"), ["no-secrets"]],
  ["a password in ENV", goodWith("ENV NPM_CONFIG_FUND=false", "ENV DB_PASSWORD=hunter2"), ["no-secrets"]],
  [
    "a secret under an innocent name",
    goodWith("ENV NODE_ENV=production", "ENV NODE_ENV=production GREETING=AKIAIOSFODNN7EXAMPLE"),
    ["no-secrets"],
  ],
  ["no EXPOSE", goodWith("EXPOSE 8080\n", ""), ["expose"]],
  ["EXPOSE 80", goodWith("EXPOSE 8080", "EXPOSE 80"), ["expose"]],
  ["EXPOSE 8080 and a debugger port", goodWith("EXPOSE 8080", "EXPOSE 8080 9229"), ["expose"]],
  ["the whole context in the runtime stage", goodWith("COPY public ./public", "COPY . ."), ["runtime-copies"]],
  [
    "node_modules from the build stage",
    goodWith("COPY public ./public", "COPY public ./public\nCOPY --from=build /app/node_modules ./node_modules"),
    ["runtime-copies"],
  ],
  [
    "sources from the build stage",
    goodWith("COPY --from=build /app/dist ./dist", "COPY --from=build /app/dist /app/src ./"),
    ["runtime-copies"],
  ],
  [
    "a file from an outside image",
    goodWith("COPY public ./public", "COPY public ./public\nCOPY --from=busybox:latest /bin/busybox /bin/"),
    ["runtime-copies"],
  ],
  ["ADD instead of COPY", goodWith("COPY public ./public", "ADD public ./public"), ["runtime-copies"]],
  ["dist/ missing", goodWith("COPY --from=build /app/dist ./dist\n", ""), ["runtime-copies"]],
];

function rulesOf(problems: string[]): DockerfileRule[] {
  return [...new Set(problems.map((problem) => /^\[([a-z-]+)\]/.exec(problem)?.[1] as DockerfileRule))].sort();
}

describe("app/Dockerfile (dockerfile-ast)", () => {
  it("follows every rule", () => {
    assert.deepEqual(dockerfileProblems(readFileSync("app/Dockerfile", "utf8")), []);
  });

  it("the small good fixture follows every rule too, also pinned by digest", () => {
    assert.deepEqual(dockerfileProblems(GOOD), []);
    const digest = `node:24.21.0-bookworm-slim@sha256:${"a".repeat(64)}`;
    assert.deepEqual(dockerfileProblems(goodWith("node:24.21.0-bookworm-slim", digest)), []);
    assert.deepEqual(dockerfileProblems(goodWith("node:24.21.0-bookworm-slim", `node@sha256:${"b".repeat(64)}`)), []);
  });

  it("reads image references: registry ports are not tags", () => {
    assert.deepEqual(imageReference("localhost:5000/node"), { tag: undefined, digest: undefined });
    assert.deepEqual(imageReference("localhost:5000/node:24.21.0@sha256:x"), { tag: "24.21.0", digest: "sha256:x" });
  });

  describe("negative fixtures (each rule does fail)", () => {
    for (const [name, source, rules] of BAD) {
      it(`${name}: ${rules.join(", ")}`, () => {
        const problems = dockerfileProblems(source);
        assert.deepEqual(rulesOf(problems), [...rules].sort(), problems.join("\n"));
      });
    }

    it("every rule has a fixture that breaks it", () => {
      const all: DockerfileRule[] = ["expose", "multi-stage", "no-secrets", "non-root", "pinned-base", "runtime-copies"];
      assert.deepEqual([...new Set(BAD.flatMap(([, , rules]) => rules))].sort(), all);
    });
  });
});
