import type { FastifyInstance } from "fastify";
import { PROBLEM_MESSAGES_EN, validateGrumbleText } from "../domain/grumble";
import { MAX_PAGE_SIZE } from "../config";
import { parseGrumbleId, type GrumbleStore } from "../store/grumbleStore";

// Response schemas: fast-json-stringify writes exactly these fields, so nothing else a stored item
// might carry (e.g. DynamoDB attributes) can leak into an answer.
const grumbleSchema = {
  type: "object",
  required: ["id", "text", "postedAt"],
  properties: { id: { type: "string" }, text: { type: "string" }, postedAt: { type: "string" } },
  additionalProperties: false,
} as const;

const listSchema = {
  type: "object",
  required: ["day", "items", "nextCursor"],
  properties: {
    day: { type: "string" },
    items: { type: "array", items: grumbleSchema },
    nextCursor: { type: ["string", "null"] },
  },
  additionalProperties: false,
} as const;

export interface ApiRoutesOptions {
  store: GrumbleStore;
  pageSize: number;
}

/**
 * The JSON API, under /api. It accepts only application/json bodies: a cross-site page can send
 * a form or text/plain without a CORS preflight, but not JSON, and not DELETE.
 */
export async function apiRoutes(app: FastifyInstance, options: ApiRoutesOptions): Promise<void> {
  const { store, pageSize } = options;
  app.removeContentTypeParser("text/plain");

  app.get<{ Querystring: { limit?: number; cursor?: string } }>(
    "/boyaki",
    {
      schema: {
        querystring: {
          type: "object",
          properties: {
            limit: { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE },
            cursor: { type: "string", minLength: 1, maxLength: 512 },
          },
          additionalProperties: false,
        },
        response: { 200: listSchema },
      },
    },
    async (request) => {
      const page = await store.listToday(request.query.limit ?? pageSize, request.query.cursor);
      return { day: store.today(), items: page.items, nextCursor: page.nextCursor ?? null };
    },
  );

  app.post<{ Body: { text: string } }>(
    "/boyaki",
    {
      // Fastify's validator coerces types (123 → "123", ["a"] → "a"): refuse a non-string first.
      preValidation: async (request, reply) => {
        const body: unknown = request.body;
        if (typeof body === "object" && body !== null && "text" in body && typeof body.text !== "string") {
          return reply.status(400).send({ error: "invalid_request", message: "body/text must be a string" });
        }
      },
      schema: {
        body: {
          type: "object",
          required: ["text"],
          properties: { text: { type: "string", maxLength: 2_000 } },
          additionalProperties: false,
        },
        response: { 201: grumbleSchema },
      },
    },
    async (request, reply) => {
      const validation = validateGrumbleText(request.body.text);
      if (!validation.ok) {
        return reply
          .status(400)
          .send({ error: "invalid_text", problem: validation.problem, message: PROBLEM_MESSAGES_EN[validation.problem] });
      }
      const grumble = await store.add(validation.text);
      return reply.status(201).header("location", `/api/boyaki/${grumble.id}`).send(grumble);
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/boyaki/:id",
    { schema: { params: { type: "object", properties: { id: { type: "string", maxLength: 64 } } } } },
    async (request, reply) => {
      const { id } = request.params;
      if (!parseGrumbleId(id)) {
        return reply.status(400).send({ error: "invalid_id", message: "id is not a grumble id (as returned by POST /api/boyaki)" });
      }
      if (!(await store.purify(id))) {
        return reply.status(404).send({ error: "not_found", message: `no grumble with id ${id}` });
      }
      return reply.status(204).send();
    },
  );
}
