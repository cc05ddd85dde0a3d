/**
 * `npm run smoke -- <base-url> [--wait <seconds>]`: checks a running Boyacky end to end through
 * its public API, as the deploy workflow does right after `pulumi up`:
 *
 *   1. GET /healthz answers 200 {"status":"ok"} (with --wait: polls until it does, bounded);
 *   2. POST /api/boyaki with a uniquely marked grumble (`smoke-<8 random chars>`) → 201;
 *   3. GET /api/boyaki lists it (following nextCursor, at most `maxPages` pages);
 *   4. DELETE /api/boyaki/<id> → 204;
 *   5. GET /api/boyaki no longer lists it.
 *
 * Each step prints ✓ or ✗. The first failure stops the run (exit 1, with what was expected and
 * what came back). Whatever the run created is always deleted again, even after a failure.
 * Every request has its own timeout. A missing or invalid URL prints the usage line (exit 2).
 *
 * Importable: `runSmoke(baseUrl, options)` throws a `SmokeFailure`; `main(argv, io)` is the CLI.
 */
import { randomBytes } from "node:crypto";

export interface SmokeOptions {
  /** Where the step lines go; default console.log. */
  log?: (line: string) => void;
  /** Timeout of each single request, in ms. Default 10 000. */
  requestTimeoutMs?: number;
  /** Most list pages to read when looking for the grumble. Default 20. */
  maxPages?: number;
  /** Page size asked for when listing (the API allows 1–100). Default 100. */
  pageSize?: number;
  /** Keep polling /healthz for up to this many ms before giving up. Default 0: one try. */
  waitForHealthyMs?: number;
  /** Pause between two /healthz polls while waiting, in ms. Default 2 000. */
  pollIntervalMs?: number;
  /** The grumble's text; default `smoke-<8 random [a-z0-9]>`. Must be a valid grumble (1–20 graphemes). */
  marker?: string;
}

/** A failed check: its message says which step, what was expected and what came back. */
export class SmokeFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SmokeFailure";
  }
}

/** The command line was wrong: the CLI prints the message and the usage line, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const USAGE = "usage: npm run smoke -- <base-url> [--wait <seconds>]   (e.g. npm run smoke -- https://boyacky.example.com)";

interface Grumble {
  id: string;
  text: string;
  postedAt: string;
}

interface ListPage {
  day: string;
  items: Grumble[];
  nextCursor: string | null;
}

interface Response {
  status: number;
  contentType: string;
  body: string;
}

/** `smoke-` and 8 random characters from [a-z0-9]: 14 characters, a valid grumble. */
export function smokeMarker(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(8);
  let suffix = "";
  for (const byte of bytes) suffix += alphabet[byte % alphabet.length];
  return `smoke-${suffix}`;
}

/**
 * Checks and normalises the base URL: http or https, no query or fragment. A path is kept (the
 * app may sit under a prefix) and always ends with `/`, so API paths resolve below it.
 */
export function parseBaseUrl(raw: string | undefined): URL {
  if (raw === undefined || raw.trim() === "") throw new UsageError("missing the base URL of the app");
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`not a URL: ${JSON.stringify(raw)} (expected e.g. https://boyacky.example.com)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`the base URL must start with http:// or https://, not ${url.protocol}//`);
  }
  if (url.search || url.hash) throw new UsageError(`the base URL must not have a query or fragment: ${raw}`);
  if (url.username || url.password) throw new UsageError("the base URL must not contain credentials");
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    // fetch() reports network trouble as "fetch failed" and hides the reason in `cause`.
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as Error & { code?: string }).code;
      return code && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
    }
    return error.message;
  }
  return String(error);
}

function snippet(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat || "(empty body)";
}

class Client {
  constructor(
    private readonly base: URL,
    private readonly timeoutMs: number,
  ) {}

