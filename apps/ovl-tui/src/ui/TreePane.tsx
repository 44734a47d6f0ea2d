/**
 * The merged tree, virtualized: only the rows on screen are rendered (fixed one-line rows),
 * whatever the size of the tree.
 */
import React, { memo } from 'react';
import { Box, Text } from 'ink';
import { clip } from '../lib/format.js';
import type { RowList } from '../state/rows.js';
import type { ViewOptions } from '../state/tree.js';
import { TreeRow } from './TreeRow.js';

interface Props {
  rows: RowList;
  cursor: number;
  scroll: number;
  height: number;
  width: number;
  options: ViewOptions;
  loading: boolean;
}

function titleText(p: Props): string {
  const flags = [
    `sort:${p.options.sort}`,
    p.options.changesOnly && 'changes only',
    !p.options.ghosts && 'ghosts off',
    !p.options.hidden && 'hidden off',
    p.options.filter !== '' && `filter:${p.options.filter}`,
    p.loading && 'loading…',
  ].filter(Boolean);
  return `merged tree  ${p.rows.length === 0 ? 0 : p.cursor + 1}/${p.rows.length}  ${flags.join('  ')}`;
}

export const TreePane = memo(function TreePane(p: Props) {
  const visible = p.rows.slice(p.scroll, p.scroll + p.height);
  return (
    <Box flexDirection="column" width={p.width} height={p.height + 1}>
      <Text bold wrap="truncate">
        {clip(titleText(p), p.width)}
      </Text>
      {visible.map((row, i) => (
        <TreeRow key={row.entry.path} row={row} width={p.width} selected={p.scroll + i === p.cursor} />
      ))}
      {visible.length === 0 && <Text dimColor>{p.loading ? '  reading…' : '  (nothing to show)'}</Text>}
    </Box>
  );
});
