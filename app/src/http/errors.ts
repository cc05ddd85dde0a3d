import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { InvalidCursorError, StoreUnavailableError } from "../store/grumbleStore";
import { renderErrorPage } from "./views";

/** One failure as both audiences see it: a code and English text for the API, Japanese for pages. */
export interface Problem {
  status: number;
  code: string;
  message: string;
  messageJa: string;
}

const STORE_UNAVAILABLE: Omit<Problem, "status"> = {
  code: "store_unavailable",
  message: "the grumble store (DynamoDB) is unavailable; try again shortly",
  messageJa: "ただいまボヤキを保存・表示できません。しばらくしてからもう一度お試しください。",
};

/**
 * Codes of the app's own refusals, thrown as `AppRefusal`s. @fastify/rate-limit v11's default
 * error carries no code at all (only statusCode 429 and "Rate limit exceeded, retry in 1 minute"),
 * so app.ts builds its errors with RATE_LIMITED instead.
 */
export const RATE_LIMITED = "BOYACKY_RATE_LIMITED";
export const CROSS_SITE_FORM = "BOYACKY_CROSS_SITE_FORM";
export const INVALID_ENCODING = "BOYACKY_INVALID_ENCODING";
export const UNSUPPORTED_CONTENT_ENCODING = "BOYACKY_UNSUPPORTED_CONTENT_ENCODING";
export const CSRF_INVALID_TOKEN = "BOYACKY_CSRF_INVALID_TOKEN";
export const CSRF_MISSING_SECRET = "BOYACKY_CSRF_MISSING_SECRET";

/** An error with a `code` (and status) that `problemFor` knows, shaped like Fastify's own errors. */
export class AppRefusal extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = "AppRefusal";
  }
}

const INVALID_REQUEST_JA = "リクエストの内容が正しくありません。";

// Fastify's own error codes (and the app's) that deserve a specific answer rather than the generic one.
const KNOWN: Record<string, Omit<Problem, "status"> & { status?: number }> = {
  [CSRF_INVALID_TOKEN]: {
    status: 403,
    code: "csrf_invalid",
    message: "missing, invalid or expired CSRF token",
    messageJa: "フォームの有効期限が切れました。ページを読み込み直してからもう一度お試しください。",
  },
  [CSRF_MISSING_SECRET]: {
    status: 403,
    code: "csrf_invalid",
    message: "missing CSRF cookie",
    messageJa: "フォームの有効期限が切れました。ページを読み込み直してからもう一度お試しください。",
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: "body_too_large", message: "request body is too large", messageJa: "送信された内容が大きすぎます。" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: "unsupported_media_type",
    message: "unsupported Content-Type; send application/json",
    messageJa: "この形式の送信には対応していません。",
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: "invalid_json",
    message: "request body is not valid JSON",
    messageJa: "送信された内容を読み取れません。",
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: "invalid_json", message: "request body is empty", messageJa: "送信された内容が空です。" },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 400,
    code: "invalid_request",
    message: "a path parameter is too long",
    messageJa: INVALID_REQUEST_JA,
  },
  FST_ERR_BAD_URL: { status: 400, code: "invalid_request", message: "the URL is not validly encoded", messageJa: INVALID_REQUEST_JA },
  [RATE_LIMITED]: {
    status: 429,
    code: "rate_limited",
    message: "too many requests; slow down and retry later",
    messageJa: "リクエストが多すぎます。少し時間をおいてからお試しください。",
  },
  [CROSS_SITE_FORM]: {
    status: 403,
    code: "cross_site",
    message: "forms are accepted only from this site",
    messageJa: "ほかのサイトからの送信は受け付けていません。このページから送信してください。",
  },
  [INVALID_ENCODING]: {
    status: 400,
    code: "invalid_encoding",
    message: "request body is not valid UTF-8",
    messageJa: "送信された内容の文字コードが正しくありません（UTF-8 で送信してください）。",
  },
  [UNSUPPORTED_CONTENT_ENCODING]: {
    status: 415,
    code: "unsupported_content_encoding",
    message: "compressed request bodies are not supported; send it without Content-Encoding",
    messageJa: "圧縮された送信には対応していません。圧縮せずに送信してください。",
  },
};

/** Maps any error thrown in a route to the problem it means for the client. */
export function problemFor(error: FastifyError | Error): Problem {
  if (error instanceof StoreUnavailableError) return { status: 503, ...STORE_UNAVAILABLE };
  if (error instanceof InvalidCursorError) {
    return {
      status: 400,
      code: "invalid_cursor",
      message: error.message,
      messageJa: "ページの続きが見つかりません。最初のページからご覧ください。",
    };
  }
  const fastifyError = error as FastifyError;
  const known = fastifyError.code ? KNOWN[fastifyError.code] : undefined;
  const status = known?.status ?? fastifyError.statusCode ?? 500;
  if (known) return { ...known, status };
  if (fastifyError.validation) {
    return { status: 400, code: "invalid_request", message: error.message, messageJa: INVALID_REQUEST_JA };
  }
  if (status >= 400 && status < 500) {
    return { status, code: "bad_request", message: error.message, messageJa: INVALID_REQUEST_JA };
  }
  // Never echo an unexpected error's message or stack: it is logged, the client gets a generic answer.
  return {
    status: 500,
    code: "internal_error",
    message: "internal error",
    messageJa: "エラーが発生しました。しばらくしてからもう一度お試しください。",
  };
}

const MACHINE_PATHS = /^\/(api\/|healthz|readyz)/;

/** A problem's answer for a request to `url`: JSON for API and probe requests, an HTML page otherwise. */
export function problemBody(url: string, problem: Problem): { type: string; body: string } {
  if (MACHINE_PATHS.test(url))
    return { type: "application/json; charset=utf-8", body: JSON.stringify({ error: problem.code, message: problem.message }) };
  return { type: "text/html; charset=utf-8", body: renderErrorPage(problem.messageJa) };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  reply.status(problem.status);
  if (problem.status === 503) reply.header("retry-after", "5");
  // (A 429 keeps the Retry-After that the rate limiter has set.)
  const { type, body } = problemBody(request.url, problem);
  return reply.type(type).send(body);
}

// Node's HTTP parser refuses some requests before Fastify sees them (see protocol.ts); by its
// error codes. Anything else it refuses is not valid HTTP: a 400, as Node itself answers.
const PARSER_REFUSALS: Record<string, Problem> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: "request_timeout",
    message: "the request took too long to arrive; send it again",
    messageJa: "リクエストの受信に時間がかかりすぎました。もう一度お試しください。",
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: "headers_too_large",
    message: "the request headers are too large",
    messageJa: "リクエストのヘッダーが大きすぎます。",
  },
};
const NOT_HTTP: Problem = { status: 400, code: "bad_request", message: "the request is not valid HTTP", messageJa: INVALID_REQUEST_JA };

/** What a refusal by Node's HTTP parser (a `clientError`) means for the client. */
export function parserProblem(error: { code?: string }): Problem {
  return (error.code && PARSER_REFUSALS[error.code]) || NOT_HTTP;
}

export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = problemFor(error);
  if (problem.status >= 500) request.log.error({ err: error }, "request failed");
  else request.log.info({ code: problem.code }, "request refused");
  return sendProblem(request, reply, problem);
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(request, reply, {
    status: 404,
    code: "not_found",
    message: `no route for ${request.method} ${request.url.split("?")[0]}`,
    messageJa: "ページが見つかりません。",
  });
}
