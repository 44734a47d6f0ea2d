/** One row of the merged tree: cursor, provenance mark, name, size, mode. Memoized by entry. */
import React, { memo } from 'react';
import { Text } from 'ink';
import { fit, formatMode, formatSize } from '../lib/format.js';
import { markOf, MARK_WIDTH } from '../lib/marks.js';
import { isPlaceholder } from '../lib/placeholder.js';
import type { Row } from '../state/rows.js';
import { useTheme } from './theme.js';

const SIZE_WIDTH = 6;
const MODE_WIDTH = 10;

function nameText(row: Row): string {
  const e = row.entry;
  const twisty = e.type === 'dir' ? (row.expanded ? '▾ ' : '▸ ') : '  ';
  let name = `${'  '.repeat(row.depth)}${twisty}${e.name}${e.type === 'dir' ? '/' : ''}`;
  if (e.redirect !== undefined) name += ` ← ${e.redirect}`;
  return name;
}

/** The row as plain text (the component adds colour; tests and the bench read this). */
export function rowText(row: Row, width: number, selected: boolean): string {
  const e = row.entry;
  const showMode = width >= 50;
  const fixed = 2 + MARK_WIDTH + 1 + 1 + SIZE_WIDTH + (showMode ? 1 + MODE_WIDTH : 0);
  const unknown = e.type === 'whiteout' || isPlaceholder(e); // no size, no mode
  const size = unknown ? '' : e.type === 'dir' ? '-' : formatSize(e.size);
  const cols = `${size.padStart(SIZE_WIDTH)}${showMode ? ` ${unknown ? ''.padEnd(MODE_WIDTH) : formatMode(e.mode)}` : ''}`;
  return `${selected ? '>' : ' '} ${markOf(e).text.padEnd(MARK_WIDTH)} ${fit(nameText(row), Math.max(1, width - fixed))} ${cols}`;
}

export const TreeRow = memo(function TreeRow({ row, width, selected }: { row: Row; width: number; selected: boolean }) {
  const theme = useTheme();
  const mark = markOf(row.entry);
  return (
    <Text wrap="truncate" inverse={selected} color={theme.color(mark.color)} dimColor={mark.dim}>
      {rowText(row, width, selected)}
    </Text>
  );
});
