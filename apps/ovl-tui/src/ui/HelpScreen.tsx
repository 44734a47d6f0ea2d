/** `?`: every key from the key table and what the marks mean. */
import React, { memo } from 'react';
import { Box, Text } from 'ink';
import { fit } from '../lib/format.js';
import { MARK_LEGEND } from '../lib/marks.js';
import { KEYMAP, keyLabel } from '../state/keymap.js';

export function helpLines(): string[] {
  const keys = KEYMAP.map((b) => `  ${b.keys.map(keyLabel).join(' ').padEnd(20)} ${b.help}`);
  const marks = MARK_LEGEND.map(([m, what]) => `  ${m.padEnd(6)} ${what}`);
  return ['Keys', ...keys, '', 'Marks (left of each row)', ...marks, '', 'Any key closes this screen.'];
}

export const HelpScreen = memo(function HelpScreen({ height, width }: { height: number; width: number }) {
  const lines = helpLines();
  // Two columns when the list does not fit in one.
  const perColumn = Math.max(1, height);
  const columns = lines.length > perColumn && width >= 100 ? 2 : 1;
  const colWidth = Math.floor(width / columns);
  return (
    <Box flexDirection="row" height={height}>
      {Array.from({ length: columns }, (_, c) => (
        <Box key={c} flexDirection="column" width={colWidth}>
          {lines.slice(c * perColumn, (c + 1) * perColumn).map((l, i) => (
            <Text key={i} wrap="truncate" bold={l !== '' && !l.startsWith(' ')}>
              {fit(l, colWidth)}
            </Text>
          ))}
        </Box>
      ))}
    </Box>
  );
});
