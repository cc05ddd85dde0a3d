import formBody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply } from "fastify";
import { validateGrumbleText } from "../domain/grumble";
import type { GrumbleStore } from "../store/grumbleStore";
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

/**
 * The HTML pages: the list, the post form and the purify buttons. Forms are accepted only here
 * (the form parser is registered in this plugin's scope) and always need a valid CSRF token.
 */
export async function pageRoutes(app: FastifyInstance, options: PageRoutesOptions): Promise<void> {
  const { store, timeZone, pageSize } = options;
  await app.register(formBody, { bodyLimit: 4_096 });

  async function sendHome(reply: FastifyReply, cursor: string | undefined, status: number, message?: string, draft?: string) {
    const page = await store.listToday(pageSize, cursor);
    const csrfToken = reply.generateCsrf();
    reply.header("cache-control", "no-store");
    return reply.status(status).type("text/html; charset=utf-8").send(renderHomePage({ ...page, csrfToken, timeZone, message, draft }));
  }

  app.get<{ Querystring: { cursor?: string } }>(
    "/",
    { schema: { querystring: { type: "object", properties: { cursor: { type: "string", maxLength: 512 } } } } },
    async (request, reply) => sendHome(reply, request.query.cursor, 200),
  );

  app.post<{ Body: PostBody }>(
    "/",
    { preHandler: app.csrfProtection, schema: { body: { type: "object", properties: { text: formField } } } },
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
    { preHandler: app.csrfProtection, schema: { body: { type: "object", properties: { id: formField } } } },
    async (request, reply) => {
      // An unknown or already purified id is not an error: the grumble is gone either way.
      await store.purify(request.body?.id ?? "");
      return reply.redirect("/", 303);
    },
  );
}
