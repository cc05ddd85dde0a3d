/**
 * Reading Boyacky's HTML and posting its forms through `app.inject`, as a browser would: fetch
 * the page, keep the `_csrf` cookie, send the hidden `_csrf` field back with the form.
 */
import type { FastifyInstance, LightMyRequestResponse } from "fastify";

/** What a browser keeps from GET /: the CSRF cookie and the token in the page's forms. */
export interface FormSession {
  /** Name of the CSRF cookie: `_csrf` over HTTP, `__Host-csrf` over HTTPS. Default `_csrf`. */
  cookieName?: string;
  /** Value of the CSRF cookie (the secret, signed). */
  cookie: string;
  /** Value of the hidden `_csrf` field (the token). */
  token: string;
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };

export function unescapeHtml(html: string): string {
  return html.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]);
}

function allMatches(html: string, pattern: RegExp): string[] {
  return [...html.matchAll(pattern)].map((match) => unescapeHtml(match[1]));
}

/** The grumbles' texts in the table, top to bottom. */
export function rowTexts(html: string): string[] {
  return allMatches(html, /<td class="text">([\s\S]*?)<\/td>/g);
}

/** The grumbles' times as shown (HH:MM:SS), top to bottom. */
export function rowTimes(html: string): string[] {
  return allMatches(html, /<td class="time"><time [^>]*>([^<]*)<\/time><\/td>/g);
}

/** The ids in the purify forms, top to bottom. */
export function rowIds(html: string): string[] {
  return allMatches(html, /<input type="hidden" name="id" value="([^"]*)">/g);
}

/** The error message shown on the page (`role="alert"`), if any. */
export function alertMessage(html: string): string | undefined {
  return allMatches(html, /<p class="message error" role="alert">([\s\S]*?)<\/p>/g)[0];
}

/** The value the post form's text field is pre-filled with. */
export function draftValue(html: string): string | undefined {
  return allMatches(html, /<input type="text" name="text"[^>]*? value="([^"]*)">/g)[0];
}

/** The CSRF token of the page's first form. */
export function csrfField(html: string): string {
  const token = allMatches(html, /<input type="hidden" name="_csrf" value="([^"]*)">/g)[0];
  if (!token) throw new Error("the page has no _csrf hidden field");
  return token;
}

const CSRF_COOKIES = ["_csrf", "__Host-csrf"];

/** GET / (with `headers`, e.g. as over HTTPS behind a proxy) and keep what a browser would need to post its forms. */
export async function openSession(
  app: FastifyInstance,
  headers: Record<string, string> = {},
): Promise<Required<FormSession> & { html: string }> {
  const response = await app.inject({ method: "GET", url: "/", headers });
  if (response.statusCode !== 200) throw new Error(`GET / answered ${response.statusCode}: ${response.body}`);
  const cookie = response.cookies.find((candidate) => CSRF_COOKIES.includes(candidate.name));
  if (!cookie) throw new Error("GET / did not set a CSRF cookie");
  return { cookieName: cookie.name, cookie: cookie.value, token: csrfField(response.body), html: response.body };
}

/**
 * Posts an urlencoded form. `session` adds its cookie and, unless `fields` sets `_csrf` itself,
 * its token; without a session the request carries neither.
 */
export function postForm(
  app: FastifyInstance,
  url: string,
  fields: Record<string, string>,
  session?: Partial<FormSession>,
): Promise<LightMyRequestResponse> {
  const body = new URLSearchParams({ ...(session?.token ? { _csrf: session.token } : {}), ...fields });
  return app.inject({
    method: "POST",
    url,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    cookies: session?.cookie ? { [session.cookieName ?? "_csrf"]: session.cookie } : {},
    payload: body.toString(),
  });
}

/** GET / and return the HTML, failing on anything but 200. */
export async function homePage(app: FastifyInstance): Promise<string> {
  const response = await app.inject({ method: "GET", url: "/" });
  if (response.statusCode !== 200) throw new Error(`GET / answered ${response.statusCode}: ${response.body}`);
  return response.body;
}
