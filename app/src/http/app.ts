import { randomBytes } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import fastifyHelmet from "@fastify/helmet";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { DEFAULT_RATE_LIMIT, DEFAULT_REQUEST_TIMEOUT_MS, type RateLimitSettings } from "../config";
import type { GrumbleStore } from "../store/grumbleStore";
import { PUBLIC_DIR } from "../paths";
import { apiRoutes } from "./apiRoutes";
import { installCsrf } from "./csrf";
import { fastifyTrustProxy, forwardedHeaderFilter, TRUST_NO_PROXY, type TrustedProxies } from "./clientIdentity";
import { AppRefusal, handleError, handleNotFound, INVALID_ENCODING, RATE_LIMITED } from "./errors";
import { healthRoutes } from "./healthRoutes";
import { pageRoutes } from "./pageRoutes";
import { helmetHeaders, parserRefusals, refuseContentCoding, timeoutOptions } from "./protocol";

export interface HttpAppOptions {
  store: GrumbleStore;
  /** Zone in which times are shown. */
  timeZone: string;
  /** Grumbles per page when the client does not ask for a limit. */
  pageSize: number;
  /** Fastify logger option: pino settings, or false in tests. Default false. */
  logger?: FastifyServerOptions["logger"];
  /** The proxies whose X-Forwarded-For/-Proto are believed (see clientIdentity.ts). Default none. */
  trustedProxies?: TrustedProxies;
  /** The header a trusted proxy puts the viewer's protocol in. Default X-Forwarded-Proto. */
  forwardedProtoHeader?: string;
  /** Per-client-IP limits (0 turns one off). Default `DEFAULT_RATE_LIMIT`, as in config.ts. */
  rateLimit?: RateLimitSettings;
  /** How long a request (headers and body) may take to arrive. Default `DEFAULT_REQUEST_TIMEOUT_MS`. */
  requestTimeoutMs?: number;
  /** Signs the CSRF cookie; every task behind one load balancer needs the same. Default: random, for this app only. */
  cookieSecret?: string;
}

const MINUTE_MS = 60_000;
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * The Content-Security-Policy, complete (no helmet defaults merged in). The page has no inline
 * script or style and loads nothing from elsewhere (views.ts, public/), so nothing needs
 * 'unsafe-inline'. No upgrade-insecure-requests: the app is also served over plain HTTP (locally).
 */
export const CONTENT_SECURITY_POLICY: Record<string, string[]> = {
  "default-src": ["'self'"],
  "script-src": ["'self'"],
  "style-src": ["'self'"],
  "img-src": ["'self'", "data:"],
  "object-src": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
};

// Helmet's other defaults stay (nosniff, Referrer-Policy no-referrer, HSTS, COOP/CORP same-origin, ...).
const HELMET_OPTIONS = {
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  frameguard: { action: "deny" },
  referrerPolicy: { policy: "no-referrer" },
} as const;
// The same headers, for answers that no Fastify hook sees (router and HTTP parser refusals).
const SECURITY_HEADERS = helmetHeaders(HELMET_OPTIONS);

function rateLimited(retryAfterSeconds: number): AppRefusal {
  return new AppRefusal(RATE_LIMITED, 429, `rate limit exceeded, retry in ${retryAfterSeconds} s`);
}

/** Builds the whole HTTP app (not listening yet): tests inject requests, server.ts listens. */
export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const refusals = parserRefusals(SECURITY_HEADERS);
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: fastifyTrustProxy(options.trustedProxies ?? TRUST_NO_PROXY),
    // A grumble is tiny: nothing legitimate comes close to this.
    bodyLimit: 16 * 1024,
    // The router's own refusals (a path parameter over 100 characters, a malformed %-escape)
    // would otherwise bypass the error handler, with another JSON shape and a 414 for a long id;
    // they come before helmet's hook, so they get its headers here.
    frameworkErrors: (error, request, reply) => handleError(error, request, reply.headers(SECURITY_HEADERS)),
    clientErrorHandler: refusals.clientErrorHandler,
    ...timeoutOptions(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
  });
  app.server.on("request", refusals.remember);
  app.setErrorHandler(handleError);
  app.addHook("onRequest", forwardedHeaderFilter(options.trustedProxies ?? TRUST_NO_PROXY, options.forwardedProtoHeader));

  // JSON must be UTF-8 (RFC 8259): refuse invalid bytes instead of storing U+FFFD in their place.
  // Fastify's own parser (with its __proto__/constructor poisoning checks) does the rest.
  const parseJson = app.getDefaultJsonParser("error", "error");
  const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body: Buffer, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body);
    } catch {
      done(new AppRefusal(INVALID_ENCODING, 400, "request body is not valid UTF-8"), undefined);
      return;
    }
    parseJson(request, text, done);
  });

  // Security headers on every answer, errors included: see CONTENT_SECURITY_POLICY.
  await app.register(fastifyHelmet, HELMET_OPTIONS);

  // Rate limits per client IP (request.ip: the nearest address no trusted proxy added). Registered
  // before the routes, whose onRoute hook it uses; checked onRequest, before any body is read.
  const limits = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  if (limits.perMinute > 0 || limits.writesPerMinute > 0) {
    await app.register(fastifyRateLimit, {
      global: limits.perMinute > 0,
      max: limits.perMinute,
      timeWindow: MINUTE_MS,
      errorResponseBuilder: (_request, context) => rateLimited(Math.ceil(context.ttl / 1000)),
    });
    if (limits.writesPerMinute > 0) {
      // One counter for all writes of a client (forms and API together), on top of the global one.
      const checkWrite = app.createRateLimit({ max: limits.writesPerMinute, timeWindow: MINUTE_MS });
      app.addHook("onRequest", async (request, reply) => {
        if (!WRITE_METHODS.has(request.method)) return;
        const limit = await checkWrite(request);
        if (!limit.isAllowed && limit.isExceeded) {
          reply.header("retry-after", String(limit.ttlInSeconds));
          throw rateLimited(limit.ttlInSeconds);
        }
      });
    }
  }
  if (limits.perMinute > 0) {
    // Unknown URLs count too (the plugin only hooks declared routes), checked onRequest like the
    // rest: a not-found handler only takes preValidation/preHandler hooks, which run after the
    // body has been parsed.
    const checkNotFound = app.rateLimit();
    app.addHook("onRequest", async (request, reply) => {
      if (request.is404) await checkNotFound.call(app, request, reply);
    });
  }
  app.setNotFoundHandler(handleNotFound);
  app.addHook("onRequest", refuseContentCoding);

  await app.register(fastifyCookie, { secret: options.cookieSecret ?? randomBytes(32).toString("base64url") });
  installCsrf(app);
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: "/static/", maxAge: "1h" });

  await app.register(healthRoutes, { store: options.store });
  await app.register(pageRoutes, { store: options.store, timeZone: options.timeZone, pageSize: options.pageSize });
  await app.register(apiRoutes, { prefix: "/api", store: options.store, pageSize: options.pageSize });
  return app;
}
