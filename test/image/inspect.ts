/**
 * Checks a built image from `buildah inspect --type image` (the app's and its base's) and from
 * both root filesystems as buildah mounts them. Part of `npm run test:image` (run.sh); prints one
 * line per check and a size report, exits 1 if any check fails.
 *
 *   tsx test/image/inspect.ts --app-json F --base-json F --app-root DIR --base-root DIR
 */
import { readFileSync, readdirSync, lstatSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { check, finish } from "./checks";

interface ImageConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
}

interface BuildahImage {
  OCIv1: { os: string; architecture: string; config: ImageConfig; rootfs: { diff_ids: string[] } };
  /** The OCI manifest, as a JSON string. */
  Manifest: string;
}

interface Manifest {
  layers: { digest: string; size: number }[];
}

function args(): Record<string, string> {
  const out: Record<string, string> = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!key?.startsWith("--") || value === undefined)
      throw new Error(`usage: inspect.ts --app-json F --base-json F --app-root DIR --base-root DIR (at ${key})`);
    out[key.slice(2)] = value;
  }
  for (const name of ["app-json", "base-json", "app-root", "base-root"]) {
    if (!out[name]) throw new Error(`missing --${name}`);
  }
  return out;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

interface Entry {
  type: "file" | "dir" | "link" | "other";
  size: number;
  uid: number;
  mode: number;
}

/** Every path under root (relative, with a leading /), without following links or other mounts. */
function walk(root: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  const rootDev = lstatSync(root).dev;
  const visit = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel))) {
      const relPath = `${rel}/${name}`;
      const stat = lstatSync(path.join(root, relPath));
      const type = stat.isFile() ? "file" : stat.isDirectory() ? "dir" : stat.isSymbolicLink() ? "link" : "other";
      entries.set(relPath, { type, size: stat.size, uid: stat.uid, mode: stat.mode });
      if (type === "dir" && stat.dev === rootDev) visit(relPath);
    }
  };
  visit("");
  return entries;
}

