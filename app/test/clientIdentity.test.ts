/**
 * The client is who the network says, not who the request says: for each way the app is
 * deployed (no proxy, an ALB, CloudFront's VPC origin then the ALB), a forged X-Forwarded-For,
 * X-Forwarded-Proto or X-Forwarded-Host changes neither the client a rate limit counts, nor the
 * address logged, nor the protocol and host the app believes.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import type { InjectOptions } from "fastify";
import { ConfigError, loadConfig } from "../src/config";
import { parseTrustedProxies, type TrustedProxies } from "../src/http/clientIdentity";
import { openSession } from "../harness/pages";
import { startTestApp, startTestDynamo, type TestApp, type TestDynamo } from "../harness/testApp";

const VPC = "10.0.0.0/16";
const ALB_NODE = "10.0.1.23"; // the socket's peer behind the ALB
const CLOUDFRONT_ENI = "10.0.3.41"; // CloudFront's VPC-origin interface, inside the VPC
const LIMITS = { perMinute: 3, writesPerMinute: 0 };

/** How a request reaches the app in each deployment, from a client at `client` that forged `forged`. */
interface Topology {
  name: string;
  trusted: TrustedProxies;
  /** The request as it arrives at the task. */
  arrive(client: string, forged: string | undefined, options: InjectOptions): InjectOptions;
}

const withXff = (options: InjectOptions, remoteAddress: string, entries: (string | undefined)[]): InjectOptions => ({
  ...options,
  remoteAddress,
  headers: { ...options.headers, "x-forwarded-for": entries.filter((entry) => entry !== undefined).join(", ") },
});

const TOPOLOGIES: Topology[] = [
  {
    name: "no proxy (local): the socket's peer",
    trusted: { kind: "none" },
    arrive: (client, forged, options) => ({
      ...options,
      remoteAddress: client,
      headers: { ...options.headers, ...(forged ? { "x-forwarded-for": forged } : {}) },
    }),
  },
  {
    // The ALB appends the address it saw to whatever the client sent.
    name: "ALB, one trusted hop",
    trusted: { kind: "hops", hops: 1 },
    arrive: (client, forged, options) => withXff(options, ALB_NODE, [forged, client]),
  },
  {
    name: "ALB, the VPC's range trusted (what the stack sets)",
    trusted: { kind: "cidrs", cidrs: [VPC] },
    arrive: (client, forged, options) => withXff(options, ALB_NODE, [forged, client]),
  },
  {
    // CloudFront appends the viewer's address; the ALB then appends CloudFront's VPC-origin address.
    name: "CloudFront VPC origin then the ALB, the VPC's range trusted",
    trusted: { kind: "cidrs", cidrs: [VPC] },
    arrive: (client, forged, options) => withXff(options, ALB_NODE, [forged, client, CLOUDFRONT_ENI]),
  },
];

/** A pino destination that keeps every log line. */
function logSink(): { stream: Writable; lines: Record<string, any>[] } {
  const lines: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { stream, lines };
}

