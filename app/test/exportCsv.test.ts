import assert from "node:assert/strict";
import iconv from "iconv-lite";
import { CSV_COLUMNS, fitShiftJis, writeCsv, type ExportRow } from "../src/export/csv";

const HEADER = "ID,Date,Boyaki,Sentiment,Positive,Negative,Neutral,Mixed\r\n";
const SCORE = { sentiment: "NEGATIVE", positive: 0.01, negative: 0.9712345678, neutral: 0.0000001, mixed: 0.0187654322 } as const;

function row(text: string, id = "2026-11-22_1795316400000-3e3d5dffde", score?: ExportRow["score"]): ExportRow {
  return { id, date: "2026-11-22 12:00:00", text, score };
}

/** The UTF-8 file as text, after checking and removing its byte order mark. */
function utf8Text(rows: ExportRow[]): string {
  const { body } = writeCsv(rows, "utf8");
  assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 with a BOM");
  return body.subarray(3).toString("utf8");
}

describe("export CSV writer", () => {
  it("has the original's columns plus Mixed, and a header-only file for an empty day", () => {
    assert.deepEqual(CSV_COLUMNS, ["ID", "Date", "Boyaki", "Sentiment", "Positive", "Negative", "Neutral", "Mixed"]);
    assert.equal(utf8Text([]), HEADER);
  });

  it("writes one CRLF record per row, scores with 8 decimals in fixed notation", () => {
    assert.equal(
      utf8Text([row("眠い", undefined, SCORE)]),
      `${HEADER}2026-11-22_1795316400000-3e3d5dffde,2026-11-22 12:00:00,眠い,NEGATIVE,0.01000000,0.97123457,0.00000010,0.01876543\r\n`,
    );
  });

  it("leaves the five sentiment columns empty for a row without a score", () => {
    assert.equal(utf8Text([row("眠い")]), `${HEADER}2026-11-22_1795316400000-3e3d5dffde,2026-11-22 12:00:00,眠い,,,,,\r\n`);
  });

  it("quotes fields with commas, quotes, CR or LF as RFC 4180 says, and nothing else", () => {
    const cases: [string, string][] = [
      ["a,b", '"a,b"'],
      ['say "no"', '"say ""no"""'],
      ["two\nlines", '"two\nlines"'],
      ["cr\rlf\r\n", '"cr\rlf\r\n"'],
      ['"', '""""'],
      ["plain 文字 😀", "plain 文字 😀"],
      ["", ""],
    ];
    for (const [text, field] of cases) {
      assert.equal(
        utf8Text([row(text)]),
        `${HEADER}2026-11-22_1795316400000-3e3d5dffde,2026-11-22 12:00:00,${field},,,,,\r\n`,
        JSON.stringify(text),
      );
    }
  });

  it("keeps Excel from running a grumble as a formula (CSV injection)", () => {
    const cases: [string, string][] = [
      ["=1+1", "'=1+1"],
      ["+81", "'+81"],
      ["-_-", "'-_-"],
      ["@SUM(A1)", "'@SUM(A1)"],
      ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
      ["a=b", "a=b"],
    ];
    for (const [text, field] of cases) {
      assert.equal(
        utf8Text([row(text)])
          .split("\r\n")[1]
          .split(",2026-11-22 12:00:00,")[1],
        `${field},,,,,`,
        JSON.stringify(text),
      );
    }
  });

  it("labels each encoding's Content-Type", () => {
    assert.equal(writeCsv([], "utf8").contentType, "text/csv; charset=utf-8");
    assert.equal(writeCsv([], "shift_jis").contentType, "text/csv; charset=Shift_JIS");
  });

  describe("Shift_JIS", () => {
    it("encodes Japanese as Windows-31J, with no BOM", () => {
      const file = writeCsv([row("今日も残業、つらい", undefined, SCORE)], "shift_jis");
      assert.notEqual(file.body[0], 0xef);
      assert.equal(iconv.decode(file.body, "shift_jis").split("\r\n")[1].split(",")[2], "今日も残業、つらい");
      assert.ok(file.body.includes(Buffer.from([0x8d, 0xa1])), "今 is 0x8DA1 in Shift_JIS");
      assert.deepEqual(file.replaced, { characters: 0, rowIds: [] });
    });

    it("replaces what it cannot hold by one ? per character, counts it and names the rows", () => {
      const rows = [row("𠮷野家で😀", "id-1"), row("普通のボヤキ", "id-2"), row("家族👨‍👩‍👧‍👦と🇯🇵", "id-3")];
      const file = writeCsv(rows, "shift_jis");
      const lines = iconv.decode(file.body, "shift_jis").split("\r\n");
      assert.equal(lines[1], "id-1,2026-11-22 12:00:00,?野家で?,,,,,");
      assert.equal(lines[2], "id-2,2026-11-22 12:00:00,普通のボヤキ,,,,,");
      // A family emoji (7 code points) and a flag (2) are one character each, so one ? each.
      assert.equal(lines[3], "id-3,2026-11-22 12:00:00,家族?と?,,,,,");
      assert.deepEqual(file.replaced, { characters: 4, rowIds: ["id-1", "id-3"] });
    });

    it("writes the characters JIS has under another Unicode form (〜 −) as CP932's, not as ?", () => {
      assert.deepEqual(fitShiftJis("疲れた〜 −1 ‖ — ¢£¬¦"), { text: "疲れた～ －1 ∥ ― ￠￡￢￤", replaced: 0 });
      const file = writeCsv([row("疲れた〜")], "shift_jis");
      assert.ok(file.body.includes(Buffer.from([0x81, 0x60])), "〜 is written as 0x8160, the wave dash of Shift_JIS");
    });

    it("keeps a real ? and half-width katakana, and never throws", () => {
      assert.deepEqual(fitShiftJis("え?ｶﾀｶﾅ"), { text: "え?ｶﾀｶﾅ", replaced: 0 });
      assert.deepEqual(fitShiftJis("é ü Ω"), { text: "? ? Ω", replaced: 2 });
      assert.deepEqual(fitShiftJis("\ud800 lone"), { text: "? lone", replaced: 1 });
    });
  });
});
