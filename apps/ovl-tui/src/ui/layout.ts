/**
 * Where everything goes for a terminal size. Pure. The frame is one row shorter than the
 * terminal: Ink 6 clears the whole screen before every frame that fills it (flicker).
 */
export interface Layout {
  treeWidth: number;
  sideWidth: number;
  /** Tree rows (without its title). */
  treeHeight: number;
  previewHeight: number;
  liveHeight: number;
}

export function layout(columns: number, rows: number, headerHeight: number): Layout {
  const frame = Math.max(8, rows - 1);
  const body = Math.max(3, frame - headerHeight - 1);
  const treeWidth = columns < 80 ? columns : Math.floor(columns * 0.55);
  const sideWidth = columns < 80 ? 0 : columns - treeWidth - 1;
  const liveHeight = Math.max(1, Math.min(8, Math.floor(body / 3)));
  // Side column: preview title + lines, live title + lines.
  return { treeWidth, sideWidth, treeHeight: body - 1, previewHeight: Math.max(1, body - liveHeight - 2), liveHeight };
}
