/**
 * The export's CSV, as pure functions: rows in, bytes out. The columns are the original
 * osenchi.py's (ID, Date, Boyaki, Sentiment, Positive, Negative, Neutral) plus Comprehend's Mixed.
 *
 * - RFC 4180: fields with a comma, a double quote, CR or LF are quoted, quotes doubled; CRLF
 *   after every record, the header included.
 * - A field starting with = + - @ (or a tab or CR) gets a leading ' so that Excel shows it as
 *   text instead of running it as a formula (OWASP "CSV injection"): a grumble is user input.
 * - `utf8`: UTF-8 with a byte order mark, which is how Excel recognises UTF-8.
 *   `shift_jis`: Windows-31J (CP932, Excel's "Shift_JIS" on Windows), through iconv-lite. A
 *   character it cannot hold (emoji, 𠮷, most non-Japanese scripts) is replaced by `?`, one per
 *   user-perceived character, and counted; it never fails the export.
 */
import iconv from "iconv-lite";
import type { SentimentScore } from "./sentiment";

export const EXPORT_ENCODINGS = ["utf8", "shift_jis"] as const;
export type ExportEncoding = (typeof EXPORT_ENCODINGS)[number];

export const CSV_COLUMNS = ["ID", "Date", "Boyaki", "Sentiment", "Positive", "Negative", "Neutral", "Mixed"] as const;

/** One grumble as exported. Without a score, the five sentiment columns are left empty. */
export interface ExportRow {
  id: string;
  /** Local date and time of the post, `2026-12-01 23:59:59`. */
  date: string;
  text: string;
  score?: SentimentScore;
}

export interface CsvFile {
  body: Buffer;
  /** For S3's Content-Type, with the charset. */
  contentType: string;
  /** Shift_JIS only: how many characters were replaced by `?`, and the ids of their rows. */
  replaced: { characters: number; rowIds: string[] };
}

const CONTENT_TYPES: Record<ExportEncoding, string> = {
  utf8: "text/csv; charset=utf-8",
  shift_jis: "text/csv; charset=Shift_JIS",
};

const BOM = "\uFEFF";

function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

// Comprehend's scores have more digits than matter; osenchi.py rounded to 8. Fixed notation, so
// a tiny score never comes out as `1e-7`.
function scoreField(value: number | undefined): string {
  return value === undefined ? "" : value.toFixed(8);
}

function rowFields({ id, date, text, score }: ExportRow): string[] {
  return [id, date, text, score?.sentiment ?? "", ...[score?.positive, score?.negative, score?.neutral, score?.mixed].map(scoreField)];
}

/**
 * Characters that JIS X 0208 has but whose usual Unicode form (as typed on a Mac, say) differs
 * from the one CP932 maps: 〜 (U+301C) is CP932's ～ (U+FF5E), and so on. Folded, not replaced.
 */
const CP932_FORMS: Record<string, string> = {
  "\u301C": "\uFF5E", // WAVE DASH → FULLWIDTH TILDE
  "\u2016": "\u2225", // DOUBLE VERTICAL LINE → PARALLEL TO
  "\u2212": "\uFF0D", // MINUS SIGN → FULLWIDTH HYPHEN-MINUS
  "\u2014": "\u2015", // EM DASH → HORIZONTAL BAR
  "\u00A2": "\uFFE0", // ¢
  "\u00A3": "\uFFE1", // £
  "\u00AC": "\uFFE2", // ¬
  "\u00A6": "\uFFE4", // ¦
};

const graphemes = new Intl.Segmenter("ja", { granularity: "grapheme" });
const representable = new Map<string, boolean>();

// iconv-lite writes `?` (0x3F) for a character it cannot encode, and 0x3F is never part of a
// two-byte Shift_JIS character, so a lone 0x3F for anything but `?` means "not in Shift_JIS".
function inShiftJis(codePoint: string): boolean {
  let known = representable.get(codePoint);
  if (known === undefined) {
    const bytes = iconv.encode(codePoint, "shift_jis");
    known = codePoint === "?" || !(bytes.length === 1 && bytes[0] === 0x3f);
    representable.set(codePoint, known);
  }
  return known;
}

/** `text` with every character Shift_JIS cannot hold replaced by `?`, and how many were. */
export function fitShiftJis(text: string): { text: string; replaced: number } {
  let fitted = "";
  let replaced = 0;
  for (const { segment } of graphemes.segment(text)) {
    const folded = Array.from(segment, (codePoint) => CP932_FORMS[codePoint] ?? codePoint);
    if (folded.every(inShiftJis)) {
      fitted += folded.join("");
    } else {
      fitted += "?";
      replaced += 1;
    }
  }
  return { text: fitted, replaced };
}

/** The whole file: the header, then one record per row in the given order. */
export function writeCsv(rows: readonly ExportRow[], encoding: ExportEncoding): CsvFile {
  const header = csvRecord(CSV_COLUMNS);
  const records = rows.map((row) => csvRecord(rowFields(row)));
  if (encoding === "utf8") {
    return {
      body: Buffer.from(BOM + header + records.join(""), "utf8"),
      contentType: CONTENT_TYPES.utf8,
      replaced: { characters: 0, rowIds: [] },
    };
  }
  const replaced: CsvFile["replaced"] = { characters: 0, rowIds: [] };
  const fitted = records.map((record, index) => {
    const fit = fitShiftJis(record);
    if (fit.replaced > 0) {
      replaced.characters += fit.replaced;
      replaced.rowIds.push(rows[index].id);
    }
    return fit.text;
  });
  return { body: iconv.encode(header + fitted.join(""), "shift_jis"), contentType: CONTENT_TYPES.shift_jis, replaced };
}
