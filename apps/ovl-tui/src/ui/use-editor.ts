/**
 * When the state says the terminal belongs to the editor, run it (the terminal hand-over is
 * in terminal/editor.ts), then take the screen back: a full repaint comes with the next
 * frame, whose text differs from the 'editing…' frame, and the open dirs are read again.
 */
import { useEffect, type Dispatch } from 'react';
import type { EditorResult } from '../terminal/editor.js';
import type { OverlayService } from '../service/types.js';
import type { Action, State } from '../state/state.js';
import { errorText } from './errors.js';

export type OpenEditor = (file: string) => EditorResult | Promise<EditorResult>;

export function useEditor(service: OverlayService, mode: State['mode'], dispatch: Dispatch<Action>, openEditor: OpenEditor): void {
  useEffect(() => {
    if (mode.kind !== 'suspended') return;
    const path = mode.path;
    let live = true;
    (async () => {
      let text: string;
      let error = false;
      try {
        const r = await openEditor(service.mergedPath(path));
        error = r.error !== undefined || (r.status !== 0 && r.status !== null);
        text = r.error !== undefined ? `Editor failed: ${r.error}` : r.status === 0 ? `Edited ${path}` : `Editor exited with status ${r.status}`;
      } catch (e) {
        text = `Editor: ${errorText(e)}`;
        error = true;
      }
      if (!live) return;
      dispatch({ type: 'editor.resume' });
      dispatch({ type: 'message.show', text, error });
      dispatch({ type: 'tree.reload' });
    })();
    return () => {
      live = false;
    };
  }, [service, mode, dispatch, openEditor]);
}
