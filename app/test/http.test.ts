import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import Tokens from "@fastify/csrf";
import type { InjectOptions } from "fastify";
import { PROBLEM_MESSAGES_EN, PROBLEM_MESSAGES_JA, type GrumbleProblem } from "../src/domain/grumble";
import { CSRF_TOKEN_VALIDITY_MS } from "../src/http/csrf";
import type { Grumble } from "../src/store/grumbleStore";
import { PUBLIC_DIR } from "../src/paths";
import { alertMessage, draftValue, homePage, type FormSession, openSession, postForm, rowIds, rowTexts, rowTimes } from "../harness/pages";
import { startTestApp, startTestDynamo, type TestApp, type TestAppOptions, type TestDynamo } from "../harness/testApp";
import { TestClock, withClockAhead } from "../harness/testClock";

const CSRF_MESSAGE_JA = "フォームの有効期限が切れました。ページを読み込み直してからもう一度お試しください。";
const UNAVAILABLE_MESSAGE_JA = "ただいまボヤキを保存・表示できません。しばらくしてからもう一度お試しください。";
const WELL_FORMED_UNKNOWN_ID = "2026-11-22_1795316400000-0123456789";
/** As when the ALB forwards an HTTPS request (the test app then trusts one proxy: see `overHttps`). */
const HTTPS = { "x-forwarded-proto": "https" };
const SECRET = "a-cookie-secret-of-at-least-32-characters";

/** Texts the rules refuse, with the problem each one has. */
const INVALID_TEXTS: [string, GrumbleProblem][] = [
  ["", "empty"],
  ["   \u3000", "empty"],
  ["あ".repeat(21), "too_long"],
  ["ボヤ\u0000キ", "control_characters"],
  ["ボヤ\tキ", "control_characters"],
  ["一行目\n二行目", "control_characters"],
  ["ボヤ\u007fキ", "control_characters"],
  ["ボヤ\u0085キ", "control_characters"],
  ["abc\u202etxt.exe", "control_characters"],
];

