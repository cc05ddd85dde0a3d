/**
 * Runs the built image the way a container runtime would, and talks to it over HTTP. Part of
 * `npm run test:image` (run.sh), which has made the working container (and its read-only root).
 *
 *   - starts dynalite on 127.0.0.1 (app/harness/localDynamo.ts) and creates the table (ensureTable);
 *   - `buildah run` of the image's own ENTRYPOINT + CMD, as the image's user, host network,
 *     env PORT (a free port), HOST=127.0.0.1, DYNAMODB_ENDPOINT, BOYACKY_TABLE;
 *   - waits for /healthz (bounded polling), then POST /api/boyaki 201, GET lists it,
 *     DELETE 204, GET no longer lists it, static assets and the page are served;
 *   - sends SIGTERM to the app's process and expects it to exit 0 within a few seconds;
 *   - runs the export job as ECS would, the same image with the command `node dist/export.js`
 *     (the ENTRYPOINT kept), against s3rver and a Comprehend stand-in on 127.0.0.1: exit 0 and
 *     the day's CSV, scored, in the bucket.
 *
 *   tsx test/image/smoke.ts --app-json F --container NAME --buildah "buildah\n--root\n..."
 *   (IMAGE_TEST_READ_ONLY=1 when run.sh made the root filesystem read-only)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { createDynamoClient } from "../../app/src/store/dynamoClient";
import { freePort } from "../../app/harness/appProcess";
import { ensureTable } from "../../app/src/store/ensureTable";
import { GrumbleStore } from "../../app/src/store/grumbleStore";
import { startComprehendStandIn } from "../../app/harness/comprehendStandIn";
import { loopbackAwsEnv } from "../../app/harness/exportProcess";
import { startS3Server } from "../../app/harness/s3Server";
import { startLocalDynamo, type LocalDynamo } from "../../app/harness/localDynamo";
import { check, finish } from "./checks";

const TABLE = "boyacky-image-test";
const HEALTH_POLL_MS = 100;
const HEALTH_POLL_MAX = 300; // 30 s at most
const STOP_DEADLINE_MS = 5_000;

interface ImageConfig {
  User?: string;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
}

function args(): { appJson: string; container: string; buildah: string[] } {
  const argv = process.argv.slice(2);
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    const value = i >= 0 ? argv[i + 1] : undefined;
    if (!value) throw new Error(`missing --${name}`);
    return value;
  };
  return { appJson: get("app-json"), container: get("container"), buildah: get("buildah").split("\n").filter(Boolean) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `buildah run`'s `-e KEY=VALUE` arguments for `env`. */
function envArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([key, value]) => ["-e", `${key}=${value}`]);
}

/**
 * The export job in the image, as a one-shot ECS task runs it: another command, the same
 * ENTRYPOINT, user and read-only root; one grumble of today to export, scored by the stand-in.
 */
async function checkExportJob(
  buildah: string[],
  container: string,
  common: string[],
  entrypoint: string[],
  dynamoEndpoint: string,
): Promise<void> {
  const s3 = await startS3Server("boyacky-image-test");
  const comprehend = await startComprehendStandIn();
  const client = createDynamoClient({ endpoint: dynamoEndpoint });
  try {
    const store = new GrumbleStore({ client, tableName: TABLE, timeZone: "Asia/Tokyo" });
    const posted = await store.add("イメージからの輸出");
    const day = store.today();
    const env = loopbackAwsEnv({ dynamoEndpoint, tableName: TABLE, s3, comprehendEndpoint: comprehend.endpoint });
    const command = [...entrypoint, "node", "dist/export.js", "--day", day];
    console.log(`export job: ${command.join(" ")}`);
    const run = await buildahRun(buildah, [...common, ...envArgs(env), container, "--", ...command]);
    check(
      run.code === 0 && run.out.includes('"msg":"export done"'),
      "export job: node dist/export.js exits 0",
      `code ${run.code}: ${run.out.trim().split("\n").at(-1)?.slice(0, 300)}`,
    );
    const csv = (await s3.get(`exports/${day}.csv`).catch(() => ({ body: Buffer.alloc(0) }))).body.toString("utf8");
    const row = csv.split("\r\n").find((line) => line.startsWith(posted.id)) ?? "";
    check(
      /^\uFEFFID,Date,Boyaki,/.test(csv) && /,イメージからの輸出,(POSITIVE|NEGATIVE|NEUTRAL|MIXED),[0-9.]+,/.test(row),
      "export job: exports/<day>.csv in the bucket, the grumble scored",
      row || csv.slice(0, 200),
    );
  } finally {
    client.destroy();
    await comprehend.close();
    await s3.close();
  }
}

