/**
 * The state of a list screen (the picker, an image's layer list): a cursor over the rows a
 * filter lets through, scrolled to keep it in view. Pure: the reducer is tested one action
 * per case; the screens (ui/ListScreen.tsx) only render it.
 */

export interface ListState {
  /** Each row's text for the filter, lower-case (set with 'list.rows'). */
  texts: readonly string[];
  /** Each row's key: the cursor follows its row through a new list. */
  keys: readonly string[];
  /** Indices into texts of the rows the filter lets through, in order. */
  visible: readonly number[];
  /** Index into visible. */
  cursor: number;
  scroll: number;
  height: number;
  filter: string;
  /** The filter being typed (applied as it is typed); undefined when no prompt is open. */
  prompt?: { text: string; before: string };
}

export type ListAction =
  | { type: 'list.rows'; texts: readonly string[]; keys: readonly string[] }
  | { type: 'list.resize'; height: number }
  | { type: 'list.move'; delta: number }
  | { type: 'list.page'; direction: 1 | -1 }
  | { type: 'list.top' }
  | { type: 'list.bottom' }
  /** `fresh`: start from an empty filter (`/`), else edit the current one (`f`). */
  | { type: 'filter.open'; fresh?: boolean }
  | { type: 'filter.edit'; text: string }
  | { type: 'filter.submit' }
  | { type: 'filter.cancel' };

export function initialList(height = 10): ListState {
  return { texts: [], keys: [], visible: [], cursor: 0, scroll: 0, height: Math.max(1, height), filter: '' };
}

function place(s: ListState, cursor: number): ListState {
  const c = Math.max(0, Math.min(cursor, s.visible.length - 1));
  let scroll = s.scroll;
  if (c < scroll) scroll = c;
  if (c >= scroll + s.height) scroll = c - s.height + 1;
  scroll = Math.max(0, Math.min(scroll, Math.max(0, s.visible.length - s.height)));
  return { ...s, cursor: c, scroll };
}

/** Rows matching every word of the filter (case-insensitive), the cursor kept on its row when it still shows. */
function refilter(s: ListState, texts: readonly string[], keys: readonly string[], filter: string): ListState {
  const words = filter.toLowerCase().split(/\s+/).filter((w) => w !== '');
  const visible = texts.flatMap((t, i) => (words.every((w) => t.includes(w)) ? [i] : []));
  const current = s.visible[s.cursor];
  const key = current === undefined ? undefined : s.keys[current];
  const at = key === undefined ? -1 : visible.findIndex((i) => keys[i] === key);
  return place({ ...s, texts, keys, visible, filter }, at < 0 ? 0 : at);
}

export function listReducer(s: ListState, a: ListAction): ListState {
  switch (a.type) {
    case 'list.rows':
      return refilter(s, a.texts.map((t) => t.toLowerCase()), a.keys, s.filter);
    case 'list.resize':
      return place({ ...s, height: Math.max(1, a.height) }, s.cursor);
    case 'list.move':
      return place(s, s.cursor + a.delta);
    case 'list.page':
      return place(s, s.cursor + a.direction * s.height);
    case 'list.top':
      return place(s, 0);
    case 'list.bottom':
      return place(s, s.visible.length - 1);
    case 'filter.open':
      return a.fresh === true ? { ...refilter(s, s.texts, s.keys, ''), prompt: { text: '', before: s.filter } } : { ...s, prompt: { text: s.filter, before: s.filter } };
    case 'filter.edit':
      return s.prompt ? { ...refilter(s, s.texts, s.keys, a.text), prompt: { ...s.prompt, text: a.text } } : s;
    case 'filter.submit': {
      if (!s.prompt) return s;
      const { prompt: _, ...rest } = s;
      return rest;
    }
    case 'filter.cancel': {
      if (!s.prompt) return s;
      const { prompt, ...rest } = s;
      return refilter(rest, s.texts, s.keys, prompt.before);
    }
  }
}

/** The row (index into the rows given) under the cursor, if any. */
export function selectedRow(s: ListState): number | undefined {
  return s.visible[s.cursor];
}
