import type { FastifyReply, FastifyRequest } from "fastify";
import { AppRefusal, UNSUPPORTED_CONTENT_ENCODING } from "./errors";

// No Content-Encoding, or only `identity` (which means none), in any case.
const IDENTITY = /^\s*(identity\s*)?$/i;

/**
 * An onRequest hook: the app decodes no content coding, so a body labelled gzip, br or deflate
 * would be read as if it were plain. RFC 9110 (15.5.16) says 415, naming what is accepted in
 * Accept-Encoding.
 */
export async function refuseContentCoding(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const coding = request.headers["content-encoding"];
  if (coding === undefined || IDENTITY.test(coding)) return;
  reply.header("accept-encoding", "identity");
  throw new AppRefusal(UNSUPPORTED_CONTENT_ENCODING, 415, `unsupported Content-Encoding: ${coding}`);
}
