/**
 * CPU per request, from the app process's own counters: what a request costs the task, whatever
 * else the machine is doing. Wall-clock figures (req/s, latency) move with every other process on
 * a shared machine; the CPU the app itself spent on a fixed number of requests barely does.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import type { AppProcess } from "./appProcess";
import { csrfField } from "../app/harness/pages";

/** Fargate's smallest task: 0.25 vCPU, i.e. 250 ms of CPU per second of wall time. */
export const TASK_CPU_MS_PER_SECOND = 250;

// Units of utime and stime in /proc/<pid>/stat (100 on every usual Linux, but it is a setting).
const CLOCK_TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/**
 * CPU time the process has used so far, user plus system, in ms: every thread of it (the V8
 * garbage collector's helper threads and libuv's pool included), which `process.cpuUsage()` in
 * the process would also count. 10 ms resolution: measure thousands of requests, not a few.
 */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The fields after the command name, which is in parentheses and may itself hold spaces:
  // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** One kind of request and the status that means it was served. */
export interface CpuRequest {
  name: string;
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
  expectStatus: number;
  /** Issue 13's goal for its app CPU per request, in ms. */
  goalMs: number;
}

export interface CpuFigure {
  /** App CPU per request, in ms. */
  cpuMs: number;
  /** Requests per second one 0.25 vCPU task can serve at that cost. */
  perTaskRps: number;
  requests: number;
  /** Answers with another status than expected, connection errors and timeouts. */
  errors: number;
  goalMs: number;
}

const CONNECTIONS = 10;

async function fire(app: AppProcess, request: CpuRequest, amount: number): Promise<number> {
  const result = await autocannon({
    url: `${app.baseUrl}${request.path}`,
    connections: CONNECTIONS,
    amount,
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const served = result.statusCodeStats?.[`${request.expectStatus}` as `${number}`]?.count ?? 0;
  return amount - served + result.errors + result.timeouts;
}

/**
 * App CPU per request for `request`: `warmUp` unrecorded requests first (JIT, caches, the heap
 * growing to its working size), then `amount` requests between two reads of the counters.
 */
export async function cpuPerRequest(app: AppProcess, request: CpuRequest, amount: number, warmUp: number): Promise<CpuFigure> {
  await fire(app, request, warmUp);
  const before = processCpuMs(app.pid);
  const errors = await fire(app, request, amount);
  const cpuMs = (processCpuMs(app.pid) - before) / amount;
  return {
    cpuMs: Number(cpuMs.toFixed(3)),
    perTaskRps: Math.round(TASK_CPU_MS_PER_SECOND / cpuMs),
    requests: amount,
    errors,
    goalMs: request.goalMs,
  };
}

/**
 * The four requests measured: the page and the API list (each as many rows as the page size),
 * a post through the API, and one through the form, which needs what a browser keeps from GET /:
 * the signed CSRF cookie and the form's token (valid for two hours, so one session does).
 */
export async function cpuRequests(app: AppProcess): Promise<CpuRequest[]> {
  const page = await fetch(`${app.baseUrl}/`);
  if (page.status !== 200) throw new Error(`GET / answered ${page.status}`);
  const cookie = page.headers.getSetCookie().find((header) => header.startsWith("_csrf="));
  if (!cookie) throw new Error("GET / set no _csrf cookie");
  const token = csrfField(await page.text());
  return [
    { name: "GET / (100 rows)", method: "GET", path: "/", expectStatus: 200, goalMs: 1.0 },
    { name: "GET /api/boyaki (100 items)", method: "GET", path: "/api/boyaki", expectStatus: 200, goalMs: 0.6 },
    {
      name: "POST /api/boyaki",
      method: "POST",
      path: "/api/boyaki",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "ベンチのボヤキ" }),
      expectStatus: 201,
      goalMs: 1.0,
    },
    {
      name: "POST / (form)",
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie.split(";")[0] },
      body: new URLSearchParams({ _csrf: token, text: "フォームのボヤキ" }).toString(),
      expectStatus: 303,
      goalMs: 1.0,
    },
  ];
}
