import escapeHtml from "escape-html";
import { clockTime } from "../domain/calendar";
import { MAX_GRUMBLE_CODE_UNITS, MAX_GRUMBLE_GRAPHEMES, PROBLEM_MESSAGES_JA } from "../domain/grumble";
import type { Grumble } from "../store/grumbleStore";
import { CSRF_FIELD } from "./csrf";

export interface HomePageModel {
  items: Grumble[];
  nextCursor?: string;
  csrfToken: string;
  timeZone: string;
  /** A message about the last post attempt, shown above the list. */
  message?: string;
  /** What the user typed, kept when a post is refused. */
  draft?: string;
}

// All styling and behaviour come from /static files: the page has no inline script or style, so
// a strict Content-Security-Policy can forbid them.
function layout(body: string): string {
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Boyacky</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/style.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<header>
<h1><a href="/">Boyacky</a></h1>
<p class="tagline">今日もどこかでボヤかせていただきます</p>
</header>
<main>
${body}
</main>
</body>
</html>
`;
}

// Intl formatting is the costliest part of a row (about 2 µs, 100 times a page), and every page
// load shows the same grumbles again: their clock times are kept, a bounded number (the map is
// emptied when full). Only formatting is cached, never data: the list itself is read every time.
const shownTimes = new Map<string, Map<string, string>>();
const MAX_SHOWN_TIMES = 1_000;

function shownTime(postedAt: string, timeZone: string): string {
  let times = shownTimes.get(timeZone);
  if (!times) shownTimes.set(timeZone, (times = new Map()));
  let shown = times.get(postedAt);
  if (shown === undefined) {
    if (times.size >= MAX_SHOWN_TIMES) times.clear();
    shown = escapeHtml(clockTime(new Date(postedAt), timeZone));
    times.set(postedAt, shown);
  }
  return shown;
}

/** One row; `csrfField` is the page's hidden token field, already escaped (it is the same in every row). */
function row(grumble: Grumble, csrfField: string, timeZone: string): string {
  return `<tr>
<td class="time"><time datetime="${escapeHtml(grumble.postedAt)}">${shownTime(grumble.postedAt, timeZone)}</time></td>
<td class="text">${escapeHtml(grumble.text)}</td>
<td class="action"><form method="post" action="/purify">
${csrfField}
<input type="hidden" name="id" value="${escapeHtml(grumble.id)}">
<button type="submit" class="purify">浄化</button>
</form></td>
</tr>`;
}

export function renderHomePage(model: HomePageModel): string {
  const csrfField = `<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(model.csrfToken)}">`;
  const rows = model.items.map((grumble) => row(grumble, csrfField, model.timeZone)).join("\n");
  const message = model.message ? `<p class="message error" role="alert">${escapeHtml(model.message)}</p>` : "";
  const older = model.nextCursor
    ? `<p class="older"><a href="/?cursor=${encodeURIComponent(model.nextCursor)}">もっと前のボヤキ</a></p>`
    : "";
  const after = model.items.length ? older : `<p class="empty">今日のボヤキはまだありません。</p>`;
  const list = `<table class="grumbles">
<thead><tr><th>時間</th><th>今日のボヤキ</th><th><span class="visually-hidden">操作</span></th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${after}`;
  return layout(`<form method="post" action="/" class="post-form">
${csrfField}
<input type="text" name="text" placeholder="いまボヤいてる？" aria-label="ボヤキ" autocomplete="off" required
 maxlength="${MAX_GRUMBLE_CODE_UNITS}" data-max-graphemes="${MAX_GRUMBLE_GRAPHEMES}"
 data-too-long-message="${escapeHtml(PROBLEM_MESSAGES_JA.too_long)}" value="${escapeHtml(model.draft ?? "")}">
<button type="submit">ボヤく</button>
<span class="counter" data-grapheme-counter aria-live="polite"></span>
</form>
${message}
${list}`);
}

export function renderErrorPage(message: string): string {
  return layout(`<p class="message error" role="alert">${escapeHtml(message)}</p>
<p><a href="/">トップに戻る</a></p>`);
}
