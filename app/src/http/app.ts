import fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { GrumbleStore } from "../store/grumbleStore";
import { PUBLIC_DIR } from "../paths";
import { apiRoutes } from "./apiRoutes";
import { handleError, handleNotFound } from "./errors";
import { healthRoutes } from "./healthRoutes";
import { pageRoutes } from "./pageRoutes";

export interface HttpAppOptions {
  store: GrumbleStore;
  /** Zone in which times are shown. */
  timeZone: string;
  /** Grumbles per page when the client does not ask for a limit. */
  pageSize: number;
  /** Fastify logger option: pino settings, or false in tests. Default false. */
  logger?: FastifyServerOptions["logger"];
  /** Trust X-Forwarded-* from a proxy (the ALB) for client IP and protocol. Default false. */
  trustProxy?: boolean;
}

/** Builds the whole HTTP app (not listening yet): tests inject requests, server.ts listens. */
export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
    // A grumble is tiny: nothing legitimate comes close to this.
    bodyLimit: 16 * 1024,
    // The router's own refusals (a path parameter over 100 characters, a malformed %-escape)
    // would otherwise bypass the error handler, with another JSON shape and a 414 for a long id.
    frameworkErrors: handleError,
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  await app.register(fastifyCookie);
  await app.register(fastifyCsrf, {
    cookieOpts: { path: "/", httpOnly: true, sameSite: "strict", secure: "auto" },
  });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: "/static/", maxAge: "1h" });

  await app.register(healthRoutes, { store: options.store });
  await app.register(pageRoutes, { store: options.store, timeZone: options.timeZone, pageSize: options.pageSize });
  await app.register(apiRoutes, { prefix: "/api", store: options.store, pageSize: options.pageSize });
  return app;
}
