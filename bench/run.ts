/**
 * `npm run bench`: Boyacky's speed, CPU per request, memory, start-up and rollout figures,
 * measured side by side in one run on this machine, against dynalite on loopback. Prints a
 * markdown table and a JSON line, and writes both to bench/results.md. Loads are bounded in time
 * and count.
 *
 * `npm run bench -- --profile`: only the CPU-per-request load, on the bundle under `--cpu-prof`,
 * then the top packages and functions by self time (results.md is left alone: a profiled process
 * is slower).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { createDynamoClient } from "../app/src/store/dynamoClient";
import { ensureTable } from "../app/src/store/ensureTable";
import { runOfflineStack } from "../scripts/offlineStack";
import { DEPLOY_STRATEGIES } from "../infra/config";
import { rolloutOf } from "../scripts/plan/rollout";
import { startLocalDynamo } from "../app/harness/localDynamo";
import { type AppProcess, type EntryPoint, ROOT, startApp } from "./appProcess";
import { seedHistory, seedToday } from "../app/harness/seed";
import { type CpuFigure, cpuPerRequest, cpuRequests, TASK_CPU_MS_PER_SECOND } from "./cpu";
import { formatProfile, summariseProfile } from "./profile";

const TIME_ZONE = "Asia/Tokyo";
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS || 5);
const CONNECTIONS = 10;
const PROFILE = process.argv.slice(2).includes("--profile");
/** Requests per figure of CPU per request (after as many again to warm up). */
const CPU_REQUESTS = Number(process.env.BENCH_CPU_REQUESTS || 3000);
/** The page size of the CPU figures: GET / renders 100 rows, as in issue 13's comparison. */
const CPU_PAGE_SIZE = 100;
// Any fixed secret: a form needs the same one to sign and to check its cookie.
const COOKIE_SECRET = "bench-cookie-secret-of-at-least-32-characters";

