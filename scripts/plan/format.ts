/** Small text helpers shared by the plan's renderers. */

/** US dollars to the cent. */
export function usd(value: number): string {
  return `$${value.toFixed(2)}`;
}

/** A unit price with as many decimals as it has (up to 7). */
export function unitPrice(value: number): string {
  const text = String(Number(value.toFixed(7)));
  const decimals = text.split(".")[1]?.length ?? 0;
  return `$${decimals < 2 ? value.toFixed(2) : text}`;
}

/** Left-aligned columns, numbers right-aligned when `right[i]`. */
export function columns(rows: string[][], right: boolean[] = []): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (right[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join("  ")
      .trimEnd(),
  );
}
