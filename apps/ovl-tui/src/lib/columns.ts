/** Cells laid out in columns for the list screens and `--list`. Pure. */

/** Each column as wide as its widest cell, up to its cap; the last column is not padded. */
export function layoutColumns(rows: readonly (readonly string[])[], caps: readonly number[]): string[] {
  const widths = caps.map((cap, col) => Math.min(cap, Math.max(0, ...rows.map((r) => (r[col] ?? '').length))));
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cut(cell, widths[col]!).padEnd(widths[col]!))).join('  '));
}

/** At most `width` characters, '…' marking the cut. */
export function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** At most `width` characters of a path, keeping its end (where the name is). */
export function cutPathStart(path: string, width: number): string {
  return path.length <= width ? path : `…${path.slice(path.length - Math.max(0, width - 1))}`;
}
