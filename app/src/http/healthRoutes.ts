import type { FastifyInstance } from "fastify";
import { HEALTH_PATH } from "../contract";
import type { GrumbleStore } from "../store/grumbleStore";

/**
 * /healthz is the ALB's health check: liveness only, no DynamoDB call, so a DynamoDB hiccup never
 * makes the ALB drain every task. /readyz checks that the table is reachable.
 */
export async function healthRoutes(app: FastifyInstance, options: { store: GrumbleStore }): Promise<void> {
  // Exempt from the rate limit: the ALB polls it from a few addresses, and a throttled health
  // check would take healthy tasks out of service.
  app.get(HEALTH_PATH, { config: { rateLimit: false } }, async (_request, reply) => {
    reply.header("cache-control", "no-store");
    return { status: "ok" };
  });

  app.get("/readyz", async (_request, reply) => {
    reply.header("cache-control", "no-store");
    await options.store.ping();
    return { status: "ready" };
  });
}
