/**
 * Cheaper screen rows for the bundled Ink's `Output.get` (scripts/build.mjs puts these in).
 *
 * Every frame Ink's `Output.get` fills a grid of one object per screen cell (120 x 40 = 4,800
 * fresh `{ type, value, fullWidth, styles }` blanks), writes the texts' styled characters over
 * it, and turns each row back into a string (`styledCharsToString`, walking every cell and
 * diffing its styles with its neighbour's). That was the largest part of a frame left once the
 * text measuring was cached, and while a 100,000-entry dir loads its garbage adds to the
 * scavenges keys wait behind. A key mostly changes two rows (the cursor's old and new row);
 * the other 38 are the same cells as a frame ago (the frame cache hands Ink the last frame's
 * styled characters for a line it saw then, so the same cell objects).
 *
 * So: one shared blank cell (nothing in `Output.get` or the tokenizer writes to a cell), and a
 * row's string reused when the row holds exactly the cells, by identity, of the same row a
 * frame ago. What Ink writes out is unchanged.
 */

interface Cell {
  readonly value: string;
}

/** The cell of an empty screen position, shared by every row of every frame. */
export const BLANK_CELL = { type: 'char', value: ' ', fullWidth: false, styles: [] } as const;

/** The last frame's rows, by row number: their cells and the string they made. */
let lastRows: Array<{ cells: readonly (Cell | undefined)[]; text: string } | undefined> = [];

function sameCells(a: readonly (Cell | undefined)[], b: readonly (Cell | undefined)[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Row `y`'s string as Ink makes it (`toString` of its cells without the gaps, end trimmed),
 * reused when the row holds the same cells as row `y` of the last frame.
 */
export function rowString<C extends Cell>(cells: readonly (C | undefined)[], y: number, toString: (cells: C[]) => string): string {
  const last = lastRows[y];
  if (last !== undefined && sameCells(last.cells, cells)) return last.text;
  // Cells written past a wide character's end can leave gaps: Ink drops them.
  const present = cells.includes(undefined) ? cells.filter((c): c is C => c !== undefined) : (cells as C[]);
  const text = toString(present).trimEnd();
  lastRows[y] = { cells, text };
  return text;
}

/** Forget the kept rows (tests). */
export function forgetRows(): void {
  lastRows = [];
}
