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

/** `text` cut into lines of `width` characters, at most `max` of them (the last ends in '…' when cut). */
export function wrapLines(text: string, width: number, max: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (let i = 0; i < text.length && out.length < max; i += w) out.push(text.slice(i, i + w));
  if (out.length === max && text.length > max * w) out[max - 1] = cut(`${out[max - 1]!}…`, w);
  return out;
}
