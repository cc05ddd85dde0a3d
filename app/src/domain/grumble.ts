/**
 * What makes a grumble acceptable. Pure rules, no I/O: the HTTP layer and the store both rely on
 * a text having passed `validateGrumbleText` before it is stored.
 */

/** Longest grumble, in user-perceived characters (grapheme clusters), as in the hands-on's fix. */
export const MAX_GRUMBLE_GRAPHEMES = 20;

/**
 * Upper bound on the raw input in UTF-16 code units. Twenty graphemes can be long (a family emoji
 * is 11 code units), so this only rejects abuse early; the grapheme count is the real rule.
 */
export const MAX_GRUMBLE_CODE_UNITS = 400;

export type GrumbleProblem = "empty" | "too_long" | "control_characters";

export type GrumbleValidation =
  | { ok: true; text: string }
  | { ok: false; problem: GrumbleProblem; message: string };

/** Messages shown on the page, in the app's language. */
export const PROBLEM_MESSAGES_JA: Record<GrumbleProblem, string> = {
  empty: "ボヤキを入力してください。",
  too_long: `ボヤキは${MAX_GRUMBLE_GRAPHEMES}文字以内でお願いします。`,
  control_characters: "ボヤキに使えない文字（制御文字）が含まれています。",
};

/** The same problems for API clients, in English. */
export const PROBLEM_MESSAGES_EN: Record<GrumbleProblem, string> = {
  empty: "text must not be empty or only white space",
  too_long: `text must be at most ${MAX_GRUMBLE_GRAPHEMES} characters (grapheme clusters)`,
  control_characters: "text must not contain control characters, bidirectional overrides or unpaired surrogates",
};

const segmenter = new Intl.Segmenter("ja", { granularity: "grapheme" });

// C0/C1 controls (including NUL, tab and newlines: a grumble is one line), plus the bidi
// overrides and isolates that can make a row display differently from what was stored, plus lone
// UTF-16 surrogates (JSON's "\ud800"), which are no character at all and have no UTF-8 form.
const FORBIDDEN = /[\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069]/u;

/** Counts user-perceived characters: 20 kanji or 20 emoji (even multi-code-point ones) are 20. */
export function countGraphemes(text: string): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

function reject(problem: GrumbleProblem): GrumbleValidation {
  return { ok: false, problem, message: PROBLEM_MESSAGES_JA[problem] };
}

/** Trims the text and checks it: 1–20 graphemes, no control characters. */
export function validateGrumbleText(raw: string): GrumbleValidation {
  const text = raw.trim();
  if (text.length === 0) return reject("empty");
  if (FORBIDDEN.test(text)) return reject("control_characters");
  if (text.length > MAX_GRUMBLE_CODE_UNITS || countGraphemes(text) > MAX_GRUMBLE_GRAPHEMES) {
    return reject("too_long");
  }
  return { ok: true, text: text.normalize("NFC") };
}
