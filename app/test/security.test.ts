/**
 * Security headers (from @fastify/helmet) on every kind of answer, and the exact
 * Content-Security-Policy. That the page works under that policy in a real browser is checked in
 * browser.test.ts.
 */
import assert from "node:assert/strict";
import type { LightMyRequestResponse } from "fastify";
import { ConfigError, DEFAULT_RATE_LIMIT, loadConfig } from "../src/config";
import { buildHttpApp } from "../src/http/app";
import { openSession } from "../harness/pages";
import { sendRaw, type RawAnswer } from "../harness/rawHttp";
import { startTestApp, type TestApp } from "../harness/testApp";

const EXPECTED_CSP: Record<string, string[]> = {
  "default-src": ["'self'"],
  "script-src": ["'self'"],
  "style-src": ["'self'"],
  "img-src": ["'self'", "data:"],
  "object-src": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
};

/** `a b; c d e` → { a: [b], c: [d, e] }, failing on a directive given twice. */
function parseCsp(header: string): Record<string, string[]> {
  const directives: Record<string, string[]> = {};
  for (const part of header.split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (!name) continue;
    assert.ok(!(name in directives), `${name} appears twice`);
    directives[name] = values;
  }
  return directives;
}

function assertSecurityHeaders(response: LightMyRequestResponse | RawAnswer, label: string): void {
  const headers = response.headers;
  assert.deepEqual(parseCsp(String(headers["content-security-policy"])), EXPECTED_CSP, `${label}: CSP`);
  assert.ok(!String(headers["content-security-policy"]).includes("unsafe-"), `${label}: no unsafe-inline/eval`);
  assert.equal(headers["x-content-type-options"], "nosniff", label);
  assert.equal(headers["x-frame-options"], "DENY", label);
  assert.equal(headers["referrer-policy"], "no-referrer", label);
  assert.equal(headers["cross-origin-opener-policy"], "same-origin", label);
  assert.equal(headers["cross-origin-resource-policy"], "same-origin", label);
  assert.match(String(headers["strict-transport-security"]), /^max-age=\d{7,}/, label);
  assert.equal(headers["x-powered-by"], undefined, label);
  assert.equal(headers.server, undefined, label);
  assert.equal(headers["access-control-allow-origin"], undefined, `${label}: no CORS`);
}

describe("security headers", () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });

  after(async () => {
    await t?.close();
  });

  it("the home page has the exact CSP and the other helmet headers", async () => {
    const response = await t.app.inject({ method: "GET", url: "/" });
    assert.equal(response.statusCode, 200);
    assert.equal(
      response.headers["content-security-policy"],
      "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'",
    );
    assertSecurityHeaders(response, "GET /");
    // The page needs no inline script or style: none in it.
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(response.body), "an inline <script>");
    assert.ok(!/<style|\sstyle=|\son[a-z]+=/.test(response.body), "inline style or event handler");
  });

  it("API answers, static files, errors and refusals carry them too", async () => {
    const limited = await startTestApp({ dynamo: t.dynamo, rateLimit: { perMinute: 6, writesPerMinute: 5 } });
    try {
      const session = await openSession(limited.app); // the first request of the minute, all from 127.0.0.1
      const inject = limited.app.inject.bind(limited.app);
      const answers: [number, LightMyRequestResponse][] = [
        [200, await inject({ method: "GET", url: "/api/boyaki" })],
        [200, await inject({ method: "GET", url: "/static/app.js" })],
        [404, await inject({ method: "GET", url: "/nothing" })],
        [400, await inject({ method: "POST", url: "/api/boyaki", headers: { "content-type": "application/json" }, payload: "{" })],
        [
          403,
          await inject({
            method: "POST",
            url: "/",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            cookies: { _csrf: session.cookie },
            payload: "text=x",
          }),
        ],
        [200, await inject({ method: "GET", url: "/healthz" })], // not counted
        [429, await inject({ method: "GET", url: "/api/boyaki" })], // the seventh request of the minute, limit 6
      ];
      for (const [status, response] of answers) {
        const label = `${response.raw.req.method} ${response.raw.req.url} ${status}`;
        assert.equal(response.statusCode, status, label);
        assertSecurityHeaders(response, label);
      }
      const [, tooMany] = answers[answers.length - 1];
      assert.deepEqual(tooMany.json(), { error: "rate_limited", message: "too many requests; slow down and retry later" });
      assert.match(String(tooMany.headers["retry-after"]), /^\d+$/);
    } finally {
      await limited.close();
    }
  });

  it("refusals by Node's HTTP parser and by Fastify's router carry them too, in the app's error shape", async () => {
    const listening = await startTestApp({ dynamo: t.dynamo, listen: true, requestTimeoutMs: 200 });
    try {
      const port = Number(new URL(listening.baseUrl).port);
      const answers: [number, string, LightMyRequestResponse | RawAnswer][] = [
        [
          400,
          "Content-Length with Transfer-Encoding",
          await sendRaw(port, "POST /api/boyaki HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ],
        [431, "headers over 16 KiB", await sendRaw(port, `GET / HTTP/1.1\r\nHost: x\r\nCookie: a=${"x".repeat(20_000)}\r\n\r\n`)],
        [
          408,
          "a body never finished",
          await sendRaw(port, "POST /api/boyaki HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{"),
        ],
        [400, "a malformed %-escape", await listening.app.inject({ method: "GET", url: "/%zz" })],
        [
          400,
          "a path parameter over 100 characters",
          await listening.app.inject({ method: "DELETE", url: `/api/boyaki/${"x".repeat(200)}` }),
        ],
      ];
      for (const [status, label, response] of answers) {
        assert.equal(response.statusCode, status, label);
        assertSecurityHeaders(response, label);
      }
      assert.deepEqual(answers[0][2].json(), { error: "bad_request", message: "the request is not valid HTTP" });
      assert.ok(answers[1][2].body.includes("リクエストのヘッダーが大きすぎます。"), "a Japanese page for a page's URL");
      assert.deepEqual(answers[2][2].json(), { error: "request_timeout", message: "the request took too long to arrive; send it again" });
    } finally {
      await listening.close();
    }
  });

  it("a 500 is a generic message, no stack trace or internal detail", async () => {
    const app = await startTestApp({ dynamo: t.dynamo });
    try {
      const boom = async () => {
        throw new Error("secret detail at /srv/app/dist/server.js:1:2");
      };
      app.app.get("/boom", boom);
      app.app.get("/api/boom", boom);
      const page = await app.app.inject({ method: "GET", url: "/boom" });
      const api = await app.app.inject({ method: "GET", url: "/api/boom" });
      for (const response of [page, api]) {
        assert.equal(response.statusCode, 500);
        assert.ok(!response.body.includes("secret detail") && !response.body.includes("server.js"), response.body);
        assertSecurityHeaders(response, "500");
      }
      assert.ok(page.body.includes("エラーが発生しました。"));
      assert.deepEqual(api.json(), { error: "internal_error", message: "internal error" });
    } finally {
      await app.close();
    }
  });

  it("without a rateLimit option the app has the production limits (config.ts defaults)", async () => {
    const app = await buildHttpApp({ store: t.store, timeZone: t.timeZone, pageSize: 50 });
    try {
      const read = await app.inject({ method: "GET", url: "/api/boyaki" });
      assert.equal(read.headers["x-ratelimit-limit"], String(DEFAULT_RATE_LIMIT.perMinute));
      assert.deepEqual(DEFAULT_RATE_LIMIT, { perMinute: 300, writesPerMinute: 60 });
      assert.equal((await app.inject({ method: "GET", url: "/healthz" })).headers["x-ratelimit-limit"], undefined, "/healthz is exempt");
    } finally {
      await app.close();
    }
  });
});

