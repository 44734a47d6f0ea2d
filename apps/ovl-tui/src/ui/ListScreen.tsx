/**
 * A full-screen list to choose from (the picker, an image's layer list): a header, column
 * headings, the rows the filter lets through (only those on screen are drawn), lines under
 * the list (problems, what to do when it is empty), an optional side pane for the selected
 * row, and a status line. The list state lives in the caller's hands (`saved`/`onSave`) so
 * it is still there when the user comes back from a view opened from it.
 */
import React, { useEffect, useReducer, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { wrapLines } from '../lib/columns.js';
import { clip, fit } from '../lib/format.js';
import { initialList, listReducer, selectedRow, type ListAction, type ListState } from '../state/list.js';
import type { InputGate } from '../terminal/input-gate.js';
import type { PaneLine } from './panel-content.js';
import { useTheme } from './theme.js';
import { useListKeys, type ListHandlers } from './use-list-keys.js';
import type { Size } from './use-terminal-size.js';

export interface ListRow {
  key: string;
  /** The row as shown (already in columns); the filter matches it. */
  text: string;
  color?: string;
}

export interface ListScreenProps {
  header: ReactNode;
  headerHeight: number;
  title: string;
  columns: string;
  rows: readonly ListRow[];
  /** Shown under the list: what could not be read, what to do when there is nothing. */
  notes: readonly PaneLine[];
  size: Size;
  gate: InputGate;
  /** Enter on row `index` (into rows). */
  onOpen(index: number): void;
  onBack?: (() => void) | undefined;
  onQuit(): void;
  onRefresh?: (() => void) | undefined;
  /** The status line's message (an error opening a row, say). */
  message?: { text: string; error: boolean } | undefined;
  /** The right-hand pane for the selected row (index into rows), when the terminal is wide enough. */
  side?: ((row: number | undefined, height: number, width: number) => ReactNode) | undefined;
  saved?: ListState | undefined;
  onSave?: ((s: ListState) => void) | undefined;
}

const rowsAction = (rows: readonly ListRow[]): ListAction => ({ type: 'list.rows', texts: rows.map((r) => r.text), keys: rows.map((r) => r.key) });

const KEYS_TEXT = 'j/k move  / filter  Enter open  Esc back  q quit';

export function ListScreen(p: ListScreenProps) {
  const theme = useTheme();
  const { columns: width, rows: termRows } = p.size;
  const frame = Math.max(8, termRows - 1);
  // An error (opening a row failed) gets lines of its own under the list, whole: it says what to do.
  const errorLines = p.message?.error ? wrapLines(p.message.text, width, 3).map((text): PaneLine => ({ text, color: 'red' })) : [];
  const notes = [...errorLines, ...p.notes].slice(0, Math.max(0, frame - p.headerHeight - 6));
  const height = Math.max(1, frame - p.headerHeight - 3 - notes.length);
  // The first frame already shows the rows (and a saved state its cursor and filter).
  const [state, dispatch] = useReducer(listReducer, undefined, () => listReducer(p.saved ?? initialList(height), rowsAction(p.rows)));
  const [help, setHelp] = React.useState(false);

  useEffect(() => dispatch({ type: 'list.resize', height }), [height]);
  useEffect(() => dispatch(rowsAction(p.rows)), [p.rows]);
  useEffect(() => {
    p.onSave?.(state);
  }, [state, p.onSave]);

  const handlers: ListHandlers = {
    open: (s) => {
      const row = selectedRow(s);
      if (row === undefined) return;
      // Saved now: React may never paint the keys' last state before this screen makes way.
      p.onSave?.(s);
      p.onOpen(row);
    },
    back: p.onBack,
    quit: p.onQuit,
    refresh: p.onRefresh,
    help: () => setHelp((h) => !h),
  };
  useListKeys(state, dispatch, handlers, p.gate);

  const sideWidth = p.side && width >= 100 ? Math.floor(width * 0.4) : 0;
  const listWidth = sideWidth > 0 ? width - sideWidth - 1 : width;
  // A saved state can name rows of an older list for one frame, until 'list.rows' has run.
  const shown = state.visible.slice(state.scroll, state.scroll + state.height).filter((i) => i < p.rows.length);
  const count = state.filter === '' ? `${state.visible.length}` : `${state.visible.length} of ${p.rows.length} match '${state.filter}'`;
  const status = state.prompt
    ? `/${state.prompt.text}█   (filters as you type; Enter keep, Esc clear)`
    : help
      ? `${KEYS_TEXT}  gg/G top/bottom  PgUp/PgDn page  l open  Ctrl-r reload  (? closes)`
      : p.message && !p.message.error
        ? `${p.message.text}  │  ${KEYS_TEXT}`
        : KEYS_TEXT;
  return (
    <Box flexDirection="column" width={width}>
      {p.header}
      <Text bold wrap="truncate">
        {clip(`${p.title}  (${count})`, width)}
      </Text>
      <Box flexDirection="row">
        <Box flexDirection="column" width={listWidth}>
          <Text dimColor wrap="truncate">
            {fit(`  ${p.columns}`, listWidth)}
          </Text>
          {shown.map((i, k) => {
            const row = p.rows[i]!;
            const on = state.scroll + k === state.cursor;
            return (
              <Text key={row.key} wrap="truncate" inverse={on} color={theme.color(row.color)}>
                {fit(`${on ? '>' : ' '} ${row.text}`, listWidth)}
              </Text>
            );
          })}
          {shown.length < state.height && <Box height={state.height - shown.length} />}
        </Box>
        {sideWidth > 0 && (
          <>
            <Box width={1} />
            <Box flexDirection="column" width={sideWidth}>
              {p.side!(selectedRow(state), state.height + 1, sideWidth)}
            </Box>
          </>
        )}
      </Box>
      {notes.map((l, i) => (
        <Text key={i} wrap="truncate" color={theme.color(l.color)} dimColor={l.dim === true}>
          {clip(l.text, width)}
        </Text>
      ))}
      <Text wrap="truncate" inverse>
        {fit(status, width)}
      </Text>
    </Box>
  );
}