function main(): void {
  const opts = args();
  const app = JSON.parse(readFileSync(opts["app-json"]!, "utf8")) as BuildahImage;
  const base = JSON.parse(readFileSync(opts["base-json"]!, "utf8")) as BuildahImage;
  const config = app.OCIv1.config;

  console.log("image configuration:");
  check(
    app.OCIv1.os === "linux" && app.OCIv1.architecture === "amd64",
    "platform is linux/amd64",
    `${app.OCIv1.os}/${app.OCIv1.architecture}`,
  );

  const user = config.User ?? "";
  const userName = user.split(":")[0] ?? "";
  const passwd = readFileSync(path.join(opts["app-root"]!, "etc/passwd"), "utf8");
  const passwdLine = passwd.split("\n").find((line) => line.split(":")[0] === userName || line.split(":")[2] === userName);
  const uid = /^\d+$/.test(userName) ? Number(userName) : passwdLine ? Number(passwdLine.split(":")[2]) : NaN;
  check(
    userName !== "" && userName !== "root" && userName !== "0" && Number.isInteger(uid) && uid !== 0,
    "runs as a non-root user",
    `User=${JSON.stringify(user)} (uid ${uid})`,
  );
  check(
    Object.hasOwn(config.ExposedPorts ?? {}, "8080/tcp"),
    "EXPOSE 8080/tcp",
    Object.keys(config.ExposedPorts ?? {}).join(", ") || "none",
  );
  check((config.Env ?? []).includes("NODE_ENV=production"), "NODE_ENV=production");
  const command = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  check(command.at(-1) === "dist/server.js" && command.includes("node"), "command runs node dist/server.js", JSON.stringify(command));
  check(config.WorkingDir === "/app", "WorkingDir is /app", String(config.WorkingDir));

  // The layers the app adds on top of the base: the base's diff_ids must be a prefix of the app's.
  const baseLayers = base.OCIv1.rootfs.diff_ids;
  const appLayers = app.OCIv1.rootfs.diff_ids;
  check(
    baseLayers.every((id, i) => appLayers[i] === id),
    "built on the base image's layers",
    `${baseLayers.length} base + ${appLayers.length - baseLayers.length} app layers`,
  );
  const manifest = JSON.parse(app.Manifest) as Manifest;
  const added = manifest.layers.slice(baseLayers.length);
  const addedBytes = added.reduce((sum, layer) => sum + layer.size, 0);
  const totalBytes = manifest.layers.reduce((sum, layer) => sum + layer.size, 0);

  console.log("files:");
  const appFiles = walk(opts["app-root"]!);
  const baseFiles = walk(opts["base-root"]!);
  const newPaths = [...appFiles.keys()].filter((p) => !baseFiles.has(p)).sort();
  const outside = newPaths.filter((p) => p !== "/app" && !p.startsWith("/app/"));
  check(outside.length === 0, "the app adds files only under /app", outside.slice(0, 10).join(" "));
  const forbidden: [RegExp, string][] = [
    [/(^|\/)node_modules(\/|$)/, "node_modules"],
    [/^\/app\/src(\/|$)/, "src/"],
    [/(^|\/)(test|tests|__tests__)(\/|$)|\.(test|spec)\.[cm]?[jt]s$/, "tests"],
    [/\.[cm]?ts$|\.tsx$/, ".ts files"],
    [/\.map$/, "source maps"],
    [/\.md$/, "markdown"],
    [/(^|\/)(package(-lock)?\.json|build\.mjs|Dockerfile|\.dockerignore|\.npmrc|\.env[^/]*)$/, "build inputs"],
  ];
  for (const [pattern, what] of forbidden) {
    const hits = newPaths.filter((p) => pattern.test(p));
    check(hits.length === 0, `no ${what} in the app's files`, hits.slice(0, 10).join(" "));
  }
  const topLevel = newPaths.filter((p) => /^\/app\/[^/]+$/.test(p));
  check(
    JSON.stringify(topLevel) === JSON.stringify(["/app/dist", "/app/public"]),
    "/app holds exactly dist/ and public/",
    topLevel.join(" "),
  );
  check(appFiles.get("/app/dist/server.js")?.type === "file", "/app/dist/server.js is there");
  check(appFiles.get("/app/dist/export.js")?.type === "file", "/app/dist/export.js is there (the export job)");
  check(
    newPaths.some((p) => p.startsWith("/app/public/") && appFiles.get(p)?.type === "file"),
    "/app/public/ has the static assets",
  );
  const writable = newPaths.filter((p) => {
    const entry = appFiles.get(p)!;
    return entry.type !== "link" && (entry.uid === uid || (entry.mode & 0o002) !== 0);
  });
  check(writable.length === 0, "the app's files are not writable by its user", writable.slice(0, 10).join(" "));

  const appFileBytes = newPaths.reduce((sum, p) => sum + (appFiles.get(p)!.type === "file" ? appFiles.get(p)!.size : 0), 0);
  const gzipBytes = newPaths.reduce((sum, p) => {
    const entry = appFiles.get(p)!;
    return sum + (entry.type === "file" ? gzipSync(readFileSync(path.join(opts["app-root"]!, p)), { level: 6 }).length : 0);
  }, 0);

  console.log("files the app adds:");
  for (const p of newPaths) {
    const entry = appFiles.get(p)!;
    console.log(
      `  ${entry.type === "dir" ? "d" : "-"}${(entry.mode & 0o777).toString(8)} uid ${entry.uid} ${String(entry.type === "file" ? entry.size : "").padStart(9)}  ${p}`,
    );
  }
  console.log("size:");
  console.log(
    `  app layers:  ${added.length} layers, ${addedBytes} bytes (${mb(addedBytes)}) as uncompressed tar; files ${appFileBytes} bytes, about ${mb(gzipBytes)} gzipped`,
  );
  console.log(
    `  whole image: ${manifest.layers.length} layers, ${mb(totalBytes)} uncompressed (the stand-in base is ${mb(totalBytes - addedBytes)}; the official node:*-slim base differs)`,
  );
  check(addedBytes > 0 && addedBytes < 20e6, "app layers under 20 MB", mb(addedBytes));

  finish("inspect");
}

main();
