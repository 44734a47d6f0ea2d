/** Cells laid out in columns for the list screens and `--list`. Pure. */

/**
 * Each column as wide as its widest cell, up to its cap; the last column is not padded. With
 * `fit`, the `shrink` columns (widest first, down to `min` each) give up what the line would
 * need beyond `fit.width`, so the columns after them stay on screen.
 */
export function layoutColumns(rows: readonly (readonly string[])[], caps: readonly number[], fit?: { width: number; shrink: readonly number[]; min: number }): string[] {
  const widths = caps.map((cap, col) => Math.min(cap, Math.max(0, ...rows.map((r) => (r[col] ?? '').length))));
  if (fit) {
    let over = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1) - fit.width;
    while (over > 0) {
      const col = fit.shrink.filter((c) => widths[c]! > fit.min).sort((a, b) => widths[b]! - widths[a]!)[0];
      if (col === undefined) break;
      widths[col]!--;
      over--;
    }
  }
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
