/**
 * The reducer: every change of the app's state, as one pure function of (state, action).
 * Effects (reading dirs, writing files, the editor) live in the hooks, which dispatch the
 * results here.
 */
import type { Action, State } from './state.js';
import { MAX_EVENTS } from './state.js';
import { layoutRows, type RowList } from './rows.js';
import { changeKindOf, changeSets, loadedDir, parentOf, patchDirs, sortEntries, type ChangeSets, type DirState } from './tree.js';

/** Rows kept between the cursor and the edge of the tree pane while scrolling (vim's scrolloff). */
function margin(height: number): number {
  return Math.min(3, Math.max(0, Math.floor((height - 1) / 2)));
}

/** Put the cursor at `cursor` (clamped) and scroll just enough to show it with a margin. */
function placeCursor(s: State, cursor: number, rows: RowList = s.rows): State {
  const max = Math.max(0, rows.length - 1);
  const c = Math.min(max, Math.max(0, cursor));
  const m = margin(s.height);
  let scroll = s.scroll;
  if (c - m < scroll) scroll = c - m;
  if (c + m >= scroll + s.height) scroll = c + m - s.height + 1;
  scroll = Math.max(0, Math.min(scroll, Math.max(0, rows.length - s.height)));
  return { ...s, rows, cursor: c, scroll };
}

/** Recompute rows after dirs, expanded, options or change sets moved; the cursor stays on its path. */
function rebuild(s: State, next: Partial<State>): State {
  const merged = { ...s, ...next };
  const rows = layoutRows(merged.dirs, merged.expanded, merged.options, merged.sets);
  const path = s.rows.at(s.cursor)?.entry.path;
  // Mostly the row is where it was (a piece of details replacing placeholders, a change further down).
  let cursor = path === undefined ? 0 : rows.at(s.cursor)?.entry.path === path ? s.cursor : rows.indexOf(path);
  if (cursor < 0) cursor = Math.min(s.cursor, rows.length - 1);
  return placeCursor(merged, cursor, rows);
}

/** Dirs opened at most by tree.expandChanges: each is read, and a layer can touch thousands. */
export const MAX_AUTO_EXPAND = 300;

/** The dirs above changes, shallowest first, up to MAX_AUTO_EXPAND. */
function dirsToExpand(sets: ChangeSets): string[] {
  const depth = (p: string) => p.split('/').length;
  return [...sets.ancestors].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1)).slice(0, MAX_AUTO_EXPAND);
}

/** The next row matching `query` from `from` (inclusive) in `direction`, wrapping; -1 if none. */
function findMatch(rows: RowList, query: string, from: number, direction: 1 | -1): number {
  if (query === '') return -1;
  const byPath = query.includes('/');
  return rows.search((e) => (byPath ? e.path : e.name).toLowerCase().includes(query), from, direction);
}

function withEvents(s: State, action: Extract<Action, { type: 'events.received' }>): State {
  const events = [...action.events].reverse().concat(s.events).slice(0, MAX_EVENTS);
  if (action.updates.length === 0) return { ...s, events };
  const changed = new Map(s.sets.changed);
  const gone = new Set<string>();
  for (const { path, entry } of action.updates) {
    if (path === '/') continue;
    const kind = changeKindOf(entry);
    if (kind) changed.set(path, kind);
    else changed.delete(path);
    if (entry === undefined || entry.type === 'whiteout') gone.add(path);
  }
  // A dir that became a whiteout or left upper takes its changed children with it: one pass
  // over the changes, each checked against its own ancestors (a burst can bring thousands).
  if (gone.size > 0) {
    for (const p of changed.keys()) {
      for (let q = parentOf(p); q !== '/'; q = parentOf(q)) {
        if (gone.has(q)) {
          changed.delete(p);
          break;
        }
      }
    }
  }
  return rebuild(s, { events, dirs: patchDirs(s.dirs, action.updates, s.options.sort), sets: changeSets(changed) });
}

function openRow(s: State): State {
  const row = s.rows.at(s.cursor);
  if (!row) return s;
  if (row.entry.type !== 'dir') return { ...s, panel: 'preview' };
  if (row.expanded) return placeCursor(s, (s.rows.at(s.cursor + 1)?.depth ?? -1) > row.depth ? s.cursor + 1 : s.cursor);
  return rebuild(s, { expanded: new Set(s.expanded).add(row.entry.path) });
}

function closeRow(s: State): State {
  const row = s.rows.at(s.cursor);
  if (!row) return s;
  if (row.expanded) {
    const expanded = new Set(s.expanded);
    expanded.delete(row.entry.path);
    return rebuild(s, { expanded });
  }
  const parent = parentOf(row.entry.path);
  if (parent === '/') return s;
  const i = s.rows.indexOf(parent);
  return i < 0 ? s : placeCursor(s, i);
}

function submitPrompt(s: State): State {
  if (s.mode.kind !== 'prompt') return s;
  const { prompt, text } = s.mode;
  const normal = { ...s, mode: { kind: 'normal' as const } };
  if (prompt === 'search') return { ...normal, query: text.toLowerCase() };
  if (prompt === 'filter') return rebuild(normal, { options: { ...s.options, filter: text.toLowerCase() } });
  return normal; // create, rename, export, commit: the input hook performs them
}

