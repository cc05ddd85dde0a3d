/**
 * `npm run dev` (scripts/dev.ts) as a developer runs it: a real process with dynalite and the app
 * as its child. It binds loopback only, takes the app down with it however it dies, and says why
 * the app stopped only when it knows. Data goes to a temporary folder (DYNAMODB_DATA_DIR), not
 * .data/. Every wait ends on what the processes print or on their exit, and is bounded.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { freePort, LogWatch, ROOT } from "../harness/appProcess";

const UP_BOUND_MS = 20_000;

interface DevRun {
  dev: ChildProcess;
  port: number;
  /** Every line printed so far, stdout and stderr. */
  output: string[];
  /** Resolves with the first line that satisfies `matches` (bounded). */
  lineMatching(matches: (line: string) => boolean, what: string): Promise<string>;
  /** Resolves when stdout and stderr are closed: the dev script and every process holding them (its child) have exited. */
  outputClosed: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const dataDirs: string[] = [];
const runs: DevRun[] = [];

async function startDev(env: Record<string, string> = {}, port?: number): Promise<DevRun> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "boyacky-dev-"));
  dataDirs.push(dataDir);
  const chosenPort = port ?? (await freePort());
  const dev = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts", "dev.ts")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(chosenPort),
      DYNAMODB_DATA_DIR: dataDir,
      LOG_LEVEL: "info",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...env,
    },
  });
  const log = new LogWatch();
  const closed = (stream: NodeJS.ReadableStream) => new Promise<void>((resolve) => stream.once("close", resolve));
  for (const stream of [dev.stdout!, dev.stderr!]) createInterface({ input: stream }).on("line", log.onLogLine);
  const run: DevRun = {
    dev,
    port: chosenPort,
    output: log.lines,
    outputClosed: Promise.all([closed(dev.stdout!), closed(dev.stderr!)]).then(() => undefined),
    exited: new Promise((resolve) => dev.once("exit", (code, signal) => resolve({ code, signal }))),
    lineMatching: async (matches, what) => {
      await log.waitFor(() => log.lines.some(matches), UP_BOUND_MS, what);
      return log.lines.find(matches)!;
    },
  };
  runs.push(run);
  return run;
}

const isRunning = (line: string) => line.includes("Boyacky is running at");

/** The pid in an app's log line (pino's `pid`), unless the line is not one or the pid is the dev script's. */
function pidIn(line: string, devPid: number | undefined): number | undefined {
  try {
    const pid: unknown = JSON.parse(line).pid;
    return typeof pid === "number" && pid !== devPid ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The app child's pid, from its first log line. */
async function appPid(run: DevRun): Promise<number> {
  return pidIn(await run.lineMatching((line) => pidIn(line, run.dev.pid) !== undefined, "a log line of the app"), run.dev.pid)!;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The addresses listening on TCP `port`, from the kernel's tables (Linux), e.g. ["127.0.0.1"]. */
function listeningAddresses(port: number): string[] {
  const addresses: string[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== "0A" || !local) continue; // 0A: LISTEN
      const [hex, portHex] = local.split(":");
      if (parseInt(portHex, 16) !== port) continue;
      addresses.push(
        hex.length === 8
          ? (hex.match(/../g) ?? [])
              .reverse()
              .map((byte) => parseInt(byte, 16))
              .join(".")
          : hex,
      );
    }
  }
  return addresses;
}

describe("npm run dev (scripts/dev.ts)", function () {
  this.timeout(60_000);

  afterEach(async () => {
    for (const run of runs.splice(0)) {
      // What a failed test left running: the dev script, then the app it started.
      const pid = run.output.map((line) => pidIn(line, run.dev.pid)).find((found) => found !== undefined);
      run.dev.kill("SIGKILL");
      if (pid !== undefined && alive(pid)) process.kill(pid, "SIGKILL");
    }
    for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("binds 127.0.0.1 only by default, and HOST overrides it", async function () {
    if (!existsSync("/proc/net/tcp")) this.skip();
    const run = await startDev();
    await run.lineMatching(isRunning, "the app to be up");
    assert.deepEqual(listeningAddresses(run.port), ["127.0.0.1"]);
    run.dev.kill("SIGINT");
    assert.deepEqual(await run.exited, { code: 0, signal: null });

    const everywhere = await startDev({ HOST: "0.0.0.0" });
    await everywhere.lineMatching(isRunning, "the app to be up");
    assert.deepEqual(listeningAddresses(everywhere.port), ["0.0.0.0"]);
  });

  it("takes the app down with it when it is killed (SIGKILL): the port is free again", async () => {
    const run = await startDev();
    await run.lineMatching(isRunning, "the app to be up");
    const pid = await appPid(run);
    run.dev.kill("SIGKILL");
    // The app shares the dev script's stdout and stderr: they close when it has exited too.
    await Promise.race([
      run.outputClosed,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`the app (pid ${pid}) outlived the dev script`)), UP_BOUND_MS)),
    ]);
    const free: Server = createServer();
    await new Promise<void>((resolve, reject) => free.once("error", reject).listen(run.port, "127.0.0.1", resolve));
    await new Promise((resolve) => free.close(resolve));
  });

  it("says the port is in use only when it is, and reports other failures as they are", async () => {
    // Another server holds the port (and hangs up on the dev script's health checks).
    const holder = createServer((socket) => socket.destroy());
    const port = await freePort();
    await new Promise<void>((resolve) => holder.listen(port, "127.0.0.1", resolve));
    try {
      const taken = await startDev({}, port);
      assert.notEqual((await taken.exited).code, 0);
      assert.ok(
        taken.output.some((line) => line.includes(`127.0.0.1:${port} is already in use`)),
        taken.output.join("\n"),
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }

    const misconfigured = await startDev({ BOYACKY_PAGE_SIZE: "0" });
    assert.notEqual((await misconfigured.exited).code, 0);
    assert.ok(
      misconfigured.output.some((line) => line.includes("BOYACKY_PAGE_SIZE=0 is not valid")),
      misconfigured.output.join("\n"),
    );
    assert.ok(
      !misconfigured.output.some((line) => /in use/.test(line)),
      `a config error reported as a port in use:\n${misconfigured.output.join("\n")}`,
    );
  });

  it("reports an app killed by a signal as killed, not as a clean exit", async () => {
    const run = await startDev();
    await run.lineMatching(isRunning, "the app to be up");
    process.kill(await appPid(run), "SIGKILL");
    const exit = await run.exited;
    assert.notEqual(exit.code, 0);
    assert.ok(
      run.output.some((line) => line.includes("boyacky was killed by SIGKILL")),
      run.output.join("\n"),
    );
  });
});