interface Load {
  requestsPerSecond: number;
  /** Mean latency, to 0.01 ms: a second view next to p50, which autocannon gives in whole ms. */
  mean: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string, options: Partial<autocannon.Options> = {}): Promise<Load> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_SECONDS, ...options });
  return {
    requestsPerSecond: result.requests.average,
    mean: result.latency.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Issue 13's "before": the same figures measured on the code before its changes (bench/before.json). */
interface Before {
  commit: string;
  /** How and when it was measured. */
  note: string;
  cpuMsPerRequest: Record<string, number>;
  rssMbAfter10000Requests: number;
  coldStartMsBundle: number;
  errors: number;
}
const BEFORE = JSON.parse(readFileSync(path.join(ROOT, "bench", "before.json"), "utf8")) as Before;

/** App CPU per request for each of the requests of `cpuRequests`, one after the other on one app. */
async function measureCpu(app: AppProcess): Promise<Record<string, CpuFigure>> {
  const figures: Record<string, CpuFigure> = {};
  for (const request of await cpuRequests(app))
    figures[request.name] = await cpuPerRequest(app, request, CPU_REQUESTS, Math.ceil(CPU_REQUESTS / 3));
  return figures;
}

/** Resident memory by kind (Linux /proc): anonymous (JS heap, malloc, buffers) vs mapped files (code). */
function rssBreakdownMb(pid: number): { anonymous: number; files: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { anonymous: round(kb("RssAnon") / 1024), files: round(kb("RssFile") / 1024) };
}

async function main(): Promise<void> {
  const dynamo = await startLocalDynamo();
  const client = createDynamoClient({ endpoint: dynamo.endpoint });
  // The load comes from one IP: the per-IP rate limits (300 and 60 a minute by default) are off.
  const appEnv = (table: string) => ({
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    BOYACKY_TABLE: table,
    BOYACKY_TIME_ZONE: TIME_ZONE,
    BOYACKY_RATE_LIMIT_PER_MINUTE: "0",
    BOYACKY_WRITE_RATE_LIMIT_PER_MINUTE: "0",
    BOYACKY_COOKIE_SECRET: COOKIE_SECRET,
  });
  const withApp = async <T>(
    entry: EntryPoint,
    table: string,
    work: (app: AppProcess) => Promise<T>,
    env: Record<string, string> = {},
    nodeFlags: string[] = [],
  ): Promise<T> => {
    const app = await startApp(entry, { ...appEnv(table), ...env }, { nodeFlags });
    try {
      return await work(app);
    } finally {
      await app.stop();
    }
  };
  const cpuTable = "bench-cpu";
  await ensureTable(client, cpuTable);
  await seedToday(client, cpuTable, TIME_ZONE, 100);
  const cpuEnv = { BOYACKY_PAGE_SIZE: String(CPU_PAGE_SIZE) };

  if (PROFILE) {
    const dir = mkdtempSync(path.join(tmpdir(), "boyacky-profile-"));
    console.error(`profiling the bundle under the CPU-per-request load (${CPU_REQUESTS} of each request)...`);
    const cpu = await withApp("bundle", cpuTable, measureCpu, cpuEnv, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
    const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
    if (!file) throw new Error(`the app wrote no CPU profile in ${dir}`);
    console.log(
      Object.entries(cpu)
        .map(([name, figure]) => `${name}: ${figure.cpuMs} ms CPU per request under the profiler`)
        .join("\n"),
    );
    console.log(
      `\n${formatProfile(summariseProfile(path.join(dir, file)))}\n\nThe profile: ${path.join(dir, file)} (Chrome DevTools, Performance, opens it).`,
    );
    client.destroy();
    await dynamo.stop();
    return;
  }

  const tables = {
    small: "bench-today-100",
    large: "bench-today-2500",
    history: "bench-history",
    posts: "bench-posts",
    memory: "bench-memory",
  };
  for (const table of Object.values(tables)) await ensureTable(client, table);
  console.error("seeding: 100 and 2 500 of today's items, then 100 000 on earlier days...");
  const seedingStarted = performance.now();
  await seedToday(client, tables.small, TIME_ZONE, 100);
  await seedToday(client, tables.large, TIME_ZONE, 2_500);
  await seedToday(client, tables.history, TIME_ZONE, 100);
  await seedHistory(client, tables.history, TIME_ZONE, 100_000, 365);
  await seedToday(client, tables.memory, TIME_ZONE, 100);
  const seedingSeconds = round((performance.now() - seedingStarted) / 1000);
  console.error(`seeded in ${seedingSeconds} s`);

  // Each app (and dynalite, the first time) is warmed up with a 1 s unrecorded load on both routes
  // first: otherwise the first table measured (100 items, the baseline of every ratio) pays for
  // JIT warm-up and looks slower than the bigger tables, which flatters the ratios.
  const listPair = (table: string) =>
    withApp("bundle", table, async (app) => {
      for (const route of ["/", "/api/boyaki"]) await load(`${app.baseUrl}${route}`, { duration: 1 });
      return { page: await load(`${app.baseUrl}/`), api: await load(`${app.baseUrl}/api/boyaki`) };
    });

  console.error("listing with 100, 2 500 and 100 100 items...");
  const small = await listPair(tables.small);
  const large = await listPair(tables.large);
  const history = await listPair(tables.history);

  console.error("posting at concurrency 16...");
  const posts = await withApp("bundle", tables.posts, (app) =>
    load(`${app.baseUrl}/api/boyaki`, {
      connections: 16,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "ベンチのボヤキ" }),
    }),
  );

  console.error(`app CPU per request, ${CPU_REQUESTS} of each, page size ${CPU_PAGE_SIZE}...`);
  const cpu = await withApp("bundle", cpuTable, measureCpu, cpuEnv);

  console.error("cold starts...");
  const coldStart: Record<EntryPoint, number> = { sources: 0, bundle: 0 };
  for (const entry of ["sources", "bundle"] as const) {
    const times: number[] = [];
    for (let run = 0; run < 5; run++) times.push(await withApp(entry, tables.small, async (app) => app.startupMs));
    coldStart[entry] = median(times);
  }

  console.error("memory after 10 000 and 20 000 mixed requests...");
  const memory = await withApp("bundle", tables.memory, async (app) => {
    const idle = app.rssMb();
    const mixed = () =>
      autocannon({
        url: app.baseUrl,
        connections: CONNECTIONS,
        amount: 10_000,
        requests: [
          { method: "GET", path: "/" },
          { method: "GET", path: "/api/boyaki" },
          {
            method: "POST",
            path: "/api/boyaki",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ text: "メモリのボヤキ" }),
          },
          { method: "GET", path: "/healthz" },
        ],
      });
    const first = await mixed();
    const afterLoad = app.rssMb();
    const breakdown = rssBreakdownMb(app.pid);
    // A second round tells a leak (RSS keeps growing) from the heap settling at its size.
    const second = await mixed();
    const errors = [first, second].reduce((sum, result) => sum + result.errors + result.non2xx + result.timeouts, 0);
    return { idle, afterLoad, breakdown, afterSecondLoad: app.rssMb(), errors };
  });

  // The same computation as `npm run plan`, from the program under mocks.
  const rollout = rolloutOf(await runOfflineStack("dev"));
  const rolloutFloor = rollout.floorSeconds;
  const awsDefaultFloor = rollout.awsDefaults.floorSeconds;
  // The speed/safety trade-off: how long a healthy deployment takes with each strategy (dev's timings).
  const deploymentSeconds: Record<string, number> = {};
  for (const strategy of DEPLOY_STRATEGIES)
    deploymentSeconds[strategy] = rolloutOf(await runOfflineStack("dev", { deployStrategy: strategy })).deployment.expectedSeconds;

  client.destroy();
  await dynamo.stop();

  const figures = {
    machine: `${process.platform}/${process.arch}, Node ${process.version}, ${DURATION_SECONDS} s per load, ${CONNECTIONS} connections`,
    list100: small,
    list2500: large,
    listAfterHistory: history,
    ratios: {
      page2500vs100: round(large.page.p50 / small.page.p50, 2),
      api2500vs100: round(large.api.p50 / small.api.p50, 2),
      pageHistoryVs100: round(history.page.p50 / small.page.p50, 2),
      apiHistoryVs100: round(history.api.p50 / small.api.p50, 2),
    },
    // The same ratios on mean latency: not quantised to whole milliseconds like p50.
    meanRatios: {
      page2500vs100: round(large.page.mean / small.page.mean, 2),
      api2500vs100: round(large.api.mean / small.api.mean, 2),
      pageHistoryVs100: round(history.page.mean / small.page.mean, 2),
      apiHistoryVs100: round(history.api.mean / small.api.mean, 2),
    },
    posts,
    cpuPerRequest: cpu,
    coldStartMs: { sources: round(coldStart.sources), bundle: round(coldStart.bundle) },
    memoryMb: {
      idle: round(memory.idle),
      after10000Requests: round(memory.afterLoad),
      after10000ByKind: memory.breakdown,
      after20000Requests: round(memory.afterSecondLoad),
      mixedErrors: memory.errors,
    },
    rolloutFloorSeconds: { boyacky: rolloutFloor, awsDefaults: awsDefaultFloor },
    deploymentSeconds,
    seedingSeconds,
  };

  const row = (name: string, figure: Load, goal = "") =>
    `| ${name} | ${round(figure.requestsPerSecond, 0)} | ${round(figure.mean, 2)} | ${figure.p50} | ${figure.p99} | ${figure.errors} | ${goal} |`;
  const verdict = (met: boolean) => (met ? "met" : "**missed**");
  /** "p50 ×1.08, mean ×1.02 of 100 (goal ≤ 1.5 on p50: met)" */
  const ratio = (key: keyof typeof figures.ratios, limit: number) =>
    `p50 ×${figures.ratios[key]}, mean ×${figures.meanRatios[key]} of 100 (goal ≤ ${limit} on p50: ${verdict(figures.ratios[key] <= limit)})`;
  const cpuRow = (name: string, figure: CpuFigure) =>
    `| ${name} | ${figure.cpuMs} | ${figure.perTaskRps} | ${figure.errors} | ≤ ${figure.goalMs} ms: ${verdict(figure.cpuMs <= figure.goalMs && figure.errors === 0)} |`;
  const errorsUnderLoad = Object.values(cpu).reduce((sum, figure) => sum + figure.errors, 0) + memory.errors;
  const markdown = [
    `# Benchmark results`,
    ``,
    `Measured by \`npm run bench\` on ${figures.machine}, against dynalite on loopback. Latencies in ms.`,
    ``,
    `Issue 13's goals, before (commit ${BEFORE.commit.slice(0, 7)}, measured the same way on this machine: bench/before.json) and now:`,
    ``,
    `| figure | before | now | goal |`,
    `| --- | --- | --- | --- |`,
    ...Object.entries(cpu).map(
      ([name, figure]) =>
        `| ${name}, app CPU ms per request | ${BEFORE.cpuMsPerRequest[name]} | ${figure.cpuMs} | ≤ ${figure.goalMs}: ${verdict(figure.cpuMs <= figure.goalMs)} |`,
    ),
    `| GET / (100 rows), req/s one 0.25 vCPU task can serve | ${Math.round(TASK_CPU_MS_PER_SECOND / BEFORE.cpuMsPerRequest["GET / (100 rows)"])} | ${cpu["GET / (100 rows)"].perTaskRps} | |`,
    `| RSS after 10 000 mixed requests, MB | ${BEFORE.rssMbAfter10000Requests} | ${figures.memoryMb.after10000Requests} | ≤ 64: ${verdict(figures.memoryMb.after10000Requests <= 64)} |`,
    `| cold start of the bundle, ms | ${BEFORE.coldStartMsBundle} | ${figures.coldStartMs.bundle} | ≤ 250: ${verdict(figures.coldStartMs.bundle <= 250)} |`,
    `| errors under load (CPU loads and mixed requests) | ${BEFORE.errors} | ${errorsUnderLoad} | 0: ${verdict(errorsUnderLoad === 0)} |`,
    ``,
    `Before: ${BEFORE.note}.`,
    ``,
    `| load | req/s | mean | p50 | p99 | errors | goal / ratio |`,
    `| --- | --- | --- | --- | --- | --- | --- |`,
    row("GET / (100 today)", small.page),
    row("GET /api/boyaki (100 today)", small.api),
    row("GET / (2 500 today)", large.page, ratio("page2500vs100", 1.5)),
    row("GET /api/boyaki (2 500 today)", large.api, ratio("api2500vs100", 1.5)),
    row("GET / (100 today + 100 000 earlier)", history.page, ratio("pageHistoryVs100", 1.3)),
    row("GET /api/boyaki (100 today + 100 000 earlier)", history.api, ratio("apiHistoryVs100", 1.3)),
    row("POST /api/boyaki, concurrency 16", posts),
    ``,
    `App CPU per request (user + system time of the app process, all its threads, from /proc; ${CPU_REQUESTS} requests each after ${Math.ceil(CPU_REQUESTS / 3)} to warm up, ${CONNECTIONS} connections, page size ${CPU_PAGE_SIZE}, 100 of today's grumbles), and what one 0.25 vCPU Fargate task could serve at that cost (250 ms of CPU a second / CPU per request):`,
    ``,
    `| request | app CPU ms per request | req/s per 0.25 vCPU task | errors | goal |`,
    `| --- | --- | --- | --- | --- |`,
    ...Object.entries(cpu).map(([name, figure]) => cpuRow(name, figure)),
    ``,
    `| figure | value | goal |`,
    `| --- | --- | --- |`,
    `| cold start to first /healthz 200, from sources (tsx), median of 5 | ${figures.coldStartMs.sources} ms | |`,
    `| cold start to first /healthz 200, production bundle, median of 5 | ${figures.coldStartMs.bundle} ms | ≤ 250 ms: ${verdict(figures.coldStartMs.bundle <= 250)} |`,
    `| RSS idle | ${figures.memoryMb.idle} MB | |`,
    `| RSS after 10 000 mixed requests (GET /, GET /api/boyaki, POST /api/boyaki, GET /healthz) | ${figures.memoryMb.after10000Requests} MB: ${memory.breakdown.anonymous} MB anonymous (heap, buffers), ${memory.breakdown.files} MB mapped files (node's code) | ≤ 64 MB: ${verdict(figures.memoryMb.after10000Requests <= 64)} |`,
    `| errors in the 20 000 mixed requests | ${memory.errors} | 0: ${verdict(memory.errors === 0)} |`,
    `| RSS after 10 000 more (growth here would mean a leak) | ${figures.memoryMb.after20000Requests} MB | |`,
    `| rollout floor (deregistration + healthy threshold × interval + grace) | ${rolloutFloor} s | ≤ 60 s: ${verdict(rolloutFloor <= 60)} (AWS defaults: ${awsDefaultFloor} s) |`,
    ...DEPLOY_STRATEGIES.map(
      (strategy) =>
        `| a healthy deployment with deployStrategy ${strategy} (\`npm run plan\` shows its phases) | ${deploymentSeconds[strategy]} s | |`,
    ),
    `| seeding dynalite (2 800 today + 100 000 earlier items) | ${seedingSeconds} s | |`,
    ``,
    "```json",
    JSON.stringify(figures),
    "```",
    ``,
  ].join("\n");
  writeFileSync(path.join(ROOT, "bench", "results.md"), markdown);
  console.log(markdown);
  console.log(JSON.stringify(figures));
}

main().catch((error: unknown) => {
  console.error(`npm run bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
