/**
 * The commands that do something to the overlay (edit, create, rename, delete, revert,
 * refresh). Writes go through the merged mount, so the kernel does the copy-up and the
 * upper-dir watch shows it; each command then reads the open dirs again.
 */
import { useMemo, useRef, type Dispatch } from 'react';
import type { MergedEntry, OverlayService } from '../service/types.js';
import type { Action, State } from '../state/state.js';
import { isPlaceholder } from '../lib/placeholder.js';
import { nameOf, parentOf } from '../state/tree.js';
import { errorText } from './errors.js';

export interface Actions {
  edit(entry: MergedEntry | undefined): void;
  /** Create `name` in the dir the prompt was opened on (or beside the file it was opened on). */
  create(kind: 'file' | 'dir', name: string, at: string): Promise<void>;
  rename(path: string, name: string): Promise<void>;
  remove(path: string): Promise<void>;
  revert(path: string): Promise<void>;
  refresh(): void;
}

const join = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);

function checkName(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'a name is needed';
  if (name.includes('/') || name.includes('\0')) return "a name has no '/'";
  return undefined;
}

export function useActions(service: OverlayService, state: State, dispatch: Dispatch<Action>): Actions {
  // Commands run from key handlers after a render; they need the state of that moment.
  const current = useRef(state);
  current.current = state;

  return useMemo(() => {
    const say = (text: string, error = false) => dispatch({ type: 'message.show', text, error });
    const writable = (): boolean => {
      const h = service.describe();
      if (!h.writable) say('Read-only view: changes need a mounted overlay with an upper layer (open its merged dir, or use --mount).', true);
      return h.writable;
    };
    const attempt = async (what: string, op: () => Promise<void>, done: string) => {
      try {
        await op();
        say(done);
      } catch (e) {
        say(`${what}: ${errorText(e)}`, true);
      }
      dispatch({ type: 'tree.reload' });
    };

    return {
      edit(entry) {
        if (!entry || !writable()) return;
        if (isPlaceholder(entry)) return say(`${entry.path}: its details are still being read`, true);
        if (entry.type !== 'file') return say(`e edits files; ${entry.path} is a ${entry.type === 'whiteout' ? 'deleted name' : entry.type}.`, true);
        dispatch({ type: 'editor.suspend', path: entry.path });
      },
      async create(kind, name, at) {
        const bad = checkName(name);
        if (bad) return say(bad, true);
        if (!writable()) return;
        const rows = current.current.rows;
        const row = rows.at(rows.indexOf(at));
        const dir = at === '/' || (row?.entry.type === 'dir' && row.expanded) ? at : parentOf(at);
        const path = join(dir, name);
        await attempt(`create ${path}`, () => service.create(path, kind), `Created ${path}`);
        dispatch({ type: 'cursor.to', path });
      },
      async rename(path, name) {
        const bad = checkName(name);
        if (bad) return say(bad, true);
        if (name === nameOf(path) || !writable()) return;
        const to = join(parentOf(path), name);
        await attempt(`rename ${path}`, () => service.rename(path, to), `Renamed ${path} to ${to}`);
      },
      async remove(path) {
        if (!writable()) return;
        await attempt(`delete ${path}`, () => service.remove(path), `Deleted ${path} (a lower version stays behind a whiteout)`);
      },
      async revert(path) {
        if (!service.describe().canRevert) return say('Revert unmounts and mounts again: only for overlays ovl-tui mounted itself (--mount, --demo).', true);
        await attempt(`revert ${path}`, () => service.revert(path), `Reverted ${path} to its lower version`);
      },
      refresh() {
        dispatch({ type: 'tree.reload' });
        say('Reloaded');
      },
    };
  }, [service, dispatch]);
}
