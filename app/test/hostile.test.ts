/**
 * Hostile input, one table: each row is a request (or a short burst) an attacker or a broken
 * client could send, through the real app on dynalite. For every row: the answer is the expected
 * status (a clear 4xx, or 2xx/3xx for input that is valid however odd), with the expected error
 * code or Japanese message; the table holds exactly the expected texts afterwards (nothing invalid
 * stored); what is stored is rendered escaped on the page; and GET /healthz still answers 200.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import Tokens from "@fastify/csrf";
import escapeHtml from "escape-html";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { PROBLEM_MESSAGES_EN, PROBLEM_MESSAGES_JA, type GrumbleProblem } from "../src/domain/grumble";
import { TRUST_NO_PROXY, type TrustedProxies } from "../src/http/clientIdentity";
import { CSRF_TOKEN_VALIDITY_MS } from "../src/http/csrf";
import { sendRaw, type RawAnswer } from "../harness/rawHttp";
import { alertMessage, type FormSession, homePage, openSession, rowTexts } from "../harness/pages";
import { startTestApp, startTestDynamo, type TestApp, type TestAppOptions, type TestDynamo } from "../harness/testApp";
import { TestClock, withClockAhead } from "../harness/testClock";

const JA = {
  csrf: "フォームの有効期限が切れました。ページを読み込み直してからもう一度お試しください。",
  crossSite: "ほかのサイトからの送信は受け付けていません。このページから送信してください。",
  encoding: "送信された内容の文字コードが正しくありません（UTF-8 で送信してください）。",
  tooLarge: "送信された内容が大きすぎます。",
  mediaType: "この形式の送信には対応していません。",
  contentEncoding: "圧縮された送信には対応していません。圧縮せずに送信してください。",
  rateLimited: "リクエストが多すぎます。少し時間をおいてからお試しください。",
  badCursor: "ページの続きが見つかりません。最初のページからご覧ください。",
  badRequest: "リクエストの内容が正しくありません。",
  headersTooLarge: "リクエストのヘッダーが大きすぎます。",
  requestTimeout: "リクエストの受信に時間がかかりすぎました。もう一度お試しください。",
};
const SEEDED = "無事"; // stored before the rows that purify or page, so that losing it shows
const ROW_TIME = "2026-11-22T12:00:00+09:00"; // each row's app starts at this time
const DAY_MS = 86_400_000;
const UNKNOWN_ID = "2026-11-22_1795316400000-0123456789";
const FAMILY = "👨‍👩‍👧‍👦";
const SCRIPT = "<script>x()</script>"; // 20 characters: storable
const ATTRIBUTE = `'"><svg onload=x()>`; // breaks out of a quoted attribute, 19 characters
const ONE_MB = 1024 * 1024;
const FLAG_ENGLAND = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}";
/** ASCII spelled in tag characters (U+E0020–U+E007E): invisible on the page. */
const TAGGED = (text: string) => [...text].map((character) => String.fromCodePoint(0xe0000 + character.codePointAt(0)!)).join("");

/** What a row's request gets to work with: the app, and a page session for the form rows. */
interface Context {
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Raw bytes to the listening app (rows with `app: { listen: true }`), answered by the server. */
  raw(bytes: string): Promise<RawAnswer>;
  /** GET / (from 127.0.0.1, which the floods do not use) and keep its cookie and token. */
  session(): Promise<FormSession>;
  /** The id of SEEDED, in rows that seed it. */
  seededId?: string;
}

/** An answer from `app.inject` or from raw bytes over TCP. */
type Answer = LightMyRequestResponse | RawAnswer;

interface HostileCase {
  name: string;
  /** Settings of this row's app (rate limits, trusted proxies); default the test app's. */
  app?: TestAppOptions;
  /** Store SEEDED first: today, or yesterday (which the page no longer shows). */
  seed?: true | "yesterday";
  /** Sends the hostile request(s); returns the answer to check. */
  send(context: Context): Promise<Answer>;
  status: number;
  /** For API answers: the `error` code. */
  error?: string;
  /** For page answers: the Japanese message in the page's alert. */
  alert?: string;
  /** Exactly the texts stored afterwards; default none (plus SEEDED when seeded). */
  stored?: string[];
  /** Anything else to check, after the common checks. */
  check?(response: Answer, context: Context): Promise<void> | void;
}

// ---- how rows send -------------------------------------------------------------------------------

