/**
 * The top of the screen: what is open (for a container or an image: engine, name, short id,
 * image, state), its layers (index and path), the mount options.
 */
import React, { memo } from 'react';
import { Box, Text } from 'ink';
import { clip } from '../lib/format.js';
import { shortId } from '../service/subjects.js';
import type { HeaderInfo, Subject } from '../service/types.js';
import { useTheme } from './theme.js';

/** Layers listed before '… N more' (a 500-layer stack must not push the tree off screen). */
export const MAX_LAYER_LINES = 4;

export function headerHeight(info: HeaderInfo): number {
  return 2 + (info.subject ? 1 : 0) + Math.min(info.layers.length, MAX_LAYER_LINES + 1) + info.notes.length;
}

/** `podman container web  3f2a9c1d0b7e  image docker.io/library/alpine:latest  running, mounted` */
export function subjectLine(s: Subject): string {
  const image = s.image === '' ? '' : `  ${s.kind === 'container' ? 'image' : 'also'} ${s.image}`;
  return `  ${s.engine} ${s.kind} ${s.name}  ${shortId(s.id)}${image}  ${s.state}`;
}

function optionsText(options: HeaderInfo['options']): string {
  const parts = Object.entries(options).map(([k, v]) => (v === true ? k : `${k}=${v}`));
  return parts.length > 0 ? parts.join(',') : '(none: not mounted)';
}

export const Header = memo(function Header({ info, width }: { info: HeaderInfo; width: number }) {
  const theme = useTheme();
  const shown = info.layers.length > MAX_LAYER_LINES + 1 ? info.layers.slice(0, MAX_LAYER_LINES) : info.layers;
  const more = info.layers.length - shown.length;
  return (
    <Box flexDirection="column">
      <Text bold color={theme.color('cyan')} wrap="truncate">
        {clip(`ovl-tui  ${info.target}  [${info.mode}${info.writable ? '' : ', read-only'}]`, width)}
      </Text>
      {info.subject && (
        <Text bold wrap="truncate">
          {clip(subjectLine(info.subject), width)}
        </Text>
      )}
      {shown.map((l) => (
        <Text key={String(l.id)} wrap="truncate">
          {clip(`  ${l.id === 'upper' ? 'upper ' : `L${l.id}`.padEnd(6)} ${l.path}`, width)}
        </Text>
      ))}
      {more > 0 && <Text dimColor>{clip(`  … and ${more} more lower layers`, width)}</Text>}
      <Text dimColor wrap="truncate">
        {clip(`  options: ${optionsText(info.options)}`, width)}
      </Text>
      {info.notes.map((n, i) => (
        <Text key={i} color={theme.color('yellow')} wrap="truncate">
          {clip(n, width)}
        </Text>
      ))}
    </Box>
  );
});
