import Tokens from "@fastify/csrf";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppRefusal, CSRF_INVALID_TOKEN, CSRF_MISSING_SECRET } from "./errors";

/**
 * CSRF tokens for the forms (synchronizer token with a secret in a cookie), from @fastify/csrf's
 * token library and @fastify/cookie's signing. Not @fastify/csrf-protection: its cookie name is
 * fixed at registration, and the cookie must be named by the request's protocol (below).
 *
 * - The secret cookie is signed with the app's cookie secret, so a client that can plant a cookie
 *   (a sibling host, a network on plain HTTP) cannot choose a secret and mint tokens offline.
 * - Over HTTPS it is `__Host-csrf`: browsers only accept that name with Secure, Path=/ and no
 *   Domain, from a secure origin, so no other host can plant or overwrite it. Over plain HTTP
 *   (local runs, a stack without a certificate) that name would be refused, so it is `_csrf`,
 *   which is never read over HTTPS.
 * - A token is valid for CSRF_TOKEN_VALIDITY_MS after its page was served.
 */

/** How long a form's token is accepted: a page left open for a morning still posts. */
export const CSRF_TOKEN_VALIDITY_MS = 2 * 60 * 60 * 1000;

/** The form field that carries the token. */
export const CSRF_FIELD = "_csrf";

declare module "fastify" {
  interface FastifyReply {
    /** The token for this page's forms; sets the secret cookie when the request has no valid one. */
    generateCsrf(): string;
  }
  interface FastifyInstance {
    /** preHandler: refuses a form whose token does not match the secret cookie, or has expired. */
    csrfProtection(request: FastifyRequest): Promise<void>;
  }
}

function cookieName(request: FastifyRequest): string {
  return request.protocol === "https" ? "__Host-csrf" : "_csrf";
}

/** Adds `reply.generateCsrf()` and `app.csrfProtection`; needs @fastify/cookie with a secret. */
export function installCsrf(app: FastifyInstance): void {
  const tokens = new Tokens({ validity: CSRF_TOKEN_VALIDITY_MS });

  // The secret from this protocol's cookie, when the app signed it.
  function secretOf(request: FastifyRequest): string | undefined {
    const signed = request.cookies[cookieName(request)];
    if (signed === undefined) return undefined;
    const { valid, value } = request.unsignCookie(signed);
    return valid && value ? value : undefined;
  }

  app.decorateReply("generateCsrf", function generateCsrf(this: FastifyReply): string {
    let secret = secretOf(this.request);
    if (secret === undefined) {
      secret = tokens.secretSync();
      const secure = this.request.protocol === "https";
      this.setCookie(cookieName(this.request), secret, { path: "/", httpOnly: true, sameSite: "strict", secure, signed: true });
    }
    return tokens.create(secret);
  });

  app.decorate("csrfProtection", async function csrfProtection(request: FastifyRequest): Promise<void> {
    const secret = secretOf(request);
    if (secret === undefined) throw new AppRefusal(CSRF_MISSING_SECRET, 403, "missing or unsigned CSRF cookie");
    const token = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    if (typeof token !== "string" || !tokens.verify(secret, token))
      throw new AppRefusal(CSRF_INVALID_TOKEN, 403, "invalid or expired CSRF token");
  });
}