function postJson(payload: string | Buffer, headers: Record<string, string> = {}) {
  return ({ inject }: Context) =>
    inject({ method: "POST", url: "/api/boyaki", headers: { "content-type": "application/json", ...headers }, payload });
}

const postText = (text: string) => postJson(JSON.stringify({ text }));

type Credentials = "valid" | "none" | "wrong";

/**
 * Posts a urlencoded form; `body` is given without `_csrf`, which is added per `csrf`; `ageMs`
 * after the page was served (default at once).
 */
function postForm(
  url: string,
  body: string | Buffer,
  options: { csrf?: Credentials; headers?: Record<string, string>; ageMs?: number } = {},
) {
  return async ({ inject, session }: Context) => {
    const { cookie, token: valid } = await session();
    const csrf = options.csrf ?? "valid";
    const token = csrf === "valid" ? valid : csrf === "wrong" ? valid.replace(/.$/, (c) => (c === "a" ? "b" : "a")) : undefined;
    const prefix = token ? `_csrf=${encodeURIComponent(token)}&` : "";
    const post = () =>
      inject({
        method: "POST",
        url,
        headers: { "content-type": "application/x-www-form-urlencoded", ...options.headers },
        cookies: { _csrf: cookie },
        payload: Buffer.concat([Buffer.from(prefix), Buffer.from(body)]),
      });
    return options.ageMs === undefined ? post() : withClockAhead(options.ageMs, post);
  };
}

const postFormText = (text: string, options?: Parameters<typeof postForm>[2]) => postForm("/", `text=${encodeURIComponent(text)}`, options);

const raw = (bytes: string) => (context: Context) => context.raw(bytes);
/** A request whose body stops after a few bytes, as a client trickling it would. */
const TRICKLED_BODY = 'POST /api/boyaki HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"te';
/** The app with a short request timeout, listening for raw requests. */
const IMPATIENT = { listen: true, requestTimeoutMs: 200 };

const get =
  (url: string, headers: Record<string, string> = {}) =>
  ({ inject }: Context) =>
    inject({ method: "GET", url, headers });
const del =
  (url: string) =>
  ({ inject }: Context) =>
    inject({ method: "DELETE", url });

/**
 * Sends `count` requests one after the other: all but the last must be answered `served`
 * (the limit is not hit early); returns the last answer, which the row checks.
 */
function burst(count: number, served: number, send: (context: Context, index: number) => Promise<LightMyRequestResponse>) {
  return async (context: Context) => {
    for (let index = 0; index < count - 1; index++) {
      assert.equal((await send(context, index)).statusCode, served, `request ${index + 1} of ${count}`);
    }
    return send(context, count - 1);
  };
}

/** One proxy in front: the ALB, as when the app listens behind it. */
const ALB: TrustedProxies = { kind: "hops", hops: 1 };

/** The request as the ALB forwards it from client `ip`. */
function fromIp(ip: string, options: InjectOptions): InjectOptions {
  return { ...options, headers: { ...options.headers, "x-forwarded-for": ip } };
}

const apiText = (problem: GrumbleProblem) => ({
  status: 400,
  error: "invalid_text",
  check: (response: Answer) => assert.equal(response.json().message, PROBLEM_MESSAGES_EN[problem]),
});
const pageText = (problem: GrumbleProblem) => ({ status: 400, alert: PROBLEM_MESSAGES_JA[problem] });

function assertNotPolluted(): void {
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype was polluted");
}

const LIMITS = { perMinute: 5, writesPerMinute: 3 };

// ---- the table -----------------------------------------------------------------------------------

