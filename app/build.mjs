// Bundles each entry point into one file: the image then needs no node_modules at all, starts
// faster (one file to load instead of hundreds) and carries no development dependency.
// dist/server.js is the web app; dist/export.js the daily export job, run on the same image.
import { build } from "esbuild";

await build({
  entryPoints: ["src/server.ts", "src/export.ts"],
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  sourcemap: "linked",
  legalComments: "linked",
  logLevel: "warning",
});
