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

/**
 * Most combining marks (and invisible joiners or variation selectors) one character may carry:
 * Unicode's stream-safe text format (UAX #15) allows 30 non-starters in a row. A real character
 * needs a handful; hundreds make a column that spills over other rows.
 */
export const MAX_MARKS_PER_GRAPHEME = 30;

export type GrumbleProblem = "empty" | "too_long" | "control_characters" | "too_many_marks";

export type GrumbleValidation = { ok: true; text: string } | { ok: false; problem: GrumbleProblem; message: string };

/** Messages shown on the page, in the app's language. */
export const PROBLEM_MESSAGES_JA: Record<GrumbleProblem, string> = {
  empty: "ボヤキを入力してください。",
  too_long: `ボヤキは${MAX_GRUMBLE_GRAPHEMES}文字以内でお願いします。`,
  control_characters: "ボヤキに使えない文字（制御文字・改行・タグ文字など）が含まれています。",
  too_many_marks: `1文字に付けられる結合文字は${MAX_MARKS_PER_GRAPHEME}個までです。`,
};

/** The same problems for API clients, in English. */
export const PROBLEM_MESSAGES_EN: Record<GrumbleProblem, string> = {
  empty: "text must contain a visible character, not only white space or invisible characters",
  too_long: `text must be at most ${MAX_GRUMBLE_GRAPHEMES} characters (grapheme clusters)`,
  control_characters:
    "text must not contain control characters, line or paragraph separators, bidirectional overrides, tag characters or unpaired surrogates",
  too_many_marks: `each character may carry at most ${MAX_MARKS_PER_GRAPHEME} combining marks or invisible joiners`,
};

const segmenter = new Intl.Segmenter("ja", { granularity: "grapheme" });

// C0/C1 controls and the line and paragraph separators U+2028/U+2029 (Zl, Zp: a grumble is one
// line), plus the bidi overrides and isolates that can make a row display differently from what
// was stored, plus lone UTF-16 surrogates (JSON's "\ud800"), which are no character at all and
// have no UTF-8 form.
const FORBIDDEN = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;

// The Tags block (JavaScript has no \p{Block=...}): invisible copies of ASCII that can hide any
// text inside a short grumble. Their one standard use is in emoji flags (England, Scotland,
// Wales), so a character holding a tag must be one of Unicode's recommended (RGI) emoji.
const TAG = /[\u{E0000}-\u{E007F}]/u;
// Built with `new RegExp`: the `v` flag (properties of strings) postdates the compile target.
const RGI_EMOJI = new RegExp("^\\p{RGI_Emoji}$", "v");

// A character that draws something: not white space, not a default-ignorable code point (which
// renderers show as nothing: zero width space and joiners, soft hyphen, Hangul fillers, variation
// selectors, tags...), not a control or format character. U+2800 BRAILLE PATTERN BLANK is the one
// exception Unicode's properties do not cover: a symbol (So) whose glyph is empty by design.
const VISIBLE = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\u2800]/u;

// What stacks on a character: combining marks, and default-ignorables that extend a grapheme
// (joiners, variation selectors).
const MARK = /[\p{M}\p{Default_Ignorable_Code_Point}]/gu;

function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (part) => part.segment);
}

/** Counts user-perceived characters: 20 kanji or 20 emoji (even multi-code-point ones) are 20. */
export function countGraphemes(text: string): number {
  return graphemes(text).length;
}

function hasForbidden(characters: string[]): boolean {
  return characters.some((character) => FORBIDDEN.test(character) || (TAG.test(character) && !RGI_EMOJI.test(character)));
}

function marksOn(character: string): number {
  return character.match(MARK)?.length ?? 0;
}

function reject(problem: GrumbleProblem): GrumbleValidation {
  return { ok: false, problem, message: PROBLEM_MESSAGES_JA[problem] };
}

/**
 * Trims the text and checks it: something visible, 1–20 graphemes of at most 30 marks each, no
 * control characters, separators or stray tags.
 */
export function validateGrumbleText(raw: string): GrumbleValidation {
  const text = raw.trim();
  if (text.length === 0) return reject("empty");
  // Refused early, before any per-character work.
  if (text.length > MAX_GRUMBLE_CODE_UNITS) return reject("too_long");
  const characters = graphemes(text);
  if (hasForbidden(characters)) return reject("control_characters");
  if (!VISIBLE.test(text)) return reject("empty");
  if (characters.length > MAX_GRUMBLE_GRAPHEMES) return reject("too_long");
  if (characters.some((character) => marksOn(character) > MAX_MARKS_PER_GRAPHEME)) return reject("too_many_marks");
  return { ok: true, text: text.normalize("NFC") };
}
