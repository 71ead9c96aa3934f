/** Plain-text tables for the terminal, in a stable layout the tests (and scripts using awk) can rely on. */

/** Left-aligned columns two spaces apart (the last column unpadded); `rightAligned` columns pad on the left. */
export function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column]!) : column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
        .join("  ")
        .trimEnd(),
    )
    .map((line) => line + "\n")
    .join("");
}
