/**
 * The post-deploy smoke test (scripts/smoke.ts), run against servers on 127.0.0.1 only: the real
 * app on dynalite, a deliberately broken fake, and a port with nothing listening. Both the
 * exported `runSmoke`/`main` and the CLI as a child process (the way `npm run smoke` runs it).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { startTestApp, type ListeningTestApp } from "../app/harness/testApp";
import { TestClock } from "../app/harness/testClock";
import { main, parseArgs, parseBaseUrl, runSmoke, smokeMarker, SmokeFailure, USAGE, UsageError } from "../scripts/smoke";

const ROOT = path.resolve(__dirname, "..");
const SMOKE = path.join(ROOT, "scripts", "smoke.ts");

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node --import tsx scripts/smoke.ts ...args`, as `npm run smoke -- ...args` would run it. */
function runCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", SMOKE, ...args],
      { cwd: ROOT, timeout: 30_000, env: { ...process.env, NODE_NO_WARNINGS: "1" } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") return reject(error);
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** What a fake server saw and how it answers. */
interface FakeServer {
  baseUrl: string;
  requests: string[];
  close(): Promise<void>;
}

async function startFake(handler: (request: IncomingMessage, response: ServerResponse, body: string) => void): Promise<FakeServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      requests.push(`${request.method} ${request.url}`);
      handler(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function sendJson(response: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    response.writeHead(status).end();
    return;
  }
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/**
 * Healthy, accepts POST with 201 and a proper item, but its list never contains what it stored:
 * the kind of bug the smoke test exists for (e.g. writes and reads going to different tables).
 */
function forgetfulServer(): Promise<FakeServer> {
  let counter = 0;
  return startFake((request, response, body) => {
    const url = new URL(request.url ?? "/", "http://fake");
    if (request.method === "GET" && url.pathname === "/healthz") return sendJson(response, 200, { status: "ok" });
    if (request.method === "POST" && url.pathname === "/api/boyaki") {
      const { text } = JSON.parse(body) as { text: string };
      counter += 1;
      return sendJson(response, 201, {
        id: `2026-11-22_1795316400000-00000000${String(counter).padStart(2, "0")}`,
        text,
        postedAt: new Date().toISOString(),
      });
    }
    if (request.method === "GET" && url.pathname === "/api/boyaki")
      return sendJson(response, 200, { day: "2026-11-22", items: [], nextCursor: null });
    if (request.method === "DELETE" && url.pathname.startsWith("/api/boyaki/")) return sendJson(response, 204);
    return sendJson(response, 404, { error: "not_found" });
  });
}

/** A port on 127.0.0.1 that was free a moment ago and has nothing listening now. */
async function closedPortUrl(): Promise<string> {
  const fake = await startFake((_request, response) => sendJson(response, 500));
  await fake.close();
  return fake.baseUrl;
}

describe("smoke test (scripts/smoke.ts)", function () {
  this.timeout(60_000);

  describe("against the app on dynalite", () => {
    let t: ListeningTestApp;

    beforeEach(async () => {
      t = await startTestApp({ listen: true });
    });

    afterEach(async () => {
      await t.close();
    });

    it("runSmoke passes every step and leaves nothing in the table", async () => {
      const lines: string[] = [];
      await runSmoke(t.baseUrl, { log: (line) => lines.push(line) });
      assert.equal((await t.storedItems()).length, 0, "the smoke grumble was left in the table");
      const steps = lines.filter((line) => /^[✓✗]/.test(line));
      assert.equal(steps.length, 5, lines.join("\n"));
      assert.ok(
        steps.every((line) => line.startsWith("✓ ")),
        lines.join("\n"),
      );
      assert.match(lines.join("\n"), /POST \/api\/boyaki "smoke-[a-z0-9]{8}": 201/);
    });

    it("follows nextCursor to a later page, and deletes only its own grumble", async () => {
      // Three grumbles posted "an hour later" than the smoke grumble list before it (newest first):
      // with one grumble per page the smoke grumble is only on page 4.
      const clock = new TestClock();
      const paged = await startTestApp({ listen: true, now: clock.now });
      try {
        clock.advance(3_600_000);
        const others = ["one", "two", "three"];
        for (const text of others) await paged.store.add(text);
        clock.advance(-7_200_000);
        const lines: string[] = [];
        await runSmoke(paged.baseUrl, { pageSize: 1, log: (line) => lines.push(line) });
        assert.match(lines.join("\n"), /✓ GET \/api\/boyaki lists it: found on page 4/, lines.join("\n"));
        assert.match(lines.join("\n"), /✓ GET \/api\/boyaki no longer lists it: gone/, lines.join("\n"));
        assert.deepEqual((await paged.storedItems()).map((item) => item.text).sort(), [...others].sort());
      } finally {
        await paged.close();
      }
    });

    it("gives up after maxPages pages instead of paging forever", async () => {
      for (const text of ["one", "two", "three"]) await t.store.add(text);
      await assert.rejects(runSmoke(t.baseUrl, { pageSize: 1, maxPages: 2, log: () => undefined }), /still more pages after 2 pages of 1/);
      assert.equal((await t.storedItems()).length, 3, "the smoke grumble was not cleaned up");
    });

    it("the CLI exits 0, prints ✓ for each step and PASSED", async () => {
      const result = await runCli([t.baseUrl]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.equal(result.stdout.match(/^✓ /gm)?.length, 5, result.stdout);
      assert.match(result.stdout, /smoke test PASSED/);
      assert.equal((await t.storedItems()).length, 0);
    });
  });

  describe("against a broken server that never lists what it stored", () => {
    let fake: FakeServer;

    beforeEach(async () => {
      fake = await forgetfulServer();
    });

    afterEach(async () => {
      await fake.close();
    });

    it("runSmoke fails at the list step with a clear message, and still deletes its grumble", async () => {
      const lines: string[] = [];
      await assert.rejects(runSmoke(fake.baseUrl, { log: (line) => lines.push(line) }), (error: unknown) => {
        assert.ok(error instanceof SmokeFailure);
        assert.match(error.message, /that POST answered 201 for is not in today's list/);
        return true;
      });
      assert.match(lines.join("\n"), /^✗ GET \/api\/boyaki lists it/m);
      assert.ok(
        fake.requests.some((request) => request.startsWith("DELETE /api/boyaki/2026-11-22_")),
        `no cleanup DELETE in ${fake.requests.join(", ")}`,
      );
      assert.match(lines.join("\n"), /cleanup: DELETE .* → 204/);
    });

    it("the CLI exits 1 with FAILED and the reason on stderr", async () => {
      const result = await runCli([fake.baseUrl]);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /^✗ GET \/api\/boyaki lists it/m);
      assert.match(
        result.stderr,
        /smoke test FAILED against http:\/\/127\.0\.0\.1:\d+: the grumble \S+ that POST answered 201 for is not in today's list/,
      );
      assert.ok(fake.requests.some((request) => request.startsWith("DELETE ")));
    });
  });

  describe("against other failures", () => {
    it("a URL with nothing listening fails at /healthz with 'could not connect'", async () => {
      const url = await closedPortUrl();
      const result = await runCli([url]);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /^✗ GET \/healthz: .*could not connect \(.*ECONNREFUSED/m);
      assert.match(result.stderr, /smoke test FAILED against .*could not connect/);
    });

    it("a server that answers 500 on POST fails with the status and body, and creates nothing to clean", async () => {
      const fake = await startFake((request, response) => {
        if (request.url === "/healthz") return sendJson(response, 200, { status: "ok" });
        return sendJson(response, 500, { error: "internal_error", message: "internal error" });
      });
      try {
        await assert.rejects(
          runSmoke(fake.baseUrl, { log: () => undefined }),
          /POST http:\/\/127\.0\.0\.1:\d+\/api\/boyaki: expected HTTP 201, got 500: \{"error":"internal_error"/,
        );
        assert.deepEqual(
          fake.requests.filter((request) => request.startsWith("DELETE")),
          [],
        );
      } finally {
        await fake.close();
      }
    });

    it("a POST that failed but was stored anyway (e.g. a 502 from the load balancer) is found by its text and deleted", async () => {
      const stored = new Map<string, { id: string; text: string; postedAt: string }>();
      const fake = await startFake((request, response, body) => {
        const url = new URL(request.url ?? "/", "http://fake");
        if (url.pathname === "/healthz") return sendJson(response, 200, { status: "ok" });
        if (request.method === "POST") {
          const item = {
            id: "2026-11-22_1795316400000-0123456789",
            text: (JSON.parse(body) as { text: string }).text,
            postedAt: new Date().toISOString(),
          };
          stored.set(item.id, item);
          return sendJson(response, 502, { message: "Bad Gateway" });
        }
        if (request.method === "GET") return sendJson(response, 200, { day: "2026-11-22", items: [...stored.values()], nextCursor: null });
        if (request.method === "DELETE") {
          const id = decodeURIComponent(url.pathname.split("/").pop() ?? "");
          return sendJson(response, stored.delete(id) ? 204 : 404);
        }
      });
      try {
        const lines: string[] = [];
        await assert.rejects(runSmoke(fake.baseUrl, { log: (line) => lines.push(line) }), /expected HTTP 201, got 502/);
        assert.equal(stored.size, 0, lines.join("\n"));
        assert.match(lines.join("\n"), /cleanup: DELETE \/api\/boyaki\/2026-11-22_1795316400000-0123456789 → 204/);
      } finally {
        await fake.close();
      }
    });

    it("a request that gets no answer fails after the request timeout", async () => {
      const fake = await startFake(() => undefined); // never answers
      try {
        await assert.rejects(
          runSmoke(fake.baseUrl, { log: () => undefined, requestTimeoutMs: 200 }),
          /GET http:\/\/127\.0\.0\.1:\d+\/healthz: no answer within 0\.2 s/,
        );
      } finally {
        await fake.close();
      }
    });

    it("with a wait, polls /healthz until it answers ok", async () => {
      let healthCalls = 0;
      const fake = await startFake((request, response) => {
        if (request.url === "/healthz") {
          healthCalls += 1;
          return healthCalls < 3 ? sendJson(response, 503, { error: "starting" }) : sendJson(response, 200, { status: "ok" });
        }
        return sendJson(response, 500);
      });
      try {
        const lines: string[] = [];
        await assert.rejects(
          runSmoke(fake.baseUrl, { log: (line) => lines.push(line), waitForHealthyMs: 5_000, pollIntervalMs: 1 }),
          /expected HTTP 201, got 500/,
        );
        assert.equal(healthCalls, 3);
        assert.match(lines.join("\n"), /✓ GET \/healthz: 200 \{"status":"ok"\} \(after 3 tries\)/);
      } finally {
        await fake.close();
      }
    });
  });

  describe("command line", () => {
    it("no argument: usage on stderr, exit 2", async () => {
      const result = await runCli([]);
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.match(result.stderr, /missing the base URL/);
      assert.match(result.stderr, /^usage: npm run smoke -- <base-url>/m);
    });

    it("invalid URLs and options are usage errors (exit 2) before any request", async () => {
      const io = { lines: [] as string[] };
      const capture = { out: (line: string) => io.lines.push(line), err: (line: string) => io.lines.push(line) };
      for (const args of [
        ["not a url"],
        ["ftp://example.com"],
        ["http://x/?a=1"],
        ["http://a", "http://b"],
        ["http://a", "--wait", "soon"],
        ["--bogus", "http://a"],
      ]) {
        io.lines.length = 0;
        assert.equal(await main(args, capture), 2, args.join(" "));
        assert.match(io.lines.join("\n"), /^usage:/m, args.join(" "));
      }
      const result = await runCli(["localhost:8080"]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /must start with http:\/\/ or https:\/\//);
    });

    it("--help prints the usage and exits 0", async () => {
      const lines: string[] = [];
      assert.equal(await main(["--help"], { out: (line) => lines.push(line), err: (line) => lines.push(`ERR ${line}`) }), 0);
      assert.deepEqual(lines, [USAGE]);
    });

    it("parses the URL and --wait", () => {
      assert.equal(parseBaseUrl("https://boyacky.example.com").href, "https://boyacky.example.com/");
      assert.equal(parseBaseUrl(" http://127.0.0.1:8080/prefix ").href, "http://127.0.0.1:8080/prefix/");
      assert.deepEqual(parseArgs(["http://a", "--wait", "120"]), { baseUrl: "http://a", waitSeconds: 120 });
      assert.deepEqual(parseArgs(["--wait=5", "http://a"]), { baseUrl: "http://a", waitSeconds: 5 });
      assert.throws(() => parseBaseUrl(undefined), UsageError);
    });

    it("marks each run's grumble uniquely and within the 20-character limit", () => {
      const markers = new Set(Array.from({ length: 50 }, () => smokeMarker()));
      assert.equal(markers.size, 50);
      for (const marker of markers) assert.match(marker, /^smoke-[a-z0-9]{8}$/);
    });
  });
});