/** Runs a short command with buildah run; resolves with its exit code and output. */
function buildahRun(buildah: string[], runArgs: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(buildah[0]!, [...buildah.slice(1), "run", ...runArgs], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** All descendants of pid, from /proc (the app runs under buildah's chroot helper). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(name));
      parents.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    for (const child of parents.get(stack.pop()!) ?? []) {
      out.push(child);
      stack.push(child);
    }
  }
  return out;
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

function uidOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
}

async function request(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; text: string }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

async function main(): Promise<void> {
  const opts = args();
  const image = JSON.parse(readFileSync(opts.appJson, "utf8")) as { OCIv1: { config: ImageConfig } };
  const config = image.OCIv1.config;
  const command = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  const user = config.User ?? "";
  const readOnly = process.env.IMAGE_TEST_READ_ONLY === "1";
  const common = ["--isolation", "chroot", "--network", "host", ...(user ? ["--user", user] : [])];

  console.log("container as configured:");
  const probe = await buildahRun(opts.buildah, [
    ...common,
    opts.container,
    "--",
    "/bin/sh",
    "-c",
    "id -u; if touch /app/.probe /tmp/.probe 2>/dev/null; then echo writable; else echo read-only; fi",
  ]);
  const [probeUid, probeFs] = probe.out.trim().split("\n");
  check(
    probe.code === 0 && probeUid !== undefined && probeUid !== "0",
    "runs as the image's non-root user",
    `uid ${probeUid ?? "?"} (${user})`,
  );
  if (readOnly) check(probeFs === "read-only", "root filesystem is read-only", probeFs ?? probe.out);
  else console.log("  WARNING: root filesystem is NOT read-only in this run (see run.sh output)");

  let dynamo: LocalDynamo | undefined;
  let app: ChildProcess | undefined;
  let appPid: number | undefined;
  const killApp = () => {
    if (!app || app.exitCode !== null || app.signalCode !== null) return;
    // Stop what this test started (buildah run and its children), by pid.
    for (const pid of [...descendants(app.pid!), ...(appPid !== undefined ? [appPid] : [])]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    app.kill("SIGKILL");
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.log(`  FAIL interrupted by ${signal}`);
      killApp();
      process.exit(1);
    });
  }
  try {
    dynamo = await startLocalDynamo();
    const client = createDynamoClient({ endpoint: dynamo.endpoint });
    await ensureTable(client, TABLE);
    client.destroy();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    console.log(`app: ${command.join(" ")} on ${base}, DynamoDB ${dynamo.endpoint}`);

    const env = {
      PORT: String(port),
      HOST: "127.0.0.1",
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      BOYACKY_TABLE: TABLE,
      AWS_REGION: "ap-northeast-1",
      LOG_LEVEL: "warn",
    };
    const started = Date.now();
    app = spawn(opts.buildah[0]!, [...opts.buildah.slice(1), "run", ...common, ...envArgs(env), opts.container, "--", ...command], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      app!.once("exit", (code, signal) => resolve({ code, signal })),
    );

    let healthy = false;
    for (let attempt = 0; attempt < HEALTH_POLL_MAX && app.exitCode === null && app.signalCode === null; attempt++) {
      try {
        const health = await request(base, "GET", "/healthz");
        if (health.status === 200) {
          healthy = true;
          break;
        }
      } catch {
        // not listening yet
      }
      await sleep(HEALTH_POLL_MS);
    }
    const exitedEarly = app.exitCode !== null || app.signalCode !== null;
    check(
      healthy,
      "GET /healthz 200",
      healthy
        ? `after ${Date.now() - started} ms`
        : exitedEarly
          ? `the container exited first (code ${app.exitCode}${app.signalCode ? `, ${app.signalCode}` : ""}; its output is above)`
          : `no answer within ${(HEALTH_POLL_MAX * HEALTH_POLL_MS) / 1000} s`,
    );
    if (!healthy) return;

    // buildah's chroot helper (buildah-chroot-exec) is the parent; the app is the node under it.
    const tree = descendants(app.pid!);
    appPid = tree.find((pid) => /(^|\/)node$/.test(cmdline(pid)[0] ?? "") && cmdline(pid).some((arg) => arg.endsWith("dist/server.js")));
    check(
      appPid !== undefined,
      "found the app's node process",
      appPid ? `pid ${appPid}: ${cmdline(appPid).join(" ")}` : `none among ${tree.map((pid) => cmdline(pid).join(" ")).join(" | ")}`,
    );
    if (appPid === undefined) return;
    const shells = tree.filter(
      (pid) => cmdline(pid).some((arg) => arg.endsWith("docker-entrypoint.sh")) && !cmdline(pid)[0]?.startsWith("buildah"),
    );
    check(
      shells.length === 0,
      "the entrypoint exec'ed node (no shell in between: node gets the signals itself)",
      shells.map((pid) => cmdline(pid).join(" ")).join(" | "),
    );
    check(uidOf(appPid) !== 0, "the app's process is not root", `uid ${uidOf(appPid)}`);

    const text = `image test ${Math.random().toString(36).slice(2, 8)}`; // at most 20 characters
    const posted = await request(base, "POST", "/api/boyaki", { text });
    const id = (posted.json as { id?: string } | undefined)?.id;
    check(posted.status === 201 && typeof id === "string", "POST /api/boyaki 201", `${posted.status} ${posted.text.slice(0, 200)}`);
    const listed = await request(base, "GET", "/api/boyaki");
    const items = (listed.json as { items?: { id: string; text: string }[] } | undefined)?.items ?? [];
    check(
      listed.status === 200 && items.some((item) => item.id === id && item.text === text),
      "GET /api/boyaki lists it",
      `${listed.status}, ${items.length} items`,
    );
    const deleted = await request(base, "DELETE", `/api/boyaki/${id}`);
    check(deleted.status === 204, "DELETE /api/boyaki/:id 204", String(deleted.status));
    const after = await request(base, "GET", "/api/boyaki");
    const afterItems = (after.json as { items?: { id: string }[] } | undefined)?.items ?? [];
    check(after.status === 200 && !afterItems.some((item) => item.id === id), "GET /api/boyaki no longer lists it", String(after.status));
    const css = await request(base, "GET", "/static/style.css");
    check(css.status === 200 && css.text.length > 0, "GET /static/style.css 200 (public/ found)", String(css.status));
    const page = await request(base, "GET", "/");
    check(page.status === 200 && page.text.includes("<html"), "GET / 200 (the page)", String(page.status));

    const stopAt = Date.now();
    process.kill(appPid, "SIGTERM");
    const result = await Promise.race([exited, sleep(STOP_DEADLINE_MS).then(() => undefined)]);
    const stopMs = Date.now() - stopAt;
    check(
      result !== undefined && result.code === 0,
      "SIGTERM: the app exits 0 promptly",
      result
        ? `code ${result.code}${result.signal ? ` signal ${result.signal}` : ""} after ${stopMs} ms`
        : `still running after ${STOP_DEADLINE_MS} ms`,
    );
    if (result !== undefined) app = undefined;
    appPid = undefined;

    await checkExportJob(opts.buildah, opts.container, common, config.Entrypoint ?? [], dynamo.endpoint);
  } finally {
    killApp();
    await dynamo?.stop();
  }
}

main()
  .catch((error: unknown) => check(false, "the run finished", error instanceof Error ? (error.stack ?? error.message) : String(error)))
  .finally(() => finish("run"));