const CASES: HostileCase[] = [
  // Text rules, through both doors.
  { name: "form: empty text", send: postFormText(""), ...pageText("empty") },
  { name: "API: empty text", send: postText(""), ...apiText("empty") },
  { name: "form: white space only (ASCII, ideographic, no-break)", send: postFormText("  \u3000\u00a0 "), ...pageText("empty") },
  { name: "API: 21 graphemes", send: postText("あ".repeat(21)), ...apiText("too_long") },
  { name: "form: 21 family emoji", send: postFormText(FAMILY.repeat(21)), ...pageText("too_long") },
  {
    name: "form: 20 family emoji are valid (220 UTF-16 units)",
    send: postFormText(FAMILY.repeat(20)),
    status: 303,
    stored: [FAMILY.repeat(20)],
  },
  { name: "API: 20 emoji with skin tones are valid", send: postText("👍🏿".repeat(20)), status: 201, stored: ["👍🏿".repeat(20)] },
  {
    name: "API: 20 e + combining acute are 20 graphemes, stored as NFC",
    send: postText("e\u0301".repeat(20)),
    status: 201,
    stored: ["\u00e9".repeat(20)],
  },
  { name: "API: one grapheme of 450 stacked combining marks (zalgo)", send: postText("a" + "\u0301".repeat(450)), ...apiText("too_long") },
  { name: "API: NUL", send: postText("ボヤ\u0000キ"), ...apiText("control_characters") },
  { name: "form: NUL as %00", send: postForm("/", "text=%E3%83%9C%00"), ...pageText("control_characters") },
  { name: "API: ANSI escape sequence", send: postText("\u001b[31m赤\u001b[0m"), ...apiText("control_characters") },
  {
    name: "API: CR LF and a header (response splitting attempt)",
    send: postText("x\r\nSet-Cookie: a=b"),
    ...apiText("control_characters"),
  },
  { name: "form: RTL override U+202E", send: postFormText("abc\u202etxt.exe"), ...pageText("control_characters") },
  { name: "API: lone surrogate \\ud800 in JSON", send: postJson('{"text":"ボヤ\\ud800キ"}'), ...apiText("control_characters") },

  // Text rules: nothing invisible, stacked or hidden.
  {
    name: "API: only zero width space, joiners, word joiner and soft hyphen",
    send: postText("\u200b\u200c\u200d\u2060\u00ad"),
    ...apiText("empty"),
  },
  {
    name: "form: only Hangul fillers and braille blanks (a blank row)",
    send: postFormText("\u3164\uffa0\u2800\u2800"),
    ...pageText("empty"),
  },
  { name: "API: one character carrying 31 combining marks", send: postText(`a${"\u0301".repeat(31)}`), ...apiText("too_many_marks") },
  {
    name: "form: a column of 40 marks in a short grumble",
    send: postFormText(`ボヤ${"\u0300\u0316".repeat(20)}キ`),
    ...pageText("too_many_marks"),
  },
  {
    name: "API: 30 combining marks (the stream-safe limit) are valid",
    send: postText(`a${"\u0301".repeat(30)}`),
    status: 201,
    stored: [`\u00e1${"\u0301".repeat(29)}`],
  },
  {
    name: "API: text hidden in tag characters after a short grumble",
    send: postText(`眠い${TAGGED("ignore all previous instructions")}`),
    ...apiText("control_characters"),
  },
  { name: "form: only tag characters", send: postFormText(TAGGED("hidden")), ...pageText("control_characters") },
  { name: "API: the England flag (tags inside an RGI emoji) is valid", send: postText(FLAG_ENGLAND), status: 201, stored: [FLAG_ENGLAND] },
  { name: "API: U+2028 line separator", send: postText("ボヤ\u2028キ"), ...apiText("control_characters") },
  { name: "form: U+2029 paragraph separator", send: postFormText("ボヤ\u2029キ"), ...pageText("control_characters") },

  // Bytes and bodies.
  {
    name: "API: invalid UTF-8 bytes in the JSON body",
    send: postJson(Buffer.concat([Buffer.from('{"text":"ボヤ'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])),
    status: 400,
    error: "invalid_encoding",
  },
  {
    name: "API: overlong UTF-8 encoding of '<' (C0 BC)",
    send: postJson(Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xc0, 0xbc]), Buffer.from('script"}')])),
    status: 400,
    error: "invalid_encoding",
  },
  {
    name: "form: invalid UTF-8 bytes in the body",
    send: postForm("/", Buffer.concat([Buffer.from("text="), Buffer.from([0xe3, 0x83])])),
    status: 400,
    alert: JA.encoding,
  },
  { name: "form: %-escaped invalid UTF-8 (%FF%FE)", send: postForm("/", "text=%FF%FE"), status: 400, alert: JA.encoding },
  { name: "API: a 1 MB body", send: postJson(JSON.stringify({ text: "あ".repeat(ONE_MB / 3) })), status: 413, error: "body_too_large" },
  { name: "form: a 1 MB body", send: postForm("/", `text=${"a".repeat(ONE_MB)}`), status: 413, alert: JA.tooLarge },
  {
    name: "API: text/plain body",
    send: postJson(JSON.stringify({ text: "ボヤキ" }), { "content-type": "text/plain" }),
    status: 415,
    error: "unsupported_media_type",
  },
  {
    name: "API: multipart body",
    send: postJson('--x\r\nContent-Disposition: form-data; name="text"\r\n\r\nボヤキ\r\n--x--\r\n', {
      "content-type": "multipart/form-data; boundary=x",
    }),
    status: 415,
    error: "unsupported_media_type",
  },
  {
    name: "API: a plain body labelled Content-Encoding: gzip",
    send: postJson(JSON.stringify({ text: "ボヤキ" }), { "content-encoding": "gzip" }),
    status: 415,
    error: "unsupported_content_encoding",
    check: (response) => assert.equal(response.headers["accept-encoding"], "identity"),
  },
  {
    name: "API: a real gzip body",
    send: postJson(gzipSync(JSON.stringify({ text: "ボヤキ" })), { "content-encoding": "gzip" }),
    status: 415,
    error: "unsupported_content_encoding",
  },
  {
    name: "API: Content-Encoding: br",
    send: postJson(JSON.stringify({ text: "ボヤキ" }), { "content-encoding": "br" }),
    status: 415,
    error: "unsupported_content_encoding",
  },
  {
    name: "API: two codings, identity last",
    send: postJson(JSON.stringify({ text: "ボヤキ" }), { "content-encoding": "gzip, identity" }),
    status: 415,
    error: "unsupported_content_encoding",
  },
  {
    name: "form: Content-Encoding: deflate",
    send: postFormText("圧縮", { headers: { "content-encoding": "deflate" } }),
    status: 415,
    alert: JA.contentEncoding,
  },
  {
    name: "API: Content-Encoding: identity is plain",
    send: postJson(JSON.stringify({ text: "そのまま" }), { "content-encoding": "Identity" }),
    status: 201,
    stored: ["そのまま"],
  },
  {
    name: "form route: a JSON body (with a valid token) is not a form",
    send: async ({ inject, session }) => {
      const { cookie, token } = await session();
      return inject({
        method: "POST",
        url: "/",
        headers: { "content-type": "application/json" },
        cookies: { _csrf: cookie },
        payload: JSON.stringify({ _csrf: token, text: "JSON" }),
      });
    },
    status: 415,
    alert: JA.mediaType,
  },
  { name: "API: malformed JSON", send: postJson('{"text": "閉じてない'), status: 400, error: "invalid_json" },
  { name: "API: text is not a string", send: postJson('{"text": {"toString": "x"}}'), status: 400, error: "invalid_request" },

  // Node's HTTP parser refuses these before any route: still the app's error shape.
  {
    name: "protocol: Content-Length and Transfer-Encoding together (request smuggling)",
    app: { listen: true },
    send: raw(
      'POST /api/boyaki HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 16\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{"text":"密輸"}',
    ),
    status: 400,
    error: "bad_request",
  },
  {
    name: "protocol: two different Content-Lengths",
    app: { listen: true },
    send: raw("POST /api/boyaki HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 20\r\n\r\n{}"),
    status: 400,
    error: "bad_request",
  },
  {
    name: "protocol: headers over 16 KiB (a huge cookie)",
    app: { listen: true },
    send: raw(`GET / HTTP/1.1\r\nHost: localhost\r\nCookie: a=${"x".repeat(20_000)}\r\n\r\n`),
    status: 431,
    alert: JA.headersTooLarge,
  },
  {
    name: "protocol: a request line that is not HTTP",
    app: { listen: true },
    send: raw("HELLO\r\n\r\n"),
    status: 400,
    alert: JA.badRequest,
  },
  // Slow clients: the request (headers and body) must arrive within requestTimeoutMs.
  {
    name: "protocol: a body trickled past the request timeout",
    app: IMPATIENT,
    send: raw(TRICKLED_BODY),
    status: 408,
    error: "request_timeout",
  },
  {
    name: "protocol: headers trickled past the request timeout",
    app: IMPATIENT,
    send: raw("GET / HTTP/1.1\r\nHost: local"),
    status: 408,
    alert: JA.requestTimeout,
  },

  // Markup: valid, stored as typed, rendered as text.
  { name: "form: <script> within 20 characters", send: postFormText(SCRIPT), status: 303, stored: [SCRIPT] },
  { name: "form: quotes breaking out of an attribute", send: postFormText(ATTRIBUTE), status: 303, stored: [ATTRIBUTE] },
  { name: "API: <script> within 20 characters", send: postText(SCRIPT), status: 201, stored: [SCRIPT] },

  // Ids.
  // The URL is resolved first (to /etc/passwd, outside /api): an unknown page.
  {
    name: "API: DELETE ../ in the path",
    seed: true,
    send: del("/api/boyaki/../../etc/passwd"),
    status: 404,
    alert: "ページが見つかりません。",
  },
  {
    name: "API: DELETE %2e%2e%2f-encoded ../",
    seed: true,
    send: del("/api/boyaki/%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
    status: 400,
    error: "invalid_id",
  },
  {
    name: "API: DELETE an id of 65 characters",
    seed: true,
    send: del(`/api/boyaki/${"x".repeat(65)}`),
    status: 400,
    error: "invalid_request",
  },
  {
    name: "API: DELETE an id of 5000 characters",
    seed: true,
    send: del(`/api/boyaki/${"9".repeat(5000)}`),
    status: 400,
    error: "invalid_request",
  },
  { name: "API: DELETE an unknown, well-formed id", seed: true, send: del(`/api/boyaki/${UNKNOWN_ID}`), status: 404, error: "not_found" },
  {
    name: "form: purify ../ (gone either way: 303, nothing deleted)",
    seed: true,
    send: postForm("/purify", "id=..%2F..%2Fetc%2Fpasswd"),
    status: 303,
  },
  {
    name: "API: DELETE yesterday's grumble (only today's can be purified): not found, kept",
    seed: "yesterday",
    send: ({ inject, seededId }) => inject({ method: "DELETE", url: `/api/boyaki/${seededId}` }),
    status: 404,
    error: "not_found",
  },
  {
    name: "form: purify yesterday's grumble: 303 as for any id not on the page, kept",
    seed: "yesterday",
    send: (context) => postForm("/purify", `id=${context.seededId}`)(context),
    status: 303,
  },
  {
    name: "form: purify an overlong id",
    seed: true,
    send: postForm("/purify", `id=${"x".repeat(3000)}`),
    status: 400,
    alert: "リクエストの内容が正しくありません。",
  },

  // CSRF and cross-site forms.
  { name: "form: missing CSRF token", send: postFormText("通さない", { csrf: "none" }), status: 403, alert: JA.csrf },
  { name: "form: wrong CSRF token", send: postFormText("通さない", { csrf: "wrong" }), status: 403, alert: JA.csrf },
  {
    name: "form: a planted CSRF cookie with a token minted from it offline",
    send: ({ inject }) =>
      inject({
        method: "POST",
        url: "/",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        cookies: { _csrf: "planted" },
        payload: `_csrf=${encodeURIComponent(new Tokens({}).create("planted"))}&text=x`,
      }),
    status: 403,
    alert: JA.csrf,
  },
  {
    name: "form: a CSRF token issued more than two hours ago",
    send: postFormText("古い", { ageMs: CSRF_TOKEN_VALIDITY_MS + 1_000 }),
    status: 403,
    alert: JA.csrf,
  },
  {
    name: "form over HTTPS: the _csrf cookie of plain HTTP is not read (only __Host-csrf)",
    app: { trustedProxies: ALB },
    send: postFormText("投げ込み", { headers: { "x-forwarded-proto": "https" } }),
    status: 403,
    alert: JA.csrf,
  },
  { name: "form: purify without CSRF token", seed: true, send: postForm("/purify", "id=x", { csrf: "none" }), status: 403, alert: JA.csrf },
  {
    name: "form: foreign Origin (even with a valid token)",
    send: postFormText("通さない", { headers: { origin: "https://evil.example" } }),
    status: 403,
    alert: JA.crossSite,
  },
  {
    name: "form: Sec-Fetch-Site cross-site (even with a valid token)",
    send: postFormText("通さない", { headers: { "sec-fetch-site": "cross-site" } }),
    status: 403,
    alert: JA.crossSite,
  },
  {
    name: "form: Sec-Fetch-Site same-site (a sibling subdomain)",
    send: postFormText("通さない", { headers: { "sec-fetch-site": "same-site" } }),
    status: 403,
    alert: JA.crossSite,
  },
  {
    name: "form: same-origin Origin and Sec-Fetch-Site pass (the browser's own post)",
    send: postFormText("通る", { headers: { origin: "http://localhost:80", "sec-fetch-site": "same-origin" } }),
    status: 303,
    stored: ["通る"],
  },

  // Prototype pollution.
  {
    name: "API: __proto__ in JSON",
    send: postJson('{"__proto__":{"polluted":true},"text":"x"}'),
    status: 400,
    error: "invalid_json",
    check: assertNotPolluted,
  },
  {
    name: "API: constructor.prototype in JSON",
    send: postJson('{"constructor":{"prototype":{"polluted":true}},"text":"x"}'),
    status: 400,
    error: "invalid_json",
    check: assertNotPolluted,
  },
  {
    name: "form: __proto__ fields are plain fields",
    send: postForm("/", "__proto__=x&__proto__%5Bpolluted%5D=1&constructor%5Bprototype%5D%5Bpolluted%5D=1&text=y"),
    status: 303,
    stored: ["y"],
    check: assertNotPolluted,
  },

  // Query strings.
  { name: "API: huge limit", send: get("/api/boyaki?limit=99999999999999999999999"), status: 400, error: "invalid_request" },
  { name: "API: negative limit", send: get("/api/boyaki?limit=-5"), status: 400, error: "invalid_request" },
  { name: "API: limit given twice", send: get("/api/boyaki?limit=1&limit=2"), status: 400, error: "invalid_request" },
  { name: "API: cursor garbage", seed: true, send: get("/api/boyaki?cursor=%00%ff..%2F"), status: 400, error: "invalid_cursor" },
  {
    name: "API: cursor of well-formed base64url JSON with a foreign key",
    seed: true,
    send: get(`/api/boyaki?cursor=${Buffer.from(JSON.stringify(["2026-11-22", { S: "x" }])).toString("base64url")}`),
    status: 400,
    error: "invalid_cursor",
  },
  {
    name: "page: CR LF in the cursor (header injection attempt)",
    seed: true,
    send: get("/?cursor=x%0d%0aSet-Cookie:%20owned=1"),
    status: 400,
    alert: JA.badCursor,
    check: (response) => assert.ok(!JSON.stringify(response.headers).includes("owned"), "the injected header is in the answer"),
  },
  {
    name: "API: CR LF in a DELETE id",
    seed: true,
    send: del("/api/boyaki/x%0d%0aLocation:%20https:%2F%2Fevil.example"),
    status: 400,
    error: "invalid_id",
    check: (response) => assert.equal(response.headers.location, undefined),
  },

  // Floods: one IP over the limit is refused; another IP (X-Forwarded-For behind the ALB) is not.
  {
    name: "flood: requests over the limit from one IP get 429, another IP is still served",
    app: { rateLimit: LIMITS, trustedProxies: ALB },
    send: burst(LIMITS.perMinute + 1, 200, ({ inject }) => inject(fromIp("203.0.113.7", { method: "GET", url: "/api/boyaki" }))),
    status: 429,
    error: "rate_limited",
    check: async (response, { inject }) => {
      assert.equal(response.headers["retry-after"], "60");
      assert.equal((await inject(fromIp("198.51.100.2", { method: "GET", url: "/api/boyaki" }))).statusCode, 200);
      assert.equal((await inject(fromIp("203.0.113.7", { method: "GET", url: "/healthz" }))).statusCode, 200, "/healthz is exempt");
    },
  },
  {
    name: "flood: pages over the limit get a 429 page in Japanese",
    app: { rateLimit: LIMITS, trustedProxies: ALB },
    send: burst(LIMITS.perMinute + 1, 200, ({ inject }) => inject(fromIp("203.0.113.8", { method: "GET", url: "/" }))),
    status: 429,
    alert: JA.rateLimited,
  },
  {
    name: "flood: unknown URLs count too",
    app: { rateLimit: LIMITS, trustedProxies: ALB },
    send: burst(LIMITS.perMinute + 1, 404, ({ inject }, index) =>
      inject(fromIp("203.0.113.9", { method: "GET", url: `/wp-admin/${index}.php` })),
    ),
    status: 429,
    alert: JA.rateLimited,
  },
  {
    name: "flood: over the limit, an unknown URL's body is not even parsed",
    app: { rateLimit: LIMITS, trustedProxies: ALB },
    send: burst(LIMITS.perMinute + 1, 404, ({ inject }, index) =>
      index < LIMITS.perMinute
        ? inject(fromIp("203.0.113.11", { method: "GET", url: `/wp-login/${index}.php` }))
        : inject(
            fromIp("203.0.113.11", {
              method: "POST",
              url: "/wp-login.php",
              headers: { "content-type": "application/json" },
              payload: "{ not json",
            }),
          ),
    ),
    status: 429,
    alert: JA.rateLimited,
  },
  {
    name: "flood: writes over the write limit get 429 and are not stored, another IP still posts",
    app: { rateLimit: LIMITS, trustedProxies: ALB },
    send: burst(LIMITS.writesPerMinute + 1, 201, ({ inject }, index) =>
      inject(
        fromIp("203.0.113.10", {
          method: "POST",
          url: "/api/boyaki",
          headers: { "content-type": "application/json" },
          payload: JSON.stringify({ text: `連投${index}` }),
        }),
      ),
    ),
    status: 429,
    error: "rate_limited",
    stored: ["連投0", "連投1", "連投2", "別の人"],
    check: async (_response, { inject }) => {
      const other = await inject(
        fromIp("198.51.100.3", {
          method: "POST",
          url: "/api/boyaki",
          headers: { "content-type": "application/json" },
          payload: JSON.stringify({ text: "別の人" }),
        }),
      );
      assert.equal(other.statusCode, 201);
    },
  },
  {
    name: "flood: with no trusted proxy a forged X-Forwarded-For does not reset the count",
    app: { rateLimit: LIMITS, trustedProxies: TRUST_NO_PROXY },
    send: burst(LIMITS.perMinute + 1, 200, ({ inject }, index) =>
      inject(fromIp(`192.0.2.${index + 1}`, { method: "GET", url: "/api/boyaki" })),
    ),
    status: 429,
    error: "rate_limited",
  },
];

