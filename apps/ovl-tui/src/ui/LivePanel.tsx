/** The live panel: the upper dir's change events as they happen, newest first. */
import React, { memo } from 'react';
import { Box, Text } from 'ink';
import { clip, formatTime } from '../lib/format.js';
import type { ChangeEvent } from '../service/types.js';
import { useTheme } from './theme.js';

const KIND_COLORS: Partial<Record<ChangeEvent['kind'], string>> = {
  added: 'green',
  'copied-up': 'yellow',
  modified: 'yellow',
  deleted: 'red',
  opaque: 'magenta',
  'removed-from-upper': 'blue',
  rescan: 'red',
  unwatched: 'red',
};

/** `quiet`: what to say when nothing can change (default: there is no upper layer). */
export const LivePanel = memo(function LivePanel({ events, height, width, live, quiet = '  no upper layer: nothing can change' }: { events: ChangeEvent[]; height: number; width: number; live: boolean; quiet?: string | undefined }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" width={width} height={height + 1}>
      <Text bold wrap="truncate">
        {clip(`live: upper-dir changes, newest first (${events.length})`, width)}
      </Text>
      {events.length === 0 && <Text dimColor>{clip(live ? '  waiting for changes…' : quiet, width)}</Text>}
      {events.slice(0, height).map((ev, i) => (
        <Text key={`${ev.time}:${ev.path}:${i}`} wrap="truncate" color={theme.color(KIND_COLORS[ev.kind])}>
          {clip(`${formatTime(ev.time)} ${ev.kind.padEnd(18)} ${ev.path}`, width)}
        </Text>
      ))}
    </Box>
  );
});
