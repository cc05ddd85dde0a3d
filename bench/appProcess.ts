/**
 * The app as a separate process, as in production: its own event loop and its own RSS, so load
 * generation and dynalite (in the benchmark's process) do not skew its figures.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "..");

/** The two ways the app starts: from TypeScript sources (npm run dev) and the image's bundle. */
export const ENTRY_POINTS = {
  sources: ["--import", "tsx", path.join(ROOT, "app", "src", "server.ts")],
  bundle: [path.join(ROOT, "app", "dist", "server.js")],
} as const;

export type EntryPoint = keyof typeof ENTRY_POINTS;

export interface AppProcess {
  baseUrl: string;
  pid: number;
  /** Milliseconds from spawn to the first 200 on /healthz. */
  startupMs: number;
  /** Resident set size now, in MB (Linux /proc). */
  rssMb(): number;
  stop(): Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(baseUrl: string, child: ChildProcess): Promise<void> {
  // Bounded: 3000 attempts a millisecond or so apart, about 10 s in all.
  for (let attempt = 0; attempt < 3000; attempt++) {
    if (child.exitCode !== null) throw new Error(`the app exited with code ${child.exitCode} before answering /healthz`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error("the app did not answer /healthz within about 10 s");
}

export async function startApp(entry: EntryPoint, env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...ENTRY_POINTS[entry]], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealth(baseUrl, child);
  const startupMs = performance.now() - started;
  return {
    baseUrl,
    pid: child.pid ?? -1,
    startupMs,
    rssMb: () => {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      return match ? Number(match[1]) / 1024 : NaN;
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill("SIGTERM");
      }),
  };
}
