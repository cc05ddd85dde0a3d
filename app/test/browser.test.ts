import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { countGraphemes, MAX_GRUMBLE_GRAPHEMES, PROBLEM_MESSAGES_JA } from "../src/domain/grumble";
import { launchChromium, loadedAfter } from "../harness/browser";
import { startTestApp, type ListeningTestApp } from "../harness/testApp";
import { TestClock } from "../harness/testClock";

const TOO_LONG = "あ".repeat(21);

/** Collects the directive of each CSP violation in `window.cspViolations`. */
const RECORD_CSP_VIOLATIONS = `
  window.cspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) => window.cspViolations.push(event.effectiveDirective));
`;

// Callbacks given to page.evaluate run in the page. The project compiles without the DOM library,
// so the little of it they use is declared here, in this module only.
interface PageElement {
  addEventListener(type: string, listener: () => void): void;
  submit(): void;
  validity: { valid: boolean };
  validationMessage: string;
}
declare const document: { querySelector(selector: string): PageElement };
declare const window: { submission: { invalid: boolean; submitted: boolean } };

describe("browser (headless Chromium against the listening app)", function () {
  this.timeout(30_000);
  let browser: Browser;
  let t: ListeningTestApp;
  let context: BrowserContext;
  let page: Page;
  let postedForms: Request[];

  before(async () => {
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    t = await startTestApp({ listen: true, now: new TestClock().now });
    context = await browser.newContext({ locale: "ja-JP" });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    postedForms = [];
    page.on("request", (request) => {
      if (request.method() === "POST") postedForms.push(request);
    });
    await page.goto(`${t.baseUrl}/`);
  });

  afterEach(async () => {
    await context?.close();
    await t?.close();
  });

  const input = () => page.locator('input[name="text"]');
  const rowTexts = () => page.locator("tbody td.text").allTextContents();

  async function storedTexts(): Promise<string[]> {
    return (await t.storedItems()).map((item) => String(item.text));
  }

  it("posts from the form: the grumble appears at the top of the table", async () => {
    await t.store.add("前からある");
    await page.reload();
    await input().fill("ブラウザからボヤく");
    await loadedAfter(page, () => page.getByRole("button", { name: "ボヤく" }).click());

    assert.equal(page.url(), `${t.baseUrl}/`);
    assert.deepEqual(await rowTexts(), ["ブラウザからボヤく", "前からある"]);
    assert.equal(await input().inputValue(), "", "the form is empty again");
    assert.deepEqual((await storedTexts()).sort(), ["ブラウザからボヤく", "前からある"].sort());
  });

  it("counts emoji as the server does: 20 family emoji are valid", async () => {
    await input().fill("👨‍👩‍👧‍👦".repeat(20));
    assert.equal(await input().evaluate((element) => (element as unknown as PageElement).validity.valid), true);
    assert.equal(await page.locator("[data-grapheme-counter]").textContent(), "20/20");
  });

  it("counts invisible, stacked and tagged text as the server does", async () => {
    const tags = [..."hidden"].map((character) => String.fromCodePoint(0xe0000 + character.codePointAt(0)!)).join("");
    const samples = [
      "\u200b\u200d\u2060\u00ad",
      "\u3164\u2800 \u2800",
      `a${"\u0301".repeat(31)}`,
      `眠い${tags}`,
      "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
      "ボヤ\u2028キ\u2029",
      `\u200b${"あ".repeat(20)}`,
    ];
    for (const sample of samples) {
      await input().fill(sample);
      const expected = countGraphemes(sample.trim());
      assert.equal(
        await page.locator("[data-grapheme-counter]").textContent(),
        `${expected}/${MAX_GRUMBLE_GRAPHEMES}`,
        JSON.stringify(sample),
      );
      const valid = await input().evaluate((element) => (element as unknown as PageElement).validity.valid);
      assert.equal(valid, expected <= MAX_GRUMBLE_GRAPHEMES, `${JSON.stringify(sample)}: the browser refuses exactly what is too long`);
    }
  });

  it("typing 21 characters makes the input invalid with the Japanese message: the form is not submitted", async () => {
    await input().fill(TOO_LONG);
    assert.equal(await page.locator('input[name="text"]:invalid').count(), 1);
    assert.equal(await input().evaluate((element) => (element as unknown as PageElement).validationMessage), PROBLEM_MESSAGES_JA.too_long);
    assert.equal(await page.locator("[data-grapheme-counter]").textContent(), "21/20");

    // Record what the click leads to: an `invalid` event means validation stopped the submission.
    await page.evaluate(() => {
      const state: typeof window.submission = { invalid: false, submitted: false };
      window.submission = state;
      document.querySelector('input[name="text"]').addEventListener("invalid", () => (state.invalid = true));
      document.querySelector("form.post-form").addEventListener("submit", () => (state.submitted = true));
    });
    await page.getByRole("button", { name: "ボヤく" }).click();
    await page.waitForFunction(() => window.submission.invalid);

    const state = await page.evaluate(() => window.submission);
    assert.equal(state.submitted, false);
    assert.deepEqual(postedForms, []);
    assert.equal(await input().inputValue(), TOO_LONG, "still the same page, draft kept");
    assert.deepEqual(await storedTexts(), []);
  });

  it("a forced 21-character post (form.submit() skips validation) is refused by the server in Japanese", async () => {
    await input().fill(TOO_LONG);
    const response = page.waitForResponse((candidate) => candidate.request().method() === "POST");
    await loadedAfter(page, () => page.evaluate(() => document.querySelector("form.post-form").submit()));

    assert.equal((await response).status(), 400);
    assert.equal(await page.getByRole("alert").textContent(), PROBLEM_MESSAGES_JA.too_long);
    assert.equal(await input().inputValue(), TOO_LONG, "the draft is kept");
    assert.deepEqual(await rowTexts(), []);
    assert.deepEqual(await storedTexts(), []);
  });

  it("works under the strict CSP: no violation and no console error while loading and posting", async () => {
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    // Every document records its CSP violations (the init script runs before the page's own).
    await page.addInitScript({ content: RECORD_CSP_VIOLATIONS });
    const violations = async () => (await page.evaluate("window.cspViolations")) as string[];

    await page.reload();
    assert.deepEqual(await violations(), []);
    // app.js ran (script-src 'self') and style.css applied (style-src 'self').
    assert.equal(await page.locator("[data-grapheme-counter]").textContent(), "0/20");
    assert.equal(await page.evaluate("getComputedStyle(document.querySelector('header h1 a')).color"), "rgb(91, 75, 138)");

    await input().fill("<script>x()</script>");
    await loadedAfter(page, () => page.getByRole("button", { name: "ボヤく" }).click()); // form-action 'self', 303 to /
    assert.deepEqual(await rowTexts(), ["<script>x()</script>"]);
    assert.deepEqual(await violations(), []);
    assert.deepEqual(problems, []);

    // The recorder does catch a violation: an injected inline script is blocked and reported.
    await page.evaluate(
      "document.body.appendChild(Object.assign(document.createElement('script'), { textContent: 'window.inlineRan = true' }))",
    );
    await page.waitForFunction("window.cspViolations.length > 0");
    assert.deepEqual(await violations(), ["script-src-elem"]);
    assert.equal(await page.evaluate("window.inlineRan"), undefined);
  });

  it("浄化 removes the row", async () => {
    await t.store.add("残る");
    await t.store.add("消える");
    await page.reload();
    assert.deepEqual(await rowTexts(), ["消える", "残る"]);

    const row = page.locator("tbody tr", { hasText: "消える" });
    await loadedAfter(page, () => row.getByRole("button", { name: "浄化" }).click());

    assert.deepEqual(await rowTexts(), ["残る"]);
    assert.deepEqual(await storedTexts(), ["残る"]);
  });
});
