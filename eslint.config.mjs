// The codebase checks its own shape (npm run lint, part of npm test): typescript-eslint's
// recommended rules, and the layers' import boundaries, so that an import that breaks the layering
// (http -> store -> domain; infra -> the app's contract only; nothing from another package's test/)
// fails at once instead of in review.
import tseslint from "typescript-eslint";

/** `no-restricted-imports` patterns, each with why. */
const forbid = (...patterns) => ["error", { patterns }];

export default tseslint.config(
  { ignores: ["**/node_modules/**", "app/dist/**", ".data/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    files: ["app/src/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": forbid({
        group: ["../http/*", "../store/*", "fastify", "@fastify/*", "@aws-sdk/*"],
        message: "The domain knows no HTTP and no database: pure rules only.",
      }),
    },
  },
  {
    files: ["app/src/store/**/*.ts"],
    rules: {
      "no-restricted-imports": forbid({
        group: ["../http/*", "fastify", "@fastify/*"],
        message: "The store knows no HTTP: routes call the store, never the other way.",
      }),
    },
  },
  {
    files: ["app/src/http/**/*.ts"],
    rules: {
      "no-restricted-imports": forbid({
        group: ["@aws-sdk/*"],
        message: "Routes never build DynamoDB requests: go through the store (app/src/store/).",
      }),
    },
  },
  {
    files: ["app/**/*.ts"],
    rules: {
      "no-restricted-imports": forbid({
        group: ["../../scripts/*", "../../../scripts/*", "../../infra/*", "../../test/*"],
        message: "app/ is its own package: it imports nothing from the repository around it.",
      }),
    },
  },
  {
    files: ["infra/**/*.ts", "index.ts"],
    rules: {
      "no-restricted-imports": forbid({
        regex: "app/src/(?!contract|config|store/tableDesign|export/actions|domain/calendar|http/clientIdentity)",
        message:
          "The infrastructure imports only the app's contract (app/src/contract.ts and the few settings modules it names), not its internals.",
      }),
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts", "policy/**/*.ts", "infra/**/*.ts"],
    rules: {
      "no-restricted-imports": forbid({
        group: ["**/app/test/*", "**/app/test/**"],
        message: "Nothing imports from another package's test/ folder: move shared harness code to a shared home.",
      }),
    },
  },
);
