/**
 * The app as a separate process, as in production: its own event loop and its own RSS, so load
 * generation and dynalite (in the caller's process) do not skew its figures, and signals reach
 * the real `server.ts`. Used by the benchmark (bench/run.ts) and the reliability tests.
 *
 *   const app = await startApp("sources", { DYNAMODB_ENDPOINT, BOYACKY_TABLE });
 *   ... fetch(`${app.baseUrl}/api/boyaki`) ...
 *   const exit = await app.stop();        // SIGTERM, then wait for the exit
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";

/** The repository's root folder. */
export const ROOT = path.resolve(__dirname, "..", "..");

const DOCKERFILE = readFileSync(path.join(ROOT, "app", "Dockerfile"), "utf8");

/** Node's flags in the image's CMD (app/Dockerfile), so the bundle runs here as it does on Fargate. */
function imageNodeFlags(): string[] {
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(DOCKERFILE);
  if (!cmd) throw new Error("app/Dockerfile has no CMD in exec form");
  const argv = JSON.parse(cmd[1]) as string[];
  return argv.slice(1, -1); // between "node" and the entry file
}

/**
 * The runtime stage's `ENV NAME=value ...` settings (after the Dockerfile's last FROM), which the
 * bundle gets too: some (the allocator's) change its memory as much as Node's flags do.
 */
export function imageEnvironment(): Record<string, string> {
  const runtime = DOCKERFILE.slice(DOCKERFILE.lastIndexOf("\nFROM "));
  const env: Record<string, string> = {};
  for (const [, settings] of runtime.matchAll(/^ENV\s+(.+)$/gm)) {
    for (const setting of settings.trim().split(/\s+/)) {
      const pair = /^([A-Za-z_][A-Za-z0-9_]*)=([^"'\s]*)$/.exec(setting);
      if (!pair) throw new Error(`app/Dockerfile: ENV ${setting} is not NAME=value without quotes, which is all this reader knows`);
      env[pair[1]] = pair[2];
    }
  }
  return env;
}

/** The two ways the app starts: from TypeScript sources (npm run dev) and the image's bundle. */
export const ENTRY_POINTS = {
  sources: ["--import", "tsx", path.join(ROOT, "app", "src", "server.ts")],
  bundle: [...imageNodeFlags(), path.join(ROOT, "app", "dist", "server.js")],
} as const;

export type EntryPoint = keyof typeof ENTRY_POINTS;

export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartAppOptions {
  /**
   * Called with every line the app writes to stdout (pino's JSON log lines); when absent stdout
   * is discarded. The app logs at LOG_LEVEL (default here: warn; set `LOG_LEVEL: "info"` in the
   * environment to see each request).
   */
  onLogLine?: (line: string) => void;
  /** Extra Node flags before the entry point, e.g. `--cpu-prof` for the benchmark's profile. */
  nodeFlags?: string[];
}

export interface AppProcess {
  baseUrl: string;
  port: number;
  pid: number;
  /** Milliseconds from spawn to the first 200 on /healthz. */
  startupMs: number;
  /** Resident set size now, in MB (Linux /proc). */
  rssMb(): number;
  /** Resolves when the process has exited (it never rejects). */
  readonly exited: Promise<AppExit>;
  /** Sends a signal without waiting. */
  signal(signal: NodeJS.Signals): void;
  /**
   * Sends SIGTERM (unless it has exited already) and waits for the exit; after `killAfterMs`
   * (default 15 s) sends SIGKILL, so a stuck process never outlives its caller. Resolves with the
   * exit code (null when killed by a signal).
   */
  stop(killAfterMs?: number): Promise<number | null>;
}

/**
 * A port nobody listens on at this moment: for a connection that must be refused (a DynamoDB that
 * is not there), or a container's port the image test must choose. Something else may take it
 * before it is used, so a server of ours binds port 0 instead (startApp).
 */
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
  // Bounded: 3000 attempts a few milliseconds apart, 10 s or so in all.
  for (let attempt = 0; attempt < 3000; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the app exited (code ${child.exitCode}, signal ${child.signalCode}) before answering /healthz`);
    }
    try {
      if ((await fetch(`${baseUrl}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error("the app did not answer /healthz within about 10 s");
}

/** The port the app reports over IPC once it listens (server.ts), bounded. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the app did not report its port within 10 s")), 10_000);
    child.on("message", (message: { type?: string; port?: number }) => {
      if (message?.type !== "listening" || typeof message.port !== "number") return;
      clearTimeout(timer);
      resolve(message.port);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the app exited (code ${code}, signal ${signal}) before listening`));
    });
  });
}

/**
 * Starts the app on 127.0.0.1 and waits until /healthz answers 200. The app binds port 0 (the
 * system picks a free port, no race with another process) and reports it over IPC, unless `env`
 * pins PORT.
 */
export async function startApp(entry: EntryPoint, env: Record<string, string>, options: StartAppOptions = {}): Promise<AppProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), ...ENTRY_POINTS[entry]], {
    cwd: ROOT,
    stdio: ["ignore", options.onLogLine ? "pipe" : "ignore", "inherit", "ipc"],
    env: {
      ...process.env,
      ...(entry === "bundle" ? imageEnvironment() : {}),
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...env,
    },
  });
  const exited = new Promise<AppExit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  if (options.onLogLine && child.stdout) createInterface({ input: child.stdout }).on("line", options.onLogLine);
  const port = env.PORT ? Number(env.PORT) : await listeningPort(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(baseUrl, child);
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
    throw error;
  }
  const startupMs = performance.now() - started;
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    baseUrl,
    port,
    pid: child.pid ?? -1,
    startupMs,
    exited,
    rssMb: () => {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      return match ? Number(match[1]) / 1024 : NaN;
    },
    signal: (signal) => {
      if (!hasExited()) child.kill(signal);
    },
    stop: async (killAfterMs = 15_000) => {
      if (!hasExited()) child.kill("SIGTERM");
      const killer = setTimeout(() => {
        if (!hasExited()) child.kill("SIGKILL");
      }, killAfterMs);
      try {
        return (await exited).code;
      } finally {
        clearTimeout(killer);
      }
    },
  };
}

/** A parsed log line of the app (pino JSON). */
export type LogEntry = Record<string, any>;

/**
 * Collects the app's log lines (pass `onLogLine` to `startApp`) and waits for what they report,
 * e.g. until the app has logged 200 incoming requests: waits end on a log line, not on a timer.
 */
export class LogWatch {
  /** Every line, log line or not. */
  readonly lines: string[] = [];
  readonly entries: LogEntry[] = [];
  private readonly waiters = new Set<() => void>();

  readonly onLogLine = (line: string): void => {
    this.lines.push(line);
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      entry = undefined; // not a log line
    }
    if (typeof entry === "object" && entry !== null) this.entries.push(entry as LogEntry);
    for (const waiter of [...this.waiters]) waiter();
  };

  count(matches: (entry: LogEntry) => boolean): number {
    return this.entries.filter(matches).length;
  }

  /** Resolves once `done()` holds (checked now and after each log line); rejects after `timeoutMs`. */
  waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }
}
