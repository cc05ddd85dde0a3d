import { BlockList, isIP } from "node:net";
import type { FastifyRequest, FastifyServerOptions } from "fastify";

/**
 * Which proxies in front of the app may say who the client is (X-Forwarded-For) and how it
 * connected (X-Forwarded-Proto). Never "everyone": the left-most X-Forwarded-For entry is
 * written by the client itself.
 * - `none`: no proxy; the socket's peer is the client (local runs, tests).
 * - `hops`: that many proxies, each appending the address it saw (an ALB: 1).
 * - `cidrs`: every proxy is inside these ranges (the VPC's): the client is the nearest address
 *   outside them, whatever the number of hops (ALB alone, or CloudFront's VPC origin then the ALB).
 */
export type TrustedProxies = { kind: "none" } | { kind: "hops"; hops: number } | { kind: "cidrs"; cidrs: string[] };

export const TRUST_NO_PROXY: TrustedProxies = { kind: "none" };
export const MAX_PROXY_HOPS = 5;

/**
 * Reads the setting: `none` (or empty), a hop count, or comma-separated CIDRs. Returns a message
 * saying what is allowed when the text is none of these.
 */
export function parseTrustedProxies(text: string): TrustedProxies | { problem: string } {
  const value = text.trim();
  if (value === "" || value === "none") return TRUST_NO_PROXY;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops >= 1 && hops <= MAX_PROXY_HOPS ? { kind: "hops", hops } : { problem: `a hop count is 1 to ${MAX_PROXY_HOPS}` };
  }
  const cidrs = value.split(",").map((entry) => entry.trim());
  for (const cidr of cidrs) {
    const [address, prefix, ...rest] = cidr.split("/");
    const family = isIP(address ?? "");
    const bits = Number(prefix);
    if (rest.length || !family || !/^\d+$/.test(prefix ?? "") || bits > (family === 4 ? 32 : 128))
      return { problem: `${cidr} is not a CIDR range (e.g. 10.0.0.0/16)` };
  }
  return { kind: "cidrs", cidrs };
}

/** Fastify's `trustProxy` option for the setting (proxy-addr semantics: the nearest untrusted address is the client). */
export function fastifyTrustProxy(trusted: TrustedProxies): FastifyServerOptions["trustProxy"] {
  switch (trusted.kind) {
    case "none":
      return false;
    case "hops":
      // Hop 0 is the socket's peer (the nearest proxy), hop 1 the address it appended last, and so on.
      return (_address: string, hop: number) => hop < trusted.hops;
    case "cidrs": {
      const ranges = new BlockList();
      for (const cidr of trusted.cidrs) {
        const [address, prefix] = cidr.split("/");
        ranges.addSubnet(address, Number(prefix), isIP(address) === 4 ? "ipv4" : "ipv6");
      }
      return (address: string) => {
        // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
        const ipv4 = address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
        return ranges.check(ipv4, isIP(ipv4) === 6 ? "ipv6" : "ipv4");
      };
    }
  }
}

/** The header that carries the viewer's protocol by default: the ALB sets it. */
export const DEFAULT_PROTO_HEADER = "x-forwarded-proto";

/**
 * An onRequest hook that leaves only forwarded headers a trusted proxy set:
 * - X-Forwarded-Host is always dropped: no proxy in front of Boyacky sets it (the ALB and
 *   CloudFront pass the Host header itself), so any value is the client's own.
 * - With `protoHeader` other than X-Forwarded-Proto (behind CloudFront the ALB's says `http`, the
 *   hop from CloudFront; CloudFront-Forwarded-Proto holds the viewer's), X-Forwarded-Proto is
 *   replaced by it when the socket's peer is a trusted proxy, and dropped otherwise.
 * Fastify reads both lazily (`request.host`, `request.protocol`), so the hook runs before anyone asks.
 */
export function forwardedHeaderFilter(trusted: TrustedProxies, protoHeader: string = DEFAULT_PROTO_HEADER) {
  const trust = fastifyTrustProxy(trusted);
  const fromProxy = (address: string | undefined) =>
    address !== undefined && (typeof trust === "function" ? trust(address, 0) : trust === true);
  return async function filterForwardedHeaders(request: FastifyRequest): Promise<void> {
    delete request.headers["x-forwarded-host"];
    if (protoHeader === DEFAULT_PROTO_HEADER) return;
    const viewerProto = request.headers[protoHeader];
    delete request.headers[DEFAULT_PROTO_HEADER];
    if (typeof viewerProto === "string" && fromProxy(request.socket.remoteAddress)) request.headers[DEFAULT_PROTO_HEADER] = viewerProto;
  };
}
