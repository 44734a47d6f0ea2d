/**
 * The app's one input handler. Keys arrive as raw sequences from Ink's stdin (its useInput
 * hides F-keys), pass the input gate (closed while an editor has the terminal), and go to
 * whatever has the keyboard: a text prompt, a yes/no question, the help screen, or the
 * key table (state/keymap.ts) in normal mode.
 */
import { useEffect, useRef, type Dispatch } from 'react';
import { useStdin } from 'ink';
import { useRawInput } from '../terminal/ink-compat/raw-input.js';
import type { InputGate } from '../terminal/input-gate.js';
import { decodeKeys, isPrintable } from '../state/keys.js';
import { resolveKey, type CommandId } from '../state/keymap.js';
import { reducer } from '../state/reducer.js';
import type { Action, State } from '../state/state.js';
import type { Actions } from './use-actions.js';

type Mode = State['mode'];

function runCommand(id: CommandId, s: State, dispatch: Dispatch<Action>, actions: Actions, quit: () => void, back: (() => void) | undefined): void {
  const entry = s.rows.at(s.cursor)?.entry;
  const simple: Partial<Record<CommandId, Action>> = {
    'nav.down': { type: 'cursor.move', delta: 1 },
    'nav.up': { type: 'cursor.move', delta: -1 },
    'nav.open': { type: 'tree.open' },
    'nav.close': { type: 'tree.close' },
    'nav.toggle': { type: 'tree.toggle' },
    'nav.top': { type: 'cursor.top' },
    'nav.bottom': { type: 'cursor.bottom' },
    'nav.pageDown': { type: 'cursor.page', direction: 1 },
    'nav.pageUp': { type: 'cursor.page', direction: -1 },
    'search.start': { type: 'prompt.open', prompt: 'search' },
    'search.next': { type: 'search.next', direction: 1 },
    'search.prev': { type: 'search.next', direction: -1 },
    'filter.start': { type: 'prompt.open', prompt: 'filter', text: s.options.filter },
    'view.preview': { type: 'panel.set', panel: 'preview' },
    'view.diff': { type: 'panel.set', panel: s.panel === 'diff' ? 'preview' : 'diff' },
    'view.changesOnly': { type: 'option.toggle', option: 'changesOnly' },
    'view.ghosts': { type: 'option.toggle', option: 'ghosts' },
    'view.hidden': { type: 'option.toggle', option: 'hidden' },
    'sort.name': { type: 'sort.set', key: 'name' },
    'sort.size': { type: 'sort.set', key: 'size' },
    'file.createFile': { type: 'prompt.open', prompt: 'create-file' },
    'file.createDir': { type: 'prompt.open', prompt: 'create-dir' },
    'file.rename': { type: 'prompt.open', prompt: 'rename', text: entry?.name ?? '' },
    'file.delete': { type: 'confirm.open', confirm: 'delete' },
    'file.revert': { type: 'confirm.open', confirm: 'revert' },
    'app.help': { type: 'help.toggle' },
  };
  const action = simple[id];
  if (action) return dispatch(action);
  if (id === 'file.edit') return actions.edit(entry);
  if (id === 'app.refresh') return actions.refresh();
  if (id === 'app.quit') return quit();
  if (id === 'app.back') return back?.();
}

function onPromptKey(token: string, mode: Extract<Mode, { kind: 'prompt' }>, dispatch: Dispatch<Action>, actions: Actions): void {
  if (token === '<esc>' || token === 'C-c') return dispatch({ type: 'prompt.cancel' });
  if (token === '<backspace>') return dispatch({ type: 'prompt.edit', text: mode.text.slice(0, -1) });
  if (token === '<enter>') {
    dispatch({ type: 'prompt.submit' });
    if (mode.prompt === 'create-file' || mode.prompt === 'create-dir') void actions.create(mode.prompt === 'create-dir' ? 'dir' : 'file', mode.text, mode.path);
    if (mode.prompt === 'rename') void actions.rename(mode.path, mode.text);
    return;
  }
  if (isPrintable(token)) dispatch({ type: 'prompt.edit', text: mode.text + token });
}

function onConfirmKey(token: string, mode: Extract<Mode, { kind: 'confirm' }>, dispatch: Dispatch<Action>, actions: Actions): void {
  dispatch({ type: 'prompt.cancel' });
  if (token !== 'y' && token !== 'Y') return;
  void (mode.confirm === 'delete' ? actions.remove(mode.path) : actions.revert(mode.path));
}

/** `back`: leave this view for the list it was opened from (none when ovl-tui was started on it). */
export function useKeys(state: State, dispatch: Dispatch<Action>, actions: Actions, gate: InputGate, quit: () => void, back?: () => void): void {
  const { setRawMode, isRawModeSupported } = useStdin();
  const current = useRef(state);
  current.current = state;

  useEffect(() => {
    if (isRawModeSupported) setRawMode(true);
    return () => {
      if (isRawModeSupported) setRawMode(false);
    };
  }, [setRawMode, isRawModeSupported]);

  useRawInput(
    (seq: string) => {
      if (!gate.accepting()) return;
      // Keys of one chunk (pasted text, 'gg' typed fast) each see the state the previous one
      // left: the reducer is pure, so run it here too instead of waiting for React's render.
      const send: Dispatch<Action> = (a) => {
        dispatch(a);
        current.current = reducer(current.current, a);
      };
      for (const token of decodeKeys(seq)) {
        const s = current.current;
        const mode = s.mode;
        if (mode.kind === 'suspended') return;
        if (mode.kind === 'prompt') onPromptKey(token, mode, send, actions);
        else if (mode.kind === 'confirm') onConfirmKey(token, mode, send, actions);
        else if (mode.kind === 'help') {
          if (token === 'q' || token === 'C-c') quit();
          else send({ type: 'help.toggle' });
        } else {
          const r = resolveKey(s.pending, token);
          if (r.pending.length > 0 || s.pending.length > 0) send({ type: 'keys.pending', pending: r.pending });
          if (r.command) runCommand(r.command, current.current, send, actions, quit, back);
        }
      }
    },
    [dispatch, actions, gate, quit, back],
  );
}