  url(path: string): URL {
    return new URL(path.replace(/^\//, ""), this.base);
  }

  async request(method: string, path: string, body?: unknown): Promise<Response> {
    const url = this.url(path);
    const headers: Record<string, string> = { accept: "application/json", "user-agent": "boyacky-smoke" };
    if (body !== undefined) headers["content-type"] = "application/json";
    try {
      const response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "manual",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return { status: response.status, contentType: response.headers.get("content-type") ?? "", body: await response.text() };
    } catch (error) {
      if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
        throw new SmokeFailure(`${method} ${url.href}: no answer within ${this.timeoutMs / 1000} s`);
      }
      throw new SmokeFailure(`${method} ${url.href}: could not connect (${describeError(error)})`);
    }
  }

  json(method: string, path: string, response: Response): unknown {
    try {
      return JSON.parse(response.body);
    } catch {
      throw new SmokeFailure(
        `${method} ${this.url(path).href}: expected a JSON body, got ${response.contentType || "no content-type"}: ${snippet(response.body)}`,
      );
    }
  }
}

function isGrumble(value: unknown): value is Grumble {
  const item = value as Grumble;
  return (
    typeof item === "object" &&
    item !== null &&
    typeof item.id === "string" &&
    typeof item.text === "string" &&
    typeof item.postedAt === "string"
  );
}

function isListPage(value: unknown): value is ListPage {
  const page = value as ListPage;
  return (
    typeof page === "object" &&
    page !== null &&
    typeof page.day === "string" &&
    Array.isArray(page.items) &&
    page.items.every(isGrumble) &&
    (page.nextCursor === null || typeof page.nextCursor === "string")
  );
}

function expectStatus(method: string, path: string, response: Response, expected: number, client: Client): void {
  if (response.status !== expected) {
    throw new SmokeFailure(
      `${method} ${client.url(path).href}: expected HTTP ${expected}, got ${response.status}: ${snippet(response.body)}`,
    );
  }
}

/**
 * Runs the checks against `baseUrl`. Resolves when all passed; rejects with a `SmokeFailure` (or
 * a `UsageError` for a bad URL) at the first failure, after deleting what it created.
 */
export async function runSmoke(baseUrl: string, options: SmokeOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const maxPages = options.maxPages ?? 20;
  const pageSize = options.pageSize ?? 100;
  const base = parseBaseUrl(baseUrl);
  const client = new Client(base, options.requestTimeoutMs ?? 10_000);
  const marker = options.marker ?? smokeMarker();

  // Runs one step: prints ✓ with its result, or ✗ with the failure, which it passes on.
  async function step<T>(title: string, body: () => Promise<{ value: T; detail: string }>): Promise<T> {
    try {
      const { value, detail } = await body();
      log(`✓ ${title}: ${detail}`);
      return value;
    } catch (error) {
      log(`✗ ${title}: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  // Lists today's grumbles page by page, at most maxPages, until one matches; returns it, if any.
  async function findInList(match: string | ((item: Grumble) => boolean)): Promise<{ item?: Grumble; pages: number; day: string }> {
    const matches = typeof match === "string" ? (item: Grumble) => item.id === match : match;
    let cursor: string | null = null;
    let day = "";
    for (let pages = 1; pages <= maxPages; pages++) {
      const path: string = `api/boyaki?limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const response = await client.request("GET", path);
      expectStatus("GET", path, response, 200, client);
      const page = client.json("GET", path, response);
      if (!isListPage(page)) {
        throw new SmokeFailure(
          `GET ${client.url(path).href}: not a list of grumbles ({day, items:[{id,text,postedAt}], nextCursor}): ${snippet(response.body)}`,
        );
      }
      day = page.day;
      const item = page.items.find(matches);
      if (item) return { item, pages, day };
      if (!page.nextCursor) return { pages, day };
      cursor = page.nextCursor;
    }
    throw new SmokeFailure(
      `GET ${client.url("api/boyaki").href}: still more pages after ${maxPages} pages of ${pageSize}; gave up looking for the grumble`,
    );
  }

  log(`smoke test of ${base.href} with the grumble "${marker}"`);
  let created: Grumble | undefined;
  let postSent = false;
  let deleted = false;
  try {
    await step("GET /healthz", async () => {
      const deadline = Date.now() + (options.waitForHealthyMs ?? 0);
      for (let attempt = 1; ; attempt++) {
        try {
          const response = await client.request("GET", "healthz");
          expectStatus("GET", "healthz", response, 200, client);
          const body = client.json("GET", "healthz", response) as { status?: unknown };
          if (body?.status !== "ok")
            throw new SmokeFailure(`GET ${client.url("healthz").href}: expected {"status":"ok"}, got ${snippet(response.body)}`);
          return { value: undefined, detail: `200 {"status":"ok"}${attempt > 1 ? ` (after ${attempt} tries)` : ""}` };
        } catch (error) {
          const pause = options.pollIntervalMs ?? 2_000;
          if (Date.now() + pause >= deadline) {
            throw attempt > 1 && error instanceof Error
              ? new SmokeFailure(`${error.message} (still failing after ${attempt} tries)`)
              : error;
          }
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      }
    });

    created = await step(`POST /api/boyaki "${marker}"`, async () => {
      postSent = true;
      const response = await client.request("POST", "api/boyaki", { text: marker });
      expectStatus("POST", "api/boyaki", response, 201, client);
      const item = client.json("POST", "api/boyaki", response);
      if (!isGrumble(item))
        throw new SmokeFailure(
          `POST ${client.url("api/boyaki").href}: expected the new grumble {id,text,postedAt}, got ${snippet(response.body)}`,
        );
      if (item.text !== marker)
        throw new SmokeFailure(
          `POST ${client.url("api/boyaki").href}: stored text ${JSON.stringify(item.text)}, sent ${JSON.stringify(marker)}`,
        );
      return { value: item, detail: `201, id ${item.id}` };
    });
    const id = created.id;

    await step("GET /api/boyaki lists it", async () => {
      const { item, pages, day } = await findInList(id);
      if (!item) {
        const dayNote = id.startsWith(`${day}_`)
          ? ""
          : ` (it was posted on another day than the list's ${day}: if the day just changed, run again)`;
        throw new SmokeFailure(`the grumble ${id} that POST answered 201 for is not in today's list (${pages} page(s) read)${dayNote}`);
      }
      if (item.text !== marker)
        throw new SmokeFailure(`the grumble ${id} is listed with the text ${JSON.stringify(item.text)}, not ${JSON.stringify(marker)}`);
      return { value: undefined, detail: `found on page ${pages}` };
    });

    await step(`DELETE /api/boyaki/${id}`, async () => {
      const path = `api/boyaki/${encodeURIComponent(id)}`;
      const response = await client.request("DELETE", path);
      expectStatus("DELETE", path, response, 204, client);
      deleted = true;
      return { value: undefined, detail: "204" };
    });

    await step("GET /api/boyaki no longer lists it", async () => {
      const { item, pages } = await findInList(id);
      if (item) throw new SmokeFailure(`the grumble ${id} is still listed after DELETE answered 204`);
      return { value: undefined, detail: `gone (${pages} page(s) read)` };
    });
  } finally {
    // Never leave a test grumble behind, whatever failed above. When the POST failed or timed
    // out, it may still have been stored: look for the (unique) marker text and delete that.
    if (!deleted && (created || postSent)) {
      try {
        const id = created?.id ?? (await findInList((item) => item.text === marker)).item?.id;
        if (id === undefined) {
          log(`  cleanup: "${marker}" is not listed, nothing to delete`);
        } else {
          const response = await client.request("DELETE", `api/boyaki/${encodeURIComponent(id)}`);
          if (response.status === 204 || response.status === 404) {
            log(`  cleanup: DELETE /api/boyaki/${id} → ${response.status}`);
          } else {
            log(`✗ cleanup: DELETE /api/boyaki/${id} → ${response.status}: delete "${marker}" by hand`);
          }
        }
      } catch (error) {
        log(`✗ cleanup: ${error instanceof Error ? error.message : String(error)}: delete "${marker}" by hand`);
      }
    }
  }
}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Parses `<base-url> [--wait <seconds>]`. */
export function parseArgs(argv: string[]): { baseUrl: string; waitSeconds: number } {
  const positional: string[] = [];
  let waitSeconds = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") throw new UsageError("");
    if (arg === "--wait" || arg.startsWith("--wait=")) {
      const value = arg === "--wait" ? argv[++i] : arg.slice("--wait=".length);
      const seconds = Number(value);
      if (value === undefined || value === "" || !Number.isInteger(seconds) || seconds < 0 || seconds > 900) {
        throw new UsageError(`--wait needs a whole number of seconds from 0 to 900, not ${JSON.stringify(value ?? "")}`);
      }
      waitSeconds = seconds;
    } else if (arg.startsWith("-")) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length > 1) throw new UsageError(`expected one base URL, got ${positional.length}: ${positional.join(" ")}`);
  parseBaseUrl(positional[0]);
  return { baseUrl: positional[0], waitSeconds };
}

/** The CLI: returns the exit code (0 passed, 1 a check failed, 2 bad arguments). */
export async function main(argv: string[], io: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) }): Promise<number> {
  let args: { baseUrl: string; waitSeconds: number };
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      if (!error.message) {
        io.out(USAGE); // --help
        return 0;
      }
      io.err(`smoke: ${error.message}`);
      io.err(USAGE);
      return 2;
    }
    throw error;
  }
  try {
    await runSmoke(args.baseUrl, { log: io.out, waitForHealthyMs: args.waitSeconds * 1000 });
    io.out(`smoke test PASSED against ${parseBaseUrl(args.baseUrl).href}`);
    return 0;
  } catch (error) {
    io.err(`smoke test FAILED against ${args.baseUrl}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`smoke: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
