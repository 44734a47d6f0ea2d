/**
 * Keys of the list screens (the picker, an image's layer list), resolved through the app's
 * one key table (state/keymap.ts): moving, the filter prompt (`/` or `f`, applied as it is
 * typed; `/` starts afresh, `f` edits the current one), Enter or `l` to open, Esc/Backspace to go back, `q` to quit.
 */
import { useRef, type Dispatch } from 'react';
import { decodeKeys, isPrintable } from '../state/keys.js';
import { resolveKey, type CommandId } from '../state/keymap.js';
import { listReducer, type ListAction, type ListState } from '../state/list.js';
import { useRawInput } from '../terminal/ink-compat/raw-input.js';
import type { InputGate } from '../terminal/input-gate.js';

export interface ListHandlers {
  /** Enter on the state's selected row (the state the keys before it in the same chunk left). */
  open(s: ListState): void;
  back?: (() => void) | undefined;
  quit(): void;
  refresh?: (() => void) | undefined;
  help(): void;
}

const MOVES: Partial<Record<CommandId, ListAction>> = {
  'nav.down': { type: 'list.move', delta: 1 },
  'nav.up': { type: 'list.move', delta: -1 },
  'nav.top': { type: 'list.top' },
  'nav.bottom': { type: 'list.bottom' },
  'nav.pageDown': { type: 'list.page', direction: 1 },
  'nav.pageUp': { type: 'list.page', direction: -1 },
  'search.start': { type: 'filter.open', fresh: true },
  'filter.start': { type: 'filter.open' },
};

function onPromptKey(token: string, text: string, send: Dispatch<ListAction>): void {
  if (token === '<esc>' || token === 'C-c') send({ type: 'filter.cancel' });
  else if (token === '<enter>') send({ type: 'filter.submit' });
  else if (token === '<backspace>') send({ type: 'filter.edit', text: text.slice(0, -1) });
  else if (isPrintable(token)) send({ type: 'filter.edit', text: text + token });
}

export function useListKeys(state: ListState, dispatch: Dispatch<ListAction>, handlers: ListHandlers, gate: InputGate): void {
  const current = useRef(state);
  current.current = state;
  const pending = useRef<string[]>([]);
  const latest = useRef(handlers);
  latest.current = handlers;

  useRawInput(
    (seq: string) => {
      if (!gate.accepting()) return;
      // As in the tree: each key of a chunk sees the state the one before it left.
      const send: Dispatch<ListAction> = (a) => {
        dispatch(a);
        current.current = listReducer(current.current, a);
      };
      for (const token of decodeKeys(seq)) {
        const prompt = current.current.prompt;
        if (prompt) {
          onPromptKey(token, prompt.text, send);
          continue;
        }
        const r = resolveKey(pending.current, token);
        pending.current = r.pending;
        if (!r.command) continue;
        const move = MOVES[r.command];
        const h = latest.current;
        if (move) send(move);
        else if (r.command === 'nav.toggle' || r.command === 'nav.open') h.open(current.current);
        else if (r.command === 'app.back') h.back?.();
        else if (r.command === 'app.quit') return h.quit();
        else if (r.command === 'app.refresh') h.refresh?.();
        else if (r.command === 'app.help') h.help();
      }
    },
    [dispatch, gate],
  );
}