function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe("HTTP app", () => {
  let dynamo: TestDynamo;
  let clock: TestClock;
  let t: TestApp;
  const extraApps: TestApp[] = [];

  before(async () => {
    dynamo = await startTestDynamo();
  });

  after(async () => {
    await dynamo.stop();
  });

  beforeEach(async () => {
    clock = new TestClock("2026-11-22T12:00:00+09:00");
    t = await startTestApp({ dynamo, now: clock.now });
  });

  afterEach(async () => {
    await Promise.all([t, ...extraApps.splice(0)].map((app) => app.close()));
    await dynamo.start(); // in case a test stopped it and failed before starting it again
  });

  /** Another app on the shared dynalite and clock, with other settings; closed after the test. */
  async function appWith(options: TestAppOptions): Promise<TestApp> {
    const app = await startTestApp({ dynamo, now: clock.now, ...options });
    extraApps.push(app);
    return app;
  }

  function request(options: InjectOptions) {
    return t.app.inject(options);
  }

  /** Stores grumbles through the store, one second apart, oldest first. */
  async function seed(texts: string[], app: TestApp = t): Promise<Grumble[]> {
    const added: Grumble[] = [];
    for (const text of texts) {
      added.push(await app.store.add(text));
      clock.advance(1_000);
    }
    return added;
  }

  async function storedTexts(app: TestApp = t): Promise<string[]> {
    return (await app.storedItems()).map((item) => String(item.text));
  }

  describe("page GET /", () => {
    it("renders the empty page in Japanese with the post form", async () => {
      const response = await request({ method: "GET", url: "/" });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers["content-type"], "text/html; charset=utf-8");
      assert.equal(response.headers["cache-control"], "no-store");
      const html = response.body;
      for (const expected of [
        '<html lang="ja">',
        "<title>Boyacky</title>",
        "今日もどこかでボヤかせていただきます",
        'placeholder="いまボヤいてる？"',
        'maxlength="400"',
        'data-max-graphemes="20"',
        'data-too-long-message="ボヤキは20文字以内でお願いします。"',
        '<button type="submit">ボヤく</button>',
        "<th>時間</th>",
        "<th>今日のボヤキ</th>",
        "今日のボヤキはまだありません。",
        '<link rel="stylesheet" href="/static/style.css">',
        '<script src="/static/app.js" defer></script>',
      ]) {
        assert.ok(html.includes(expected), `page lacks ${expected}`);
      }
      assert.equal(occurrences(html, "浄化"), 0);
      assert.deepEqual(rowTexts(html), []);
    });

    it("lists today's grumbles newest first, with the time in Tokyo and one 浄化 button each", async () => {
      const added = await seed(["一番目", "二番目", "三番目"]);
      const html = await homePage(t.app);
      assert.deepEqual(rowTexts(html), ["三番目", "二番目", "一番目"]);
      assert.deepEqual(rowTimes(html), ["12:00:02", "12:00:01", "12:00:00"]); // not 03:00 (UTC)
      assert.deepEqual(rowIds(html), added.map((grumble) => grumble.id).reverse());
      assert.equal(occurrences(html, '<button type="submit" class="purify">浄化</button>'), 3);
      assert.ok(!html.includes("今日のボヤキはまだありません。"));
    });

    it("pages older grumbles behind a もっと前のボヤキ link, with none on the last page", async () => {
      const paged = await appWith({ pageSize: 2 });
      await seed(["1", "2", "3", "4"], paged);
      const first = await paged.app.inject({ method: "GET", url: "/" });
      assert.deepEqual(rowTexts(first.body), ["4", "3"]);
      const link = /<a href="(\/\?cursor=[^"]+)">もっと前のボヤキ<\/a>/.exec(first.body);
      assert.ok(link, "no link to older grumbles");
      const second = await paged.app.inject({ method: "GET", url: link[1] });
      assert.equal(second.statusCode, 200);
      assert.deepEqual(rowTexts(second.body), ["2", "1"]);
      assert.ok(!second.body.includes("もっと前のボヤキ"));
    });

    it("answers a garbage cursor with a 400 page in Japanese", async () => {
      const response = await request({ method: "GET", url: "/?cursor=garbage" });
      assert.equal(response.statusCode, 400);
      assert.match(response.headers["content-type"] as string, /^text\/html/);
      assert.equal(alertMessage(response.body), "ページの続きが見つかりません。最初のページからご覧ください。");
    });

    it("answers a malformed URL with a 400 page, like any other refusal", async () => {
      const response = await request({ method: "GET", url: "/%E0%A4%A" });
      assert.equal(response.statusCode, 400);
      assert.match(response.headers["content-type"] as string, /^text\/html/);
      assert.equal(alertMessage(response.body), "リクエストの内容が正しくありません。");
    });
  });

  describe("CSRF protection of the forms", () => {
    it("sets an HttpOnly, SameSite=Strict _csrf cookie and puts the token in every form", async () => {
      await seed(["一", "二"]);
      const response = await request({ method: "GET", url: "/" });
      const cookie = response.cookies.find((candidate) => candidate.name === "_csrf");
      assert.ok(cookie);
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, "Strict");
      assert.equal(cookie.path, "/");
      assert.equal(occurrences(response.body, 'name="_csrf"'), 3); // post form + two purify forms
    });

    it("refuses a post without a valid token with 403, and stores nothing", async () => {
      const session = await openSession(t.app);
      const other = await openSession(t.app);
      const tampered = session.token.replace(/.$/, (last) => (last === "a" ? "b" : "a"));
      const cases: [string, Partial<FormSession> | undefined][] = [
        ["no cookie, no token", undefined],
        ["cookie, no token", { cookie: session.cookie }],
        ["token, no cookie", { token: session.token }],
        ["cookie, wrong token", { cookie: session.cookie, token: tampered }],
        ["cookie, token of another session", { cookie: session.cookie, token: other.token }],
        ["cookie, garbage token", { cookie: session.cookie, token: "garbage" }],
      ];
      for (const [label, credentials] of cases) {
        const response = await postForm(t.app, "/", { text: "通るはずがない" }, credentials);
        assert.equal(response.statusCode, 403, label);
        assert.equal(alertMessage(response.body), CSRF_MESSAGE_JA, label);
      }
      assert.deepEqual(await storedTexts(), []);
    });

    it("signs the cookie: a secret the app did not sign is refused, even with a token minted from it", async () => {
      const planted = "chosen-by-the-attacker";
      for (const tokens of [new Tokens({}), new Tokens({ validity: CSRF_TOKEN_VALIDITY_MS })]) {
        const response = await postForm(t.app, "/", { text: "偽造" }, { cookie: planted, token: tokens.create(planted) });
        assert.equal(response.statusCode, 403);
        assert.equal(alertMessage(response.body), CSRF_MESSAGE_JA);
      }
      const { cookie } = await openSession(t.app);
      assert.match(cookie, /^[\w-]+\.[\w+/]+$/, "secret.signature");
      assert.deepEqual(await storedTexts(), []);
    });

    it("tasks sharing the cookie secret accept each other's forms; with another secret they do not", async () => {
      const [first, twin, stranger] = await Promise.all([
        appWith({ cookieSecret: SECRET }),
        appWith({ cookieSecret: SECRET }),
        appWith({ cookieSecret: `${SECRET}-other` }),
      ]);
      const session = await openSession(first.app);
      assert.equal((await postForm(twin.app, "/", { text: "同じ鍵" }, session)).statusCode, 303);
      assert.equal((await postForm(stranger.app, "/", { text: "違う鍵" }, session)).statusCode, 403);
      assert.deepEqual(await storedTexts(twin), ["同じ鍵"]);
    });

    it("refuses a token older than two hours (a page left open) with the expiry message", async () => {
      const session = await openSession(t.app);
      assert.equal(
        (await withClockAhead(CSRF_TOKEN_VALIDITY_MS - 60_000, () => postForm(t.app, "/", { text: "間に合う" }, session))).statusCode,
        303,
      );
      const late = await withClockAhead(CSRF_TOKEN_VALIDITY_MS + 1_000, () => postForm(t.app, "/", { text: "遅すぎる" }, session));
      assert.equal(late.statusCode, 403);
      assert.equal(alertMessage(late.body), CSRF_MESSAGE_JA);
      assert.deepEqual(await storedTexts(), ["間に合う"]);
    });

    it("over HTTPS the cookie is __Host-csrf (Secure, Path=/, no Domain), and a _csrf cookie is not read", async () => {
      const https = await appWith({ trustedProxies: { kind: "hops", hops: 1 } });
      const response = await https.app.inject({ method: "GET", url: "/", headers: HTTPS });
      assert.deepEqual(
        response.cookies.map(({ name, secure, path: cookiePath, domain, httpOnly, sameSite }) => ({
          name,
          secure,
          path: cookiePath,
          domain,
          httpOnly,
          sameSite,
        })),
        [{ name: "__Host-csrf", secure: true, path: "/", domain: undefined, httpOnly: true, sameSite: "Strict" }],
      );
      const secure = await openSession(https.app, HTTPS);
      const post = (session: FormSession, text: string) =>
        https.app.inject({
          method: "POST",
          url: "/",
          headers: { ...HTTPS, "content-type": "application/x-www-form-urlencoded" },
          cookies: { [session.cookieName ?? "_csrf"]: session.cookie },
          payload: new URLSearchParams({ _csrf: session.token, text }).toString(),
        });
      assert.equal((await post(secure, "安全")).statusCode, 303);
      // A cookie set over plain HTTP (or tossed in by a sibling host) is not the HTTPS one.
      const plain = await openSession(https.app);
      assert.equal(plain.cookieName, "_csrf");
      assert.equal((await post(plain, "投げ込み")).statusCode, 403);
      assert.deepEqual(await storedTexts(https), ["安全"]);
    });

    it("refuses a purify without a valid token with 403, and deletes nothing", async () => {
      const [grumble] = await seed(["消させない"]);
      const session = await openSession(t.app);
      const response = await postForm(t.app, "/purify", { id: grumble.id }, { cookie: session.cookie });
      assert.equal(response.statusCode, 403);
      assert.deepEqual(await storedTexts(), ["消させない"]);
    });
  });

  describe("page forms", () => {
    it("stores a valid post (trimmed, NFC) and redirects with 303 to /, where it is listed first", async () => {
      await seed(["前からある"]);
      const session = await openSession(t.app);
      const response = await postForm(t.app, "/", { text: "  cafe\u0301が寒い  " }, session);
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, "/");
      assert.deepEqual(rowTexts(await homePage(t.app)), ["caf\u00e9が寒い", "前からある"]);
    });

    it("accepts exactly 20 characters of emoji", async () => {
      const session = await openSession(t.app);
      const text = "👨‍👩‍👧‍👦👍🏿".repeat(10);
      const response = await postForm(t.app, "/", { text }, session);
      assert.equal(response.statusCode, 303);
      assert.deepEqual(await storedTexts(), [text]);
    });

    for (const [text, problem] of INVALID_TEXTS) {
      it(`refuses ${JSON.stringify(text)} (${problem}) with a 400 page in Japanese, keeping the draft`, async () => {
        const session = await openSession(t.app);
        const response = await postForm(t.app, "/", { text }, session);
        assert.equal(response.statusCode, 400);
        assert.match(response.headers["content-type"] as string, /^text\/html/);
        assert.equal(alertMessage(response.body), PROBLEM_MESSAGES_JA[problem]);
        assert.equal(draftValue(response.body), text);
        assert.ok(response.body.includes('placeholder="いまボヤいてる？"'), "the form is shown again");
        assert.deepEqual(await storedTexts(), []);
      });
    }

    it("refuses a post with no text field with the empty message", async () => {
      const session = await openSession(t.app);
      const response = await postForm(t.app, "/", {}, session);
      assert.equal(response.statusCode, 400);
      assert.equal(alertMessage(response.body), PROBLEM_MESSAGES_JA.empty);
      assert.deepEqual(await storedTexts(), []);
    });

    it("purifies with 303 to /, removing only that grumble", async () => {
      const [keep, gone] = await seed(["残る", "消える"]);
      const session = await openSession(t.app);
      const response = await postForm(t.app, "/purify", { id: gone.id }, session);
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, "/");
      const html = await homePage(t.app);
      assert.deepEqual(rowTexts(html), ["残る"]);
      assert.deepEqual(rowIds(html), [keep.id]);
    });

    it("answers 303 (not an error page) when purifying an unknown, malformed or missing id", async () => {
      await seed(["無事"]);
      const session = await openSession(t.app);
      const forms: Record<string, string>[] = [{ id: WELL_FORMED_UNKNOWN_ID }, { id: "../../etc/passwd" }, { id: "x".repeat(200) }, {}];
      for (const fields of forms) {
        const response = await postForm(t.app, "/purify", fields, session);
        assert.equal(response.statusCode, 303, JSON.stringify(fields));
        assert.equal(response.headers.location, "/");
      }
      assert.deepEqual(await storedTexts(), ["無事"]);
    });
  });

  describe("escaping", () => {
    it("renders stored markup as text", async () => {
      const script = "<script>x()</script>"; // 20 characters: storable
      const attribute = '"><svg onload=y()>';
      const session = await openSession(t.app);
      for (const text of [script, attribute]) {
        assert.equal((await postForm(t.app, "/", { text }, session)).statusCode, 303);
      }
      const html = await homePage(t.app);
      assert.ok(!html.includes(script), "raw <script> in the page");
      assert.ok(html.includes("&lt;script&gt;x()&lt;/script&gt;"));
      assert.ok(!html.includes("<svg"), "raw <svg> in the page");
      assert.ok(html.includes("&quot;&gt;&lt;svg onload=y()&gt;"));
      assert.equal(occurrences(html, "<script"), 1, "only the page's own script tag");
      assert.deepEqual(rowTexts(html), [attribute, script]);
    });

    it("echoes a refused draft escaped inside the value attribute", async () => {
      const session = await openSession(t.app);
      const drafts: [string, string][] = [
        ["<script>alert(1)</script>", 'value="&lt;script&gt;alert(1)&lt;/script&gt;"'],
        ['"><img src=x onerror=alert(1)>', 'value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"'],
      ];
      for (const [draft, escaped] of drafts) {
        const response = await postForm(t.app, "/", { text: draft }, session);
        assert.equal(response.statusCode, 400, draft); // both are longer than 20 characters
        assert.equal(alertMessage(response.body), PROBLEM_MESSAGES_JA.too_long);
        assert.ok(!response.body.includes(draft), `raw ${draft} in the page`);
        assert.ok(!response.body.includes("<img"), "raw <img> in the page");
        assert.equal(occurrences(response.body, "<script"), 1, "only the page's own script tag");
        assert.ok(response.body.includes(escaped), `page lacks ${escaped}`);
      }
      assert.deepEqual(await storedTexts(), []);
    });
  });

  describe("JSON API /api/boyaki", () => {
    function postJson(payload: unknown) {
      return request({
        method: "POST",
        url: "/api/boyaki",
        headers: { "content-type": "application/json" },
        payload: JSON.stringify(payload),
      });
    }

    it("lists nothing at first: today's day, no items, nextCursor null", async () => {
      const response = await request({ method: "GET", url: "/api/boyaki" });
      assert.equal(response.statusCode, 200);
      assert.match(response.headers["content-type"] as string, /^application\/json/);
      assert.deepEqual(response.json(), { day: "2026-11-22", items: [], nextCursor: null });
    });

    it("POST creates a grumble: 201, the item, and its Location", async () => {
      const response = await postJson({ text: " cafe\u0301 " });
      assert.equal(response.statusCode, 201);
      const grumble = response.json() as Grumble;
      assert.equal(grumble.text, "caf\u00e9");
      assert.equal(grumble.postedAt, "2026-11-22T03:00:00.000Z");
      assert.match(grumble.id, /^2026-11-22_\d{13}-[0-9a-f]{10}$/);
      assert.equal(response.headers.location, `/api/boyaki/${grumble.id}`);
      const list = await request({ method: "GET", url: "/api/boyaki" });
      assert.deepEqual(list.json().items, [grumble]);
    });

    it("walks the list with limit and cursor, newest first, nextCursor null at the end", async () => {
      await seed(["1", "2", "3", "4", "5"]);
      const pages: string[][] = [];
      let url = "/api/boyaki?limit=2";
      for (;;) {
        const body = (await request({ method: "GET", url })).json();
        pages.push(body.items.map((item: Grumble) => item.text));
        if (body.nextCursor === null) break;
        assert.equal(typeof body.nextCursor, "string");
        assert.ok(pages.length < 3, "too many pages");
        url = `/api/boyaki?limit=2&cursor=${encodeURIComponent(body.nextCursor)}`;
      }
      assert.deepEqual(pages, [["5", "4"], ["3", "2"], ["1"]]);
      const all = (await request({ method: "GET", url: "/api/boyaki" })).json();
      assert.equal(all.items.length, 5, "without limit: the configured page size (50)");
      assert.equal(all.nextCursor, null);
    });

    it("accepts limit 1 and 100", async () => {
      await seed(["1", "2"]);
      const one = await request({ method: "GET", url: "/api/boyaki?limit=1" });
      assert.equal(one.statusCode, 200);
      assert.equal(one.json().items.length, 1);
      assert.equal((await request({ method: "GET", url: "/api/boyaki?limit=100" })).statusCode, 200);
    });

    it("refuses limit 0, 101, -1, 1.5 and abc with 400 JSON", async () => {
      for (const limit of ["0", "101", "-1", "1.5", "abc"]) {
        const response = await request({ method: "GET", url: `/api/boyaki?limit=${limit}` });
        assert.equal(response.statusCode, 400, `limit=${limit}`);
        const body = response.json();
        assert.equal(body.error, "invalid_request", `limit=${limit}`);
        assert.match(body.message, /limit/, `limit=${limit}`);
      }
    });

    it("refuses a garbage cursor with 400 JSON {error, message}", async () => {
      const response = await request({ method: "GET", url: "/api/boyaki?cursor=garbage" });
      assert.equal(response.statusCode, 400);
      const body = response.json();
      assert.deepEqual(Object.keys(body).sort(), ["error", "message"]);
      assert.equal(body.error, "invalid_cursor");
      assert.match(body.message, /cursor/);
      assert.equal((await request({ method: "GET", url: `/api/boyaki?cursor=${"a".repeat(600)}` })).statusCode, 400);
    });

    for (const [text, problem] of INVALID_TEXTS) {
      it(`POST refuses ${JSON.stringify(text)} with 400 naming the problem (${problem})`, async () => {
        const response = await postJson({ text });
        assert.equal(response.statusCode, 400);
        assert.deepEqual(response.json(), { error: "invalid_text", problem, message: PROBLEM_MESSAGES_EN[problem] });
        assert.deepEqual(await storedTexts(), []);
      });
    }

    it("POST refuses a missing or non-string text with 400 naming the field", async () => {
      for (const body of [
        {},
        { txt: "typo" },
        { text: 123 },
        { text: true },
        { text: null },
        { text: ["配列"] },
        { text: { nested: "x" } },
        "just a string",
        [{ text: "in an array" }],
      ]) {
        const response = await postJson(body);
        assert.equal(response.statusCode, 400, JSON.stringify(body));
        const answer = response.json();
        assert.equal(answer.error, "invalid_request", JSON.stringify(body));
        assert.match(answer.message, /text|object/, JSON.stringify(body));
      }
      assert.deepEqual(await storedTexts(), []);
    });

    it("POST refuses a body that is not JSON", async () => {
      const broken = await request({
        method: "POST",
        url: "/api/boyaki",
        headers: { "content-type": "application/json" },
        payload: '{"text": "閉じてない',
      });
      assert.equal(broken.statusCode, 400);
      assert.equal(broken.json().error, "invalid_json");
      assert.deepEqual(await storedTexts(), []);
    });

    it("POST accepts only application/json: text/plain and forms get 415 and store nothing", async () => {
      const bodies: [string, string][] = [
        ["text/plain", "ボヤキ"],
        ["text/plain", JSON.stringify({ text: "ボヤキ" })],
        ["application/x-www-form-urlencoded", "text=%E3%83%9C%E3%83%A4%E3%82%AD"],
        ["multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="text"\r\n\r\nボヤキ\r\n--x--\r\n'],
      ];
      for (const [contentType, payload] of bodies) {
        const response = await request({ method: "POST", url: "/api/boyaki", headers: { "content-type": contentType }, payload });
        assert.equal(response.statusCode, 415, contentType);
        assert.equal(response.json().error, "unsupported_media_type", contentType);
      }
      assert.deepEqual(await storedTexts(), []);
    });

    it("DELETE answers 204, then 404 for the same id", async () => {
      const [keep, gone] = await seed(["残る", "消える"]);
      const first = await request({ method: "DELETE", url: `/api/boyaki/${gone.id}` });
      assert.equal(first.statusCode, 204);
      assert.equal(first.body, "");
      const again = await request({ method: "DELETE", url: `/api/boyaki/${gone.id}` });
      assert.equal(again.statusCode, 404);
      assert.equal(again.json().error, "not_found");
      assert.deepEqual((await request({ method: "GET", url: "/api/boyaki" })).json().items, [keep]);
    });

    it("DELETE refuses malformed ids with 400 and deletes nothing", async () => {
      await seed(["無事"]);
      const ids = [
        "..%2F..%2Fetc",
        "..%2F..%2Fetc%2Fpasswd",
        "x".repeat(65),
        "x".repeat(200),
        "2026-11-22_123",
        "garbage",
        "%00",
        "%E0%A4%A",
      ];
      for (const id of ids) {
        const response = await request({ method: "DELETE", url: `/api/boyaki/${id}` });
        assert.equal(response.statusCode, 400, id);
        const body = response.json();
        assert.deepEqual(Object.keys(body).sort(), ["error", "message"], id);
        assert.match(body.error, /^invalid_/, id);
      }
      assert.deepEqual(await storedTexts(), ["無事"]);
    });

    it("answers unknown API routes with 404 JSON", async () => {
      const response = await request({ method: "GET", url: "/api/nothing-here" });
      assert.equal(response.statusCode, 404);
      assert.equal(response.json().error, "not_found");
    });
  });

  describe("health and DynamoDB outages", () => {
    it("/healthz answers 200 without DynamoDB", async () => {
      await t.stopDynamo();
      const response = await request({ method: "GET", url: "/healthz" });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), { status: "ok" });
      assert.equal(response.headers["cache-control"], "no-store");
    });

    it("/readyz: 200, 503 while DynamoDB is down, 200 again once it is back, same app", async () => {
      const app = t.app;
      const ready = await request({ method: "GET", url: "/readyz" });
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(ready.json(), { status: "ready" });

      await t.stopDynamo();
      const down = await request({ method: "GET", url: "/readyz" });
      assert.equal(down.statusCode, 503);
      assert.equal(down.headers["retry-after"], "5");
      assert.equal(down.json().error, "store_unavailable");
      assert.equal(typeof down.json().message, "string");

      await t.restartDynamo(); // same port, table created again
      assert.equal(t.app, app);
      const back = await request({ method: "GET", url: "/readyz" });
      assert.equal(back.statusCode, 200);
      assert.deepEqual(back.json(), { status: "ready" });
    });

    it("answers 503 (not 500) on pages and API while DynamoDB is down, and recovers", async () => {
      const [grumble] = await seed(["停電前"]);
      const session = await openSession(t.app);
      await t.stopDynamo();

      const page = await request({ method: "GET", url: "/" });
      assert.equal(page.statusCode, 503);
      assert.match(page.headers["content-type"] as string, /^text\/html/);
      assert.equal(alertMessage(page.body), UNAVAILABLE_MESSAGE_JA);

      const pageRequests: [string, Promise<{ statusCode: number; body: string }>][] = [
        ["form post", postForm(t.app, "/", { text: "届かない" }, session)],
        ["purify form", postForm(t.app, "/purify", { id: grumble.id }, session)],
      ];
      for (const [label, pending] of pageRequests) {
        const response = await pending;
        assert.equal(response.statusCode, 503, label);
        assert.equal(alertMessage(response.body), UNAVAILABLE_MESSAGE_JA, label);
      }

      const apiRequests: InjectOptions[] = [
        { method: "GET", url: "/api/boyaki" },
        { method: "POST", url: "/api/boyaki", payload: { text: "届かない" } },
        { method: "DELETE", url: `/api/boyaki/${grumble.id}` },
      ];
      for (const options of apiRequests) {
        const response = await request(options);
        assert.equal(response.statusCode, 503, `${options.method} ${options.url}`);
        assert.equal(response.json().error, "store_unavailable");
      }

      await t.restartDynamo();
      const posted = await postForm(t.app, "/", { text: "復旧" }, session);
      assert.equal(posted.statusCode, 303);
      assert.deepEqual(rowTexts(await homePage(t.app)), ["復旧"]);
    });
  });

  describe("static assets", () => {
    for (const [file, type] of [
      ["style.css", /^text\/css/],
      ["app.js", /javascript/],
    ] as const) {
      it(`serves /static/${file}`, async () => {
        const response = await request({ method: "GET", url: `/static/${file}` });
        assert.equal(response.statusCode, 200);
        assert.match(response.headers["content-type"] as string, type);
        assert.equal(response.body, readFileSync(path.join(PUBLIC_DIR, file), "utf8"));
      });
    }

    it("does not serve files outside public/", async () => {
      for (const url of ["/static/../src/config.ts", "/static/%2e%2e/src/config.ts", "/static/..%2Fpackage.json"]) {
        const response = await request({ method: "GET", url });
        assert.notEqual(response.statusCode, 200, url);
        assert.ok(!response.body.includes("loadConfig") && !response.body.includes('"dependencies"'), url);
      }
    });
  });
});
