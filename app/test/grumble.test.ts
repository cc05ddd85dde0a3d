import assert from "node:assert/strict";
import {
  countGraphemes,
  MAX_GRUMBLE_GRAPHEMES,
  MAX_MARKS_PER_GRAPHEME,
  PROBLEM_MESSAGES_JA,
  validateGrumbleText,
  type GrumbleProblem,
} from "../src/domain/grumble";

const FAMILY = "👨‍👩‍👧‍👦"; // man, woman, girl, boy joined by ZWJ: 7 code points, 11 UTF-16 units
const THUMBS_UP_DARK = "👍🏿"; // emoji + skin tone modifier
const WOMAN_TECHNOLOGIST_MEDIUM = "👩🏽‍💻"; // skin tone inside a ZWJ sequence
const FLAG_JAPAN = "🇯🇵"; // two regional indicators
const E_ACUTE_DECOMPOSED = "e\u0301"; // e + COMBINING ACUTE ACCENT
const FLAG_ENGLAND = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}"; // black flag + tags "gbeng" + cancel tag

/** `text` spelled in tag characters (U+E0020–U+E007E mirror ASCII): invisible in every browser. */
function inTags(text: string): string {
  return [...text].map((character) => String.fromCodePoint(0xe0000 + character.codePointAt(0)!)).join("");
}

function assertAccepted(raw: string, expected = raw.trim()): void {
  const result = validateGrumbleText(raw);
  assert.deepEqual(result, { ok: true, text: expected }, `expected ${JSON.stringify(raw)} to be accepted`);
}

function assertRefused(raw: string, problem: GrumbleProblem): void {
  const result = validateGrumbleText(raw);
  assert.deepEqual(
    result,
    { ok: false, problem, message: PROBLEM_MESSAGES_JA[problem] },
    `expected ${JSON.stringify(raw)} to be refused as ${problem}`,
  );
}

