/**
 * The app's state and the actions that change it (the reducer is in reducer.ts). Rows are
 * derived from dirs + expanded + options, and recomputed only when one of those changes,
 * so moving the cursor through 100,000 rows costs nothing but arithmetic.
 */
import type { Change, ChangeEvent, MergedEntry } from '../service/types.js';
import { RowList } from './rows.js';
import type { ChangeSets, Dirs, SortKey, ViewOptions } from './tree.js';
import { changeSets } from './tree.js';

export type PromptKind = 'search' | 'filter' | 'create-file' | 'create-dir' | 'rename' | 'export' | 'commit';
export type ConfirmKind = 'delete' | 'revert' | 'vacuum';

export type Mode =
  | { kind: 'normal' }
  | { kind: 'help' }
  /** `origin`: the cursor when the prompt opened (Esc goes back there). `path`: what the prompt acts on. */
  | { kind: 'prompt'; prompt: PromptKind; text: string; origin: number; path: string }
  /** `detail`: what the question is about, when the path does not say it (vacuum's findings). */
  | { kind: 'confirm'; confirm: ConfirmKind; path: string; detail?: string }
  /** The terminal belongs to $EDITOR. */
  | { kind: 'suspended'; path: string };

export interface State {
  dirs: Dirs;
  expanded: ReadonlySet<string>;
  options: ViewOptions;
  sets: ChangeSets;
  rows: RowList;
  cursor: number;
  /** First row on screen. */
  scroll: number;
  /** Tree rows on screen. */
  height: number;
  panel: 'preview' | 'diff';
  mode: Mode;
  /** The last search, for n / N (lower-case). */
  query: string;
  /** Tokens of an unfinished key sequence ('g' of 'g g'). */
  pending: string[];
  /** Newest first. */
  events: ChangeEvent[];
  message?: { text: string; error: boolean };
  /** Bumped to ask the preview and the loaders to read again. */
  generation: number;
}

/** How many change events the live panel keeps. */
export const MAX_EVENTS = 200;

export const DEFAULT_OPTIONS: ViewOptions = { ghosts: true, hidden: true, changesOnly: false, sort: 'name', filter: '' };

/** `options`: how the view starts (an image layer's opens with changes only). */
export function initialState(height = 20, options: ViewOptions = DEFAULT_OPTIONS): State {
  return {
    dirs: new Map(),
    expanded: new Set(['/']),
    options,
    sets: changeSets(new Map()),
    rows: RowList.EMPTY,
    cursor: 0,
    scroll: 0,
    height: Math.max(1, height),
    panel: 'preview',
    mode: { kind: 'normal' },
    query: '',
    pending: [],
    events: [],
    generation: 0,
  };
}

export interface EntryUpdate {
  path: string;
  /** undefined: the name is gone from the merged dir. */
  entry: MergedEntry | undefined;
}

export type Action =
  | { type: 'dir.loading'; path: string }
  /**
   * The first pieces of a dir still being read (all of them so far, in any order; with
   * `byName`, already as sorting by name orders them: dirs first, each part by name).
   */
  | { type: 'dir.partial'; path: string; entries: MergedEntry[]; byName?: boolean }
  /** The whole dir (in any order; with `byName`, as for 'dir.partial'). */
  | { type: 'dir.loaded'; path: string; entries: MergedEntry[]; byName?: boolean }
  | { type: 'dir.failed'; path: string; error: string }
  | { type: 'changes.loaded'; changes: Change[] }
  | { type: 'events.received'; events: ChangeEvent[]; updates: EntryUpdate[] }
  | { type: 'tree.reload' }
  /** Open every dir above a change (an image layer's view opens showing what the layer did). */
  | { type: 'tree.expandChanges' }
  | { type: 'viewport.resized'; height: number }
  | { type: 'cursor.move'; delta: number }
  | { type: 'cursor.page'; direction: 1 | -1 }
  | { type: 'cursor.top' }
  | { type: 'cursor.bottom' }
  | { type: 'cursor.to'; path: string }
  | { type: 'tree.open' }
  | { type: 'tree.close' }
  | { type: 'tree.toggle' }
  | { type: 'option.toggle'; option: 'ghosts' | 'hidden' | 'changesOnly' }
  | { type: 'sort.set'; key: SortKey }
  | { type: 'panel.set'; panel: 'preview' | 'diff' }
  | { type: 'help.toggle' }
  | { type: 'prompt.open'; prompt: PromptKind; text?: string }
  | { type: 'prompt.edit'; text: string }
  | { type: 'prompt.submit' }
  | { type: 'prompt.cancel' }
  | { type: 'search.next'; direction: 1 | -1 }
  | { type: 'confirm.open'; confirm: ConfirmKind; detail?: string }
  | { type: 'keys.pending'; pending: string[] }
  | { type: 'message.show'; text: string; error?: boolean }
  | { type: 'editor.suspend'; path: string }
  | { type: 'editor.resume' };
