import formBody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { validateGrumbleText } from "../domain/grumble";
import type { GrumbleStore } from "../store/grumbleStore";
import { AppRefusal, CROSS_SITE_FORM, INVALID_ENCODING } from "./errors";
import { renderHomePage } from "./views";

export interface PageRoutesOptions {
  store: GrumbleStore;
  timeZone: string;
  pageSize: number;
}

interface PostBody {
  text?: string;
}

interface PurifyBody {
  id?: string;
}

const formField = { type: "string", maxLength: 2_000 } as const;

// What a browser says about where a form post comes from (the header cannot be set by a page).
// Absent in old browsers and non-browser clients: the CSRF token still protects those.
const ACCEPTED_FETCH_SITES = new Set(["same-origin", "none"]);

/**
 * Refuses a form posted by another site before the CSRF check: the token already stops it, this
 * just says so plainly and early. Sec-Fetch-Site `cross-site` or `same-site`, or an Origin whose
 * host is not this one, is a 403.
 */
async function refuseCrossSite(request: FastifyRequest): Promise<void> {
  const site = request.headers["sec-fetch-site"];
  if (site !== undefined && !ACCEPTED_FETCH_SITES.has(String(site))) {
    throw new AppRefusal(CROSS_SITE_FORM, 403, `form posted from another site (Sec-Fetch-Site: ${String(site)})`);
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== "null" && !isThisHost(origin, request.host)) {
    throw new AppRefusal(CROSS_SITE_FORM, 403, "form posted from another origin");
  }
}

/** Whether an Origin names this Host (the scheme's default port written or not). */
function isThisHost(origin: string, host: string): boolean {
  try {
    const from = new URL(origin);
    return from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

/**
 * Parses a urlencoded form with the WHATWG parser browsers encode for (URLSearchParams), but
 * refuses bytes that are not UTF-8 instead of replacing them with U+FFFD: a browser %-encodes
 * everything but ASCII, so a raw U+FFFD in the body can only come from invalid bytes, and
 * decodeURIComponent throws on a %-escape that is malformed or not UTF-8.
 */
export function parseForm(body: string): Record<string, string | string[]> {
  if (body.includes("\uFFFD") || !decodesAsUtf8(body)) {
    throw new AppRefusal(INVALID_ENCODING, 400, "form body is not valid UTF-8");
  }
  const fields: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(body)) {
    const previous = fields[name];
    fields[name] = previous === undefined ? value : [previous, value].flat();
  }
  return fields;
}

function decodesAsUtf8(body: string): boolean {
  try {
    decodeURIComponent(body);
    return true;
  } catch {
    return false;
  }
}

/**
 * The HTML pages: the list, the post form and the purify buttons. Forms are accepted only here
 * (the form parser is registered in this plugin's scope, and only it), must not come from another
 * site, and always need a valid CSRF token (checked in preHandler: the token is in the body).
 */
export async function pageRoutes(app: FastifyInstance, options: PageRoutesOptions): Promise<void> {
  const { store, timeZone, pageSize } = options;
  // Forms only: a JSON or text/plain body to a form route is a 415, like a form to the API.
  app.removeAllContentTypeParsers();
  await app.register(formBody, { bodyLimit: 4_096, parser: parseForm });

  async function sendHome(reply: FastifyReply, cursor: string | undefined, status: number, message?: string, draft?: string) {
    const page = await store.listToday(pageSize, cursor);
    const csrfToken = reply.generateCsrf();
    reply.header("cache-control", "no-store");
    return reply
      .status(status)
      .type("text/html; charset=utf-8")
      .send(renderHomePage({ ...page, csrfToken, timeZone, message, draft }));
  }

  app.get<{ Querystring: { cursor?: string } }>(
    "/",
    { schema: { querystring: { type: "object", properties: { cursor: { type: "string", maxLength: 512 } } } } },
    async (request, reply) => sendHome(reply, request.query.cursor, 200),
  );

  app.post<{ Body: PostBody }>(
    "/",
    { preHandler: [refuseCrossSite, app.csrfProtection], schema: { body: { type: "object", properties: { text: formField } } } },
    async (request, reply) => {
      const draft = request.body?.text ?? "";
      const validation = validateGrumbleText(draft);
      if (!validation.ok) return sendHome(reply, undefined, 400, validation.message, draft);
      await store.add(validation.text);
      return reply.redirect("/", 303);
    },
  );

  app.post<{ Body: PurifyBody }>(
    "/purify",
    { preHandler: [refuseCrossSite, app.csrfProtection], schema: { body: { type: "object", properties: { id: formField } } } },
    async (request, reply) => {
      // An unknown or already purified id is not an error: the grumble is gone either way.
      await store.purify(request.body?.id ?? "");
      return reply.redirect("/", 303);
    },
  );
}
