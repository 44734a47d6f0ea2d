// The list screens' reducer, one action per case.
import { describe, expect, it } from 'vitest';
import { initialList, listReducer, selectedRow, type ListAction, type ListState } from '../../src/state/list.js';

const TEXTS = ['overlay /srv/m', 'container podman web', 'container docker db', 'image podman base', 'image docker web-img'];
const run = (s: ListState, ...a: ListAction[]) => a.reduce(listReducer, s);
const KEYS = TEXTS.map((t) => `k:${t}`);
const loaded = (height = 3) => run(initialList(height), { type: 'list.rows', texts: TEXTS, keys: KEYS });

describe('list reducer', () => {
  it('list.rows shows every row, cursor on the first', () => {
    const s = loaded();
    expect(s.visible).toEqual([0, 1, 2, 3, 4]);
    expect(selectedRow(s)).toBe(0);
  });

  it('list.rows keeps the cursor on its row when the list changes around it', () => {
    const s = run(loaded(), { type: 'list.move', delta: 2 }, { type: 'list.rows', texts: ['new thing', ...TEXTS], keys: ['k:new', ...KEYS] });
    expect(selectedRow(s)).toBe(3);
  });

  it('list.move stops at the ends and scrolls to keep the cursor in view', () => {
    let s = run(loaded(), { type: 'list.move', delta: -1 });
    expect(s.cursor).toBe(0);
    s = run(s, { type: 'list.move', delta: 3 });
    expect([s.cursor, s.scroll]).toEqual([3, 1]);
    s = run(s, { type: 'list.move', delta: 10 });
    expect([s.cursor, s.scroll]).toEqual([4, 2]);
  });

  it('list.page moves a screen, list.top and list.bottom go to the ends', () => {
    expect(run(loaded(), { type: 'list.page', direction: 1 }).cursor).toBe(3);
    expect(run(loaded(), { type: 'list.bottom' }).cursor).toBe(4);
    expect(run(loaded(), { type: 'list.bottom' }, { type: 'list.top' })).toMatchObject({ cursor: 0, scroll: 0 });
  });

  it('list.resize keeps the cursor on screen', () => {
    const s = run(loaded(5), { type: 'list.bottom' }, { type: 'list.resize', height: 2 });
    expect([s.cursor, s.scroll, s.height]).toEqual([4, 3, 2]);
  });

  it('filter.edit filters as it is typed: every word must match, case-insensitively', () => {
    const s = run(loaded(), { type: 'filter.open' }, { type: 'filter.edit', text: 'WEB' });
    expect(s.visible).toEqual([1, 4]);
    expect(run(s, { type: 'filter.edit', text: 'web docker' }).visible).toEqual([4]);
    expect(run(s, { type: 'filter.edit', text: 'nothing' }).visible).toEqual([]);
    expect(selectedRow(run(s, { type: 'filter.edit', text: 'nothing' }))).toBeUndefined();
  });

  it('filter.edit without an open prompt changes nothing', () => {
    const s = loaded();
    expect(listReducer(s, { type: 'filter.edit', text: 'web' })).toBe(s);
  });

  it('filter.submit keeps the filter and closes the prompt', () => {
    const s = run(loaded(), { type: 'filter.open' }, { type: 'filter.edit', text: 'image' }, { type: 'filter.submit' });
    expect(s.prompt).toBeUndefined();
    expect([s.filter, s.visible]).toEqual(['image', [3, 4]]);
  });

  it('filter.open fresh starts from an empty filter, and cancel brings the old one back', () => {
    const kept = run(loaded(), { type: 'filter.open' }, { type: 'filter.edit', text: 'image' }, { type: 'filter.submit' });
    const s = run(kept, { type: 'filter.open', fresh: true });
    expect([s.prompt?.text, s.visible.length]).toEqual(['', 5]);
    expect(run(s, { type: 'filter.cancel' }).visible).toEqual([3, 4]);
  });

  it('filter.cancel goes back to the filter the prompt opened with', () => {
    const kept = run(loaded(), { type: 'filter.open' }, { type: 'filter.edit', text: 'image' }, { type: 'filter.submit' });
    const s = run(kept, { type: 'filter.open' }, { type: 'filter.edit', text: 'overlay' }, { type: 'filter.cancel' });
    expect(s.prompt).toBeUndefined();
    expect([s.filter, s.visible]).toEqual(['image', [3, 4]]);
  });

  it('the cursor stays on its row through the filter when the row still shows', () => {
    const s = run(loaded(), { type: 'list.move', delta: 4 }, { type: 'filter.open' }, { type: 'filter.edit', text: 'web' });
    expect(selectedRow(s)).toBe(4);
  });
});