export function reducer(s: State, action: Action): State {
  switch (action.type) {
    case 'dir.loading': {
      const old = s.dirs.get(action.path);
      const dir: DirState = old ? { ...old, status: 'loading' } : { status: 'loading', entries: [] };
      return { ...s, dirs: new Map(s.dirs).set(action.path, dir) };
    }
    case 'dir.partial': {
      // Shown while the rest is read; still 'loading', so live changes wait for the full list.
      const entries = action.byName && s.options.sort === 'name' ? action.entries : loadedDir(action.entries, s.options.sort).entries;
      return rebuild(s, { dirs: new Map(s.dirs).set(action.path, { status: 'loading', entries }) });
    }
    case 'dir.loaded': {
      // Names first, the whole list is already in order: no pass over 100,000 entries to sort it.
      const dir: DirState = action.byName && s.options.sort === 'name' ? { status: 'loaded', entries: action.entries } : loadedDir(action.entries, s.options.sort);
      return rebuild(s, { dirs: new Map(s.dirs).set(action.path, dir) });
    }
    case 'dir.failed':
      return rebuild(s, {
        dirs: new Map(s.dirs).set(action.path, { status: 'error', entries: [], error: action.error }),
        message: { text: `${action.path}: ${action.error}`, error: true },
      });
    case 'tree.expandChanges':
      return rebuild(s, { expanded: new Set([...s.expanded, ...dirsToExpand(s.sets)]) });
    case 'changes.loaded':
      return rebuild(s, { sets: changeSets(new Map(action.changes.map((c) => [c.path, c.kind]))) });
    case 'events.received':
      return withEvents(s, action);
    case 'tree.reload': {
      // Open dirs keep their rows until the fresh listing arrives; closed ones are read when opened.
      const dirs = new Map<string, DirState>();
      for (const [p, d] of s.dirs) if (s.expanded.has(p)) dirs.set(p, { ...d, status: 'loading' });
      return { ...s, dirs, generation: s.generation + 1 };
    }
    case 'viewport.resized':
      return placeCursor({ ...s, height: Math.max(1, action.height) }, s.cursor);
    case 'cursor.move':
      return placeCursor(s, s.cursor + action.delta);
    case 'cursor.page':
      return placeCursor({ ...s, scroll: s.scroll + action.direction * s.height }, s.cursor + action.direction * s.height);
    case 'cursor.top':
      return placeCursor(s, 0);
    case 'cursor.bottom':
      return placeCursor(s, s.rows.length - 1);
    case 'cursor.to': {
      const i = s.rows.indexOf(action.path);
      return i < 0 ? s : placeCursor(s, i);
    }
    case 'tree.open':
      return openRow(s);
    case 'tree.close':
      return closeRow(s);
    case 'tree.toggle':
      return s.rows.at(s.cursor)?.expanded ? closeRow(s) : openRow(s);
    case 'option.toggle':
      return rebuild(s, { options: { ...s.options, [action.option]: !s.options[action.option] } });
    case 'sort.set': {
      const dirs = new Map<string, DirState>();
      for (const [p, d] of s.dirs) dirs.set(p, { ...d, entries: sortEntries(d.entries, action.key) });
      return rebuild(s, { dirs, options: { ...s.options, sort: action.key } });
    }
    case 'panel.set':
      return { ...s, panel: action.panel };
    case 'help.toggle':
      return { ...s, mode: s.mode.kind === 'help' ? { kind: 'normal' } : { kind: 'help' } };
    case 'prompt.open': {
      const path = s.rows.at(s.cursor)?.entry.path ?? '/';
      return { ...s, pending: [], mode: { kind: 'prompt', prompt: action.prompt, text: action.text ?? '', origin: s.cursor, path } };
    }
    case 'prompt.edit': {
      if (s.mode.kind !== 'prompt') return s;
      const next = { ...s, mode: { ...s.mode, text: action.text } };
      if (s.mode.prompt !== 'search') return next;
      // Incremental search: jump to the first match from where the search started.
      const at = findMatch(s.rows, action.text.toLowerCase(), s.mode.origin, 1);
      return placeCursor(next, at < 0 ? s.mode.origin : at);
    }
    case 'prompt.submit':
      return submitPrompt(s);
    case 'prompt.cancel':
      if (s.mode.kind === 'prompt') return placeCursor({ ...s, mode: { kind: 'normal' } }, s.mode.origin);
      return { ...s, mode: { kind: 'normal' } };
    case 'search.next': {
      if (s.query === '') return { ...s, message: { text: 'No search yet: press / to search', error: false } };
      const at = findMatch(s.rows, s.query, s.cursor + action.direction, action.direction);
      if (at < 0) return { ...s, message: { text: `No match for '${s.query}'`, error: true } };
      return placeCursor(s, at);
    }
    case 'confirm.open': {
      const row = s.rows.at(s.cursor);
      if (action.confirm === 'vacuum') return { ...s, pending: [], mode: { kind: 'confirm', confirm: 'vacuum', path: '/', ...(action.detail !== undefined && { detail: action.detail }) } };
      return row ? { ...s, pending: [], mode: { kind: 'confirm', confirm: action.confirm, path: row.entry.path } } : s;
    }
    case 'keys.pending':
      return { ...s, pending: action.pending };
    case 'message.show':
      return { ...s, message: { text: action.text, error: action.error === true } };
    case 'editor.suspend':
      return { ...s, mode: { kind: 'suspended', path: action.path } };
    case 'editor.resume':
      return { ...s, mode: { kind: 'normal' } };
  }
}