describe("rate limit settings (environment)", () => {
  it("defaults to 300 requests and 60 writes a minute", () => {
    assert.deepEqual(loadConfig({}).rateLimit, { perMinute: 300, writesPerMinute: 60 });
  });

  it("reads both variables; 0 turns a limit off", () => {
    const env = { BOYACKY_RATE_LIMIT_PER_MINUTE: "1000", BOYACKY_WRITE_RATE_LIMIT_PER_MINUTE: "0" };
    assert.deepEqual(loadConfig(env).rateLimit, { perMinute: 1000, writesPerMinute: 0 });
  });

  for (const [name, value] of [
    ["BOYACKY_RATE_LIMIT_PER_MINUTE", "-1"],
    ["BOYACKY_RATE_LIMIT_PER_MINUTE", "lots"],
    ["BOYACKY_WRITE_RATE_LIMIT_PER_MINUTE", "1.5"],
    ["BOYACKY_WRITE_RATE_LIMIT_PER_MINUTE", "2000000"],
  ]) {
    it(`refuses ${name}=${value}, naming it`, () => {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (error: Error) => error instanceof ConfigError && error.message.startsWith(`${name}=${value} is not valid`),
      );
    });
  }
});

describe("request timeout setting (environment)", () => {
  it("defaults to 5 s, and reads BOYACKY_REQUEST_TIMEOUT_MS", () => {
    assert.equal(loadConfig({}).requestTimeoutMs, 5_000);
    assert.equal(loadConfig({ BOYACKY_REQUEST_TIMEOUT_MS: "250" }).requestTimeoutMs, 250);
  });

  for (const value of ["0", "fast", "99", "120001"]) {
    it(`refuses BOYACKY_REQUEST_TIMEOUT_MS=${value}, naming it`, () => {
      assert.throws(
        () => loadConfig({ BOYACKY_REQUEST_TIMEOUT_MS: value }),
        (error: Error) => error instanceof ConfigError && error.message.startsWith(`BOYACKY_REQUEST_TIMEOUT_MS=${value} is not valid`),
      );
    });
  }

  it("refuses a request timeout that is not shorter than the shutdown timeout: a slow request would outlast the shutdown", () => {
    assert.throws(
      () => loadConfig({ BOYACKY_REQUEST_TIMEOUT_MS: "3000", BOYACKY_SHUTDOWN_TIMEOUT_MS: "3000" }),
      (error: Error) =>
        error instanceof ConfigError &&
        /^BOYACKY_REQUEST_TIMEOUT_MS=3000 must be shorter than BOYACKY_SHUTDOWN_TIMEOUT_MS=3000/.test(error.message),
    );
  });
});

describe("cookie secret setting (environment)", () => {
  it("is unset by default (server.ts then makes a random one per process) and read from BOYACKY_COOKIE_SECRET", () => {
    assert.equal(loadConfig({}).cookieSecret, undefined);
    const secret = "s".repeat(32);
    assert.equal(loadConfig({ BOYACKY_COOKIE_SECRET: secret }).cookieSecret, secret);
  });

  it("refuses a secret under 32 characters, naming the variable but never the value", () => {
    assert.throws(
      () => loadConfig({ BOYACKY_COOKIE_SECRET: "hunter2" }),
      (error: Error) =>
        error instanceof ConfigError &&
        error.message.startsWith("BOYACKY_COOKIE_SECRET is too short (7 characters)") &&
        !error.message.includes("hunter2"),
    );
  });
});
