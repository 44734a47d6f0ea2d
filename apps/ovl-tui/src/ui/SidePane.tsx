/** The right-hand pane: the selected entry's provenance and its preview or diff. */
import React, { memo } from 'react';
import { Box, Text } from 'ink';
import { clip } from '../lib/format.js';
import type { PaneContent } from './panel-content.js';
import { useTheme } from './theme.js';

export const SidePane = memo(function SidePane({ content, height, width }: { content: PaneContent; height: number; width: number }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" width={width} height={height + 1}>
      <Text bold wrap="truncate">
        {clip(content.title === '' ? 'preview' : content.title, width)}
      </Text>
      {content.lines.slice(0, height).map((l, i) => (
        <Text key={i} wrap="truncate" color={theme.color(l.color)} dimColor={l.dim === true}>
          {clip(l.text, width)}
        </Text>
      ))}
    </Box>
  );
});
