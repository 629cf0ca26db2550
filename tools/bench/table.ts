// Tables shared by the generated reports (bench results, make compare).
// Owns: a plain-text table with aligned columns, and escaping a Markdown
// table cell. Never: decides what a table holds.

/** Rows (the first is the header) as columns padded to their widest cell, two spaces apart. */
export function plainTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd()).join("\n");
}

/** `text` safe inside a Markdown table cell. */
export function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|");
}