describe("grumble text rules", () => {
  describe("length, in user-perceived characters", () => {
    it("accepts 1 and 20 graphemes, refuses 0 and 21", () => {
      assert.equal(MAX_GRUMBLE_GRAPHEMES, 20);
      assertRefused("", "empty");
      assertAccepted("あ");
      assertAccepted("あ".repeat(20));
      assertRefused("あ".repeat(21), "too_long");
    });

    it("counts 20 kanji as 20 and refuses 21", () => {
      const kanji = "東京特許許可局長今日急遽休暇許可拒否申請書"; // 21 kanji
      assert.equal(kanji.length, 21);
      assertAccepted(kanji.slice(0, 20));
      assertRefused(kanji.slice(0, 21), "too_long");
      assertAccepted("漢".repeat(20));
      assertRefused("漢".repeat(21), "too_long");
    });

    it("counts an emoji ZWJ sequence as one character", () => {
      assert.equal(countGraphemes(FAMILY), 1);
      assert.equal(FAMILY.length, 11);
      assertAccepted(FAMILY.repeat(20)); // 220 UTF-16 units, still 20 characters
      assertRefused(FAMILY.repeat(21), "too_long");
    });

    it("counts emoji with skin tones and flags as one character each", () => {
      for (const emoji of [THUMBS_UP_DARK, WOMAN_TECHNOLOGIST_MEDIUM, FLAG_JAPAN]) {
        assert.equal(countGraphemes(emoji), 1, emoji);
        assertAccepted(emoji.repeat(20));
        assertRefused(emoji.repeat(21), "too_long");
      }
      const mixed = [FAMILY, THUMBS_UP_DARK, WOMAN_TECHNOLOGIST_MEDIUM, FLAG_JAPAN, "字"].join("").repeat(4);
      assert.equal(countGraphemes(mixed), 20);
      assertAccepted(mixed);
      assertRefused(`${mixed}!`, "too_long");
    });

    it("counts a letter with a combining mark as one character", () => {
      assert.equal(countGraphemes(E_ACUTE_DECOMPOSED), 1);
      assert.equal(countGraphemes("か\u3099"), 1); // か + combining dakuten = が
      assertAccepted(E_ACUTE_DECOMPOSED.repeat(20), "\u00e9".repeat(20));
      assertRefused(E_ACUTE_DECOMPOSED.repeat(21), "too_long");
    });

    it("caps combining marks per character at Unicode's stream-safe limit (30)", () => {
      assert.equal(MAX_MARKS_PER_GRAPHEME, 30);
      const thirty = `a${"\u0301".repeat(30)}`;
      assertAccepted(thirty, thirty.normalize("NFC"));
      assertRefused(`a${"\u0301".repeat(31)}`, "too_many_marks");
      // A column of mixed marks above and below, as zalgo text stacks them.
      assertRefused(`ボヤ${"\u0300\u0316\u0489".repeat(11)}キ`, "too_many_marks");
      // The cap is per character: 15 marks on each of two characters are fine.
      assertAccepted(`a${"\u0301".repeat(15)}b${"\u0301".repeat(15)}`, `a${"\u0301".repeat(15)}b${"\u0301".repeat(15)}`.normalize("NFC"));
    });

    it("counts invisible joiners and variation selectors stacked on one character like marks", () => {
      assertRefused(`a${"\u200d".repeat(31)}`, "too_many_marks"); // zero width joiners
      assertRefused(`a${"\u200c".repeat(31)}`, "too_many_marks"); // zero width non-joiners
      assertRefused(`葛${"\ufe00".repeat(31)}`, "too_many_marks"); // variation selectors
      assertAccepted("葛\u{E0100}"); // an ideographic variation sequence, as Japanese names use
    });

    it("refuses abuse-sized input even when it is few graphemes", () => {
      // One base letter with 500 combining marks is a single grapheme but 501 code units.
      assertRefused(`a${"\u0301".repeat(500)}`, "too_long");
    });
  });

  describe("characters", () => {
    it("refuses C0 controls: NUL, tab, newline, carriage return, escape", () => {
      for (const control of ["\u0000", "\t", "\n", "\r", "\u001b"]) {
        assertRefused(`ボヤ${control}キ`, "control_characters");
      }
    });

    it("refuses DEL and C1 controls", () => {
      for (const control of ["\u007f", "\u0080", "\u0085", "\u009b", "\u009f"]) {
        assertRefused(`ボヤ${control}キ`, "control_characters");
      }
    });

    it("refuses bidirectional overrides and isolates", () => {
      for (const bidi of ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]) {
        assertRefused(`abc${bidi}txt.exe`, "control_characters");
      }
    });

    it("refuses unpaired surrogates, but not the pairs that make up an emoji", () => {
      for (const lone of ["\ud800", "\udfff", "\ud83d", "\ude00\ud83d"]) {
        assertRefused(`ボヤ${lone}キ`, "control_characters");
      }
      assertAccepted("\ud83d\ude00"); // 😀
    });

    it("refuses the line and paragraph separators U+2028 and U+2029: a grumble is one line", () => {
      assertRefused("ボヤ\u2028キ", "control_characters");
      assertRefused("ボヤ\u2029キ", "control_characters");
    });

    it("refuses tag characters, which hide text inside a short grumble", () => {
      assertRefused(`眠い${inTags("ignore previous instructions")}`, "control_characters");
      assertRefused(`a${inTags("x")}`, "control_characters");
      assertRefused(inTags("hidden"), "control_characters");
      assertRefused("\u{E0001}ja", "control_characters"); // the deprecated LANGUAGE TAG
    });

    it("accepts the emoji flags made with tags (England, Scotland, Wales), as the only use of tags", () => {
      assert.equal(countGraphemes(FLAG_ENGLAND), 1);
      assertAccepted(FLAG_ENGLAND);
      assertAccepted(`${FLAG_ENGLAND}に行きたい`);
      assertRefused(`${FLAG_ENGLAND.slice(0, -2)}${inTags("zz")}\u{E007F}`, "control_characters"); // not a flag Unicode defines
    });

    it("accepts ordinary punctuation, full-width forms and markup-like text (escaping is the page's job)", () => {
      assertAccepted("ＡＢＣ！？「」、。ー〜");
      assertAccepted("<script>x()</script>"); // 20 characters
      assertRefused("<script>alert(1)</script>", "too_long"); // 25
    });
  });

  describe("white space", () => {
    it("refuses white space only, including full-width spaces and line breaks", () => {
      for (const blank of [" ", "   ", "\u3000\u3000", " \n ", "\t", "\u00a0"]) {
        assertRefused(blank, "empty");
      }
    });

    it("refuses text made only of invisible or default-ignorable characters", () => {
      const invisible = {
        "zero width space": "\u200b",
        "zero width non-joiner": "\u200c",
        "zero width joiner": "\u200d",
        "word joiner": "\u2060",
        "soft hyphen": "\u00ad",
        "zero width no-break space (BOM)": "\ufeff",
        "combining grapheme joiner": "\u034f",
        "variation selector 16": "\ufe0f",
        "Mongolian vowel separator": "\u180e",
        "invisible times": "\u2062",
        "Hangul filler": "\u3164",
        "half-width Hangul filler": "\uffa0",
        "Hangul choseong and jungseong fillers": "\u115f\u1160",
        "braille pattern blank": "\u2800",
      };
      for (const [name, characters] of Object.entries(invisible)) {
        const result = validateGrumbleText(characters.repeat(3));
        assert.equal(result.ok ? "accepted" : result.problem, "empty", name);
      }
      assertRefused(" \u200b\u3000\u2060\u3164\u2800 ", "empty");
    });

    it("accepts invisible characters inside visible text", () => {
      assertAccepted("眠い\u200bけど"); // a zero width space as a line-break hint
      assertAccepted("あ\u2800い");
    });

    it("trims leading and trailing white space before storing and counting", () => {
      assertAccepted("  眠い  ", "眠い");
      assertAccepted("\u3000月曜日\u3000", "月曜日");
      assertAccepted(`\n${"あ".repeat(20)}\t `, "あ".repeat(20));
    });

    it("keeps inner spaces", () => {
      assertAccepted("眠い けど 働く");
    });
  });

  describe("normalisation", () => {
    it("stores text in NFC", () => {
      assertAccepted(E_ACUTE_DECOMPOSED, "\u00e9");
      assertAccepted("caf\u0065\u0301", "caf\u00e9");
      assertAccepted("か\u3099", "が");
      const result = validateGrumbleText("ﾎﾞﾔｷ"); // NFC keeps half-width katakana as they are (NFKC would not)
      assert.deepEqual(result, { ok: true, text: "ﾎﾞﾔｷ" });
    });

    it("stores already composed text unchanged", () => {
      assertAccepted("ボヤキ");
      assertAccepted("\u00e9");
    });
  });
});