describe("client identity: trusted proxies only", () => {
  let dynamo: TestDynamo;
  before(async () => {
    dynamo = await startTestDynamo();
  });
  after(async () => {
    await dynamo?.stop();
  });

  for (const topology of TOPOLOGIES) {
    describe(topology.name, () => {
      let t: TestApp;
      let logs: ReturnType<typeof logSink>;
      beforeEach(async () => {
        logs = logSink();
        t = await startTestApp({
          dynamo,
          trustedProxies: topology.trusted,
          rateLimit: LIMITS,
          logger: { level: "info", stream: logs.stream },
        });
      });
      afterEach(() => t.close());

      it("a new forged X-Forwarded-For on every request does not reset the client's count", async () => {
        for (let index = 0; index < LIMITS.perMinute; index++) {
          const response = await t.app.inject(
            topology.arrive("203.0.113.7", `198.51.100.${index + 1}`, { method: "GET", url: "/api/boyaki" }),
          );
          assert.equal(response.statusCode, 200, `request ${index + 1}`);
        }
        const over = await t.app.inject(topology.arrive("203.0.113.7", "192.0.2.200", { method: "GET", url: "/api/boyaki" }));
        assert.equal(over.statusCode, 429, "the same client, whatever it forged");
        const other = await t.app.inject(topology.arrive("203.0.113.99", undefined, { method: "GET", url: "/api/boyaki" }));
        assert.equal(other.statusCode, 200, "another client is still served");
      });

      it("the logged client address is the real one", async () => {
        await t.app.inject(topology.arrive("203.0.113.7", "192.0.2.66", { method: "GET", url: "/healthz" }));
        const incoming = logs.lines.find((line) => line.msg === "incoming request");
        assert.equal(incoming?.req?.remoteAddress, "203.0.113.7");
      });

      it("a forged X-Forwarded-Host is not this app's host: a form from that origin is refused", async () => {
        const { cookie, token } = await openSession(t.app);
        const forged = await t.app.inject(
          topology.arrive("203.0.113.7", undefined, {
            method: "POST",
            url: "/",
            headers: {
              host: "boyacky.example",
              "x-forwarded-host": "evil.example",
              origin: "https://evil.example",
              "content-type": "application/x-www-form-urlencoded",
            },
            cookies: { _csrf: cookie },
            payload: `_csrf=${encodeURIComponent(token)}&text=${encodeURIComponent("よそから")}`,
          }),
        );
        assert.equal(forged.statusCode, 403);
        assert.deepEqual(await t.storedItems(), []);
      });
    });
  }

  it("the protocol comes from a trusted proxy only: a forged X-Forwarded-Proto is ignored without one", async () => {
    const protocolOf = async (
      trusted: TrustedProxies,
      remoteAddress: string,
      headers: Record<string, string>,
      forwardedProtoHeader?: string,
    ) => {
      const t = await startTestApp({ dynamo, trustedProxies: trusted, forwardedProtoHeader });
      try {
        t.app.get("/probe-protocol", async (request) => ({ protocol: request.protocol }));
        return (await t.app.inject({ method: "GET", url: "/probe-protocol", remoteAddress, headers })).json().protocol;
      } finally {
        await t.close();
      }
    };
    const vpc: TrustedProxies = { kind: "cidrs", cidrs: [VPC] };
    assert.equal(await protocolOf(vpc, ALB_NODE, { "x-forwarded-proto": "https" }), "https", "the ALB's X-Forwarded-Proto is believed");
    assert.equal(
      await protocolOf(vpc, "203.0.113.7", { "x-forwarded-proto": "https" }),
      "http",
      "a client straight to the task is not a proxy",
    );
    assert.equal(await protocolOf({ kind: "none" }, "203.0.113.7", { "x-forwarded-proto": "https" }), "http");
    // Behind CloudFront the ALB's X-Forwarded-Proto is the CloudFront-to-ALB hop (http); the viewer's is CloudFront's header.
    const cloudfront = "cloudfront-forwarded-proto";
    assert.equal(await protocolOf(vpc, ALB_NODE, { "x-forwarded-proto": "http", [cloudfront]: "https" }, cloudfront), "https");
    assert.equal(
      await protocolOf(vpc, ALB_NODE, { "x-forwarded-proto": "https" }, cloudfront),
      "http",
      "without CloudFront's header nothing says https",
    );
    assert.equal(
      await protocolOf(vpc, "203.0.113.7", { [cloudfront]: "https" }, cloudfront),
      "http",
      "only a trusted proxy's header counts",
    );
  });

  it("behind CloudFront the CSRF cookie is Secure: the app sees the viewer's https", async () => {
    const t = await startTestApp({
      dynamo,
      trustedProxies: { kind: "cidrs", cidrs: [VPC] },
      forwardedProtoHeader: "cloudfront-forwarded-proto",
    });
    try {
      const page = await t.app.inject({
        method: "GET",
        url: "/",
        remoteAddress: ALB_NODE,
        headers: { "x-forwarded-proto": "http", "cloudfront-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7, 10.0.3.41" },
      });
      assert.match(String(page.headers["set-cookie"]), /; Secure/);
    } finally {
      await t.close();
    }
  });

  describe("the setting (BOYACKY_TRUSTED_PROXIES)", () => {
    it("refuses a malformed protocol header name", () => {
      assert.equal(loadConfig({}).forwardedProtoHeader, "x-forwarded-proto");
      assert.equal(
        loadConfig({ BOYACKY_FORWARDED_PROTO_HEADER: "CloudFront-Forwarded-Proto" }).forwardedProtoHeader,
        "cloudfront-forwarded-proto",
      );
      assert.throws(
        () => loadConfig({ BOYACKY_FORWARDED_PROTO_HEADER: "x proto" }),
        /BOYACKY_FORWARDED_PROTO_HEADER=x proto is not a header name/,
      );
    });

    it("reads none, a hop count or CIDRs", () => {
      assert.deepEqual(loadConfig({}).trustedProxies, { kind: "none" });
      assert.deepEqual(loadConfig({ BOYACKY_TRUSTED_PROXIES: "1" }).trustedProxies, { kind: "hops", hops: 1 });
      assert.deepEqual(loadConfig({ BOYACKY_TRUSTED_PROXIES: "10.0.0.0/16, fd00::/8" }).trustedProxies, {
        kind: "cidrs",
        cidrs: ["10.0.0.0/16", "fd00::/8"],
      });
    });

    it("refuses what it cannot read, saying what is allowed", () => {
      for (const [value, reason] of [
        ["0", /hop count is 1 to 5/],
        ["true", /true is not a CIDR/],
        ["10.0.0.0/33", /not a CIDR/],
        ["10.0.0.0", /not a CIDR/],
        ["*", /not a CIDR/],
      ] as const) {
        assert.throws(
          () => loadConfig({ BOYACKY_TRUSTED_PROXIES: value }),
          (error: Error) => {
            assert.ok(error instanceof ConfigError);
            assert.match(error.message, new RegExp(`^BOYACKY_TRUSTED_PROXIES=${value.replace(/[.*/]/g, "\\$&")} is not valid`));
            assert.match(error.message, reason);
            return true;
          },
        );
      }
      assert.ok("problem" in parseTrustedProxies("10.0.0.0/8/1"));
    });

    it("refuses the old BOYACKY_TRUST_PROXY, which trusted every hop, and says what replaces it", () => {
      assert.throws(
        () => loadConfig({ BOYACKY_TRUST_PROXY: "true" }),
        /BOYACKY_TRUST_PROXY is no longer read.*set BOYACKY_TRUSTED_PROXIES instead: 1 behind an ALB/,
      );
    });
  });
});