// ---- one loop ------------------------------------------------------------------------------------

function listeningPort(t: TestApp): number {
  if (!t.baseUrl) throw new Error("a raw row needs app: { listen: true }");
  return Number(new URL(t.baseUrl).port);
}

describe("hostile input (one table through the real app)", () => {
  let dynamo: TestDynamo;

  before(async () => {
    dynamo = await startTestDynamo();
  });

  after(async () => {
    await dynamo?.stop();
  });

  it("rows have distinct names, so a failure names its row", () => {
    assert.equal(new Set(CASES.map((row) => row.name)).size, CASES.length);
  });

  for (const row of CASES) {
    it(row.name, async () => {
      const clock = new TestClock(ROW_TIME);
      const t = await startTestApp({ dynamo, now: clock.now, ...row.app });
      try {
        if (row.seed === "yesterday") clock.advance(-DAY_MS);
        const seededId = row.seed ? (await t.store.add(SEEDED)).id : undefined;
        clock.set(ROW_TIME);
        const context: Context = {
          inject: (options) => t.app.inject(options),
          raw: (bytes) => sendRaw(listeningPort(t), bytes),
          session: () => openSession(t.app),
          seededId,
        };

        const response = await row.send(context);
        const label = `${row.name}: ${response.statusCode} ${response.body.slice(0, 300)}`;
        assert.equal(response.statusCode, row.status, label);
        if (row.error !== undefined) assert.equal(response.json().error, row.error, label);
        if (row.alert !== undefined) {
          assert.match(String(response.headers["content-type"]), /^text\/html/, label);
          assert.equal(alertMessage(response.body), row.alert, label);
        }
        if (response.statusCode >= 400) assert.ok(!/\bat .+\.(ts|js):\d+/.test(response.body), "a stack trace in the answer");
        await row.check?.(response, context);

        // Exactly what should be there, and today's is rendered as text.
        const today = [...(row.seed === true ? [SEEDED] : []), ...(row.stored ?? [])].sort();
        const expected = [...(row.seed ? [SEEDED] : []), ...(row.stored ?? [])].sort();
        const stored = (await t.storedItems()).map((item) => String(item.text));
        assert.deepEqual(stored.sort(), expected, "stored texts");
        if (today.length > 0) {
          const html = await homePage(t.app);
          assert.deepEqual(rowTexts(html).sort(), today, "rendered texts");
          for (const text of today) {
            assert.ok(html.includes(escapeHtml(text)), `${text} is not rendered escaped`);
            if (escapeHtml(text) !== text) assert.ok(!html.includes(text), `${text} appears unescaped in the page`);
          }
        }

        const health = await t.app.inject({ method: "GET", url: "/healthz" });
        assert.equal(health.statusCode, 200, "the app still serves /healthz");
      } finally {
        await t.close();
      }
    });
  }
});
