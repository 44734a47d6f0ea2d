/**
 * The container: wires state, effects and panes together and decides nothing itself.
 * State changes are in state/reducer.ts, keys in state/keymap.ts and ui/use-keys.ts,
 * reading and watching the overlay in the use-* hooks.
 */
import React, { useEffect, useReducer, useRef } from 'react';
import { Box, Text, useApp } from 'ink';
import type { OverlayService } from '../service/types.js';
import { reducer } from '../state/reducer.js';
import { DEFAULT_OPTIONS, initialState } from '../state/state.js';
import { InputGate } from '../terminal/input-gate.js';
import { Header, headerHeight } from './Header.js';
import { HelpScreen } from './HelpScreen.js';
// Side effect: Ink reuses the last frame's parsed lines (see the module for why and how).
import '../terminal/ink-compat/frame-cache.js';
import { layout } from './layout.js';
import { LivePanel } from './LivePanel.js';
import { SidePane } from './SidePane.js';
import { StatusBar } from './StatusBar.js';
import { TreePane } from './TreePane.js';
import { useActions } from './use-actions.js';
import { useDirLoader } from './use-dir-loader.js';
import { useEditor, type OpenEditor } from './use-editor.js';
import { useKeys } from './use-keys.js';
import { afterRest, usePaneContent, type PreviewScheduler } from './use-pane-content.js';
import { useTerminalSize, type Size } from './use-terminal-size.js';
import { useWatch } from './use-watch.js';

export interface AppProps {
  service: OverlayService;
  openEditor: OpenEditor;
  gate?: InputGate;
  /** A fixed terminal size (tests: their stdout has no rows). */
  size?: Size;
  /** When the selected file's preview is read (default: after the cursor rests PREVIEW_DELAY_MS). */
  schedulePreview?: PreviewScheduler;
  /** Esc/Backspace: back to the list this view was opened from (the picker, an image's layers). */
  onBack?: () => void;
  /** Start with only the changes shown (an image layer's view: what that layer did). */
  changesOnly?: boolean;
}

const defaultGate = new InputGate();

export function App({ service, openEditor, gate = defaultGate, size: fixedSize, schedulePreview = afterRest, onBack, changesOnly = false }: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize(fixedSize);
  const info = service.describe();
  const box = layout(size.columns, size.rows, headerHeight(info));
  const [state, dispatch] = useReducer(reducer, box.treeHeight, (height) => initialState(height, changesOnly ? { ...DEFAULT_OPTIONS, changesOnly } : DEFAULT_OPTIONS));

  useEffect(() => dispatch({ type: 'viewport.resized', height: box.treeHeight }), [box.treeHeight]);
  useDirLoader(service, state, dispatch);
  // Started on changes only (an image layer): open the dirs above them once they are known.
  const expandedChanges = useRef(!changesOnly);
  useEffect(() => {
    if (expandedChanges.current || state.sets.changed.size === 0) return;
    expandedChanges.current = true;
    dispatch({ type: 'tree.expandChanges' });
  }, [state.sets]);
  useWatch(service, dispatch);
  const actions = useActions(service, state, dispatch);
  useKeys(state, dispatch, actions, gate, exit, onBack);
  useEditor(service, state.mode, dispatch, openEditor);
  const selected = state.rows.at(state.cursor)?.entry;
  const pane = usePaneContent(service, box.sideWidth > 0 ? selected : undefined, state.panel, box.previewHeight, box.sideWidth, schedulePreview);

  if (state.mode.kind === 'suspended') return <Text>{`editing ${state.mode.path} in ${process.env.VISUAL || process.env.EDITOR || 'vi'}…`}</Text>;
  const loading = [...state.expanded].some((p) => state.dirs.get(p)?.status === 'loading');
  return (
    <Box flexDirection="column" width={size.columns}>
      <Header info={info} width={size.columns} />
      {state.mode.kind === 'help' ? (
        <HelpScreen height={box.treeHeight + 1} width={size.columns} />
      ) : (
        <Box flexDirection="row">
          <TreePane rows={state.rows} cursor={state.cursor} scroll={state.scroll} height={box.treeHeight} width={box.treeWidth} options={state.options} loading={loading} />
          {box.sideWidth > 0 && (
            <>
              <Box width={1} />
              <Box flexDirection="column" width={box.sideWidth}>
                <SidePane content={pane} height={box.previewHeight} width={box.sideWidth} />
                <LivePanel events={state.events} height={box.liveHeight} width={box.sideWidth} live={info.mode !== 'image' && info.layers.some((l) => l.id === 'upper')} quiet={info.mode === 'image' ? '  image layers: nothing changes them' : undefined} />
              </Box>
            </>
          )}
        </Box>
      )}
      <StatusBar state={state} width={size.columns} />
    </Box>
  );
}
