/** The bottom line: a prompt or a question when one is open, else the last message and the main keys. */
import React, { memo } from 'react';
import { Text } from 'ink';
import { fit } from '../lib/format.js';
import { KEYMAP, keyLabel } from '../state/keymap.js';
import type { State } from '../state/state.js';
import { useTheme } from './theme.js';

const PROMPTS = {
  search: '/', filter: 'filter: ', 'create-file': 'new file: ', 'create-dir': 'new dir: ', rename: 'rename to: ',
  export: 'export layer to: ', commit: "commit into new layer dir ('top' = the top lower): ",
} as const;

function question(m: Extract<State['mode'], { kind: 'confirm' }>): string {
  if (m.confirm === 'delete') return `Delete ${m.path}? (y/n)`;
  if (m.confirm === 'revert') return `Revert ${m.path} to its lower version? This unmounts and mounts again. (y/n)`;
  return `${m.detail ?? 'Vacuum'} Remove them? (y/n)`;
}

export const MAIN_KEYS = KEYMAP.filter((b) => b.main)
  .map((b) => `${keyLabel(b.keys[0]!)} ${b.help.split(' ')[0]}`)
  .join('  ');

export function statusText(s: Pick<State, 'mode' | 'message' | 'pending'>): string {
  const m = s.mode;
  if (m.kind === 'prompt') return `${PROMPTS[m.prompt]}${m.text}█   (Enter ok, Esc cancel)`;
  if (m.kind === 'confirm') return question(m);
  if (m.kind === 'suspended') return `editing ${m.path}…`;
  const msg = s.message ? `${s.message.text}  │  ` : '';
  return `${s.pending.length > 0 ? `${s.pending.join('')}… ` : ''}${msg}${MAIN_KEYS}`;
}

export const StatusBar = memo(function StatusBar({ state, width }: { state: Pick<State, 'mode' | 'message' | 'pending'>; width: number }) {
  const theme = useTheme();
  const error = state.mode.kind === 'normal' && state.message?.error === true;
  return (
    <Text wrap="truncate" inverse color={theme.color(error ? 'red' : undefined)}>
      {fit(statusText(state), width)}
    </Text>
  );
});
