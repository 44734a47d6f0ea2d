// Laying out the tree as rows (runs of each dir's entries): order, filters, lookups by index
// and path, and agreement with a plain one-object-per-row flatten on random trees.
import { describe, expect, it } from 'vitest';
import { layoutRows, type Row } from '../../src/state/rows.js';
import { DEFAULT_OPTIONS } from '../../src/state/state.js';
import { changeSets, loadedDir, parentOf, type Dirs, type ViewOptions } from '../../src/state/tree.js';
import { entry } from '../support/fake-service.js';
import type { MergedEntry } from '../../src/service/types.js';

const dirs = (): Dirs =>
  new Map([
    ['/', loadedDir([entry('/z'), entry('/d', { type: 'dir' }), entry('/a'), entry('/e', { type: 'dir' })], 'name')],
    ['/d', loadedDir([entry('/d/x'), entry('/d/match-me'), entry('/d/sub', { type: 'dir' })], 'name')],
    ['/d/sub', loadedDir([entry('/d/sub/deep')], 'name')],
    ['/e', loadedDir([entry('/e/y')], 'name')],
  ]);
const none = changeSets(new Map());
const text = (rows: Iterable<Row>) => [...rows].map((r) => `${r.depth}:${r.entry.name}${r.expanded ? '+' : ''}`);

/** The layout spelled out the obvious way: one row object per visible entry. */
function naive(d: Dirs, expanded: ReadonlySet<string>, o: ViewOptions): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const e of d.get(dir)?.entries ?? []) {
      if (e.type === 'whiteout' && !o.ghosts) continue;
      if (!o.hidden && e.name.startsWith('.')) continue;
      const open = e.type === 'dir' && expanded.has(e.path);
      const match = o.filter === '' || e.name.toLowerCase().includes(o.filter);
      if (!match && e.type !== 'dir') continue;
      const at = out.length;
      out.push(`${depth}:${e.name}${open ? '+' : ''}`);
      if (open) {
        walk(e.path, depth + 1);
        if (!match && out.length === at + 1 && d.get(e.path)?.status === 'loaded') out.pop();
      }
    }
  };
  walk('/', 0);
  return out;
}

describe('rows', () => {
  it('walks open dirs depth-first, dirs first, marking the open ones', () => {
    const rows = layoutRows(dirs(), new Set(['/', '/d', '/d/sub']), DEFAULT_OPTIONS, none);
    expect(text(rows)).toEqual(['0:d+', '1:sub+', '2:deep', '1:match-me', '1:x', '0:e', '0:a', '0:z']);
    expect(rows.length).toBe(8);
  });

  it('finds rows by index and by path across runs, and slices the screen', () => {
    const rows = layoutRows(dirs(), new Set(['/', '/d', '/d/sub', '/e']), DEFAULT_OPTIONS, none);
    const all = [...rows];
    all.forEach((row, i) => {
      expect(rows.at(i)).toBe(row); // same object: React keeps the row rendered
      expect(rows.indexOf(row.entry.path)).toBe(i);
    });
    expect(rows.at(-1)).toBeUndefined();
    expect(rows.at(all.length)).toBeUndefined();
    expect(rows.indexOf('/nope')).toBe(-1);
    expect(rows.slice(2, 5).map((r) => r.entry.name)).toEqual(['deep', 'match-me', 'x']);
    expect(rows.slice(5, 100).map((r) => r.entry.name)).toEqual(['e', 'y', 'a', 'z']);
  });

  it('searches forwards and backwards with wrap-around', () => {
    const rows = layoutRows(dirs(), new Set(['/', '/d']), DEFAULT_OPTIONS, none);
    const isZ = (e: MergedEntry) => e.name === 'z';
    expect(rows.search(isZ, 0, 1)).toBe(rows.length - 1);
    expect(rows.search((e) => e.name === 'd', rows.length - 1, 1)).toBe(0);
    expect(rows.search((e) => e.name === 'x', 0, -1)).toBe(rows.indexOf('/d/x'));
    expect(rows.search(() => false, 0, 1)).toBe(-1);
  });

  it('a filter keeps matching files and the open dirs that hold them', () => {
    const rows = layoutRows(dirs(), new Set(['/', '/d', '/e']), { ...DEFAULT_OPTIONS, filter: 'match' }, none);
    expect(text(rows)).toEqual(['0:d+', '1:sub', '1:match-me']);
  });

  it('shows the entries array itself when nothing is hidden (no copy per layout)', () => {
    const d = dirs();
    const a = layoutRows(d, new Set(['/']), DEFAULT_OPTIONS, none);
    const b = layoutRows(d, new Set(['/']), DEFAULT_OPTIONS, none);
    expect(b.at(3)).toBe(a.at(3));
  });

  it('agrees with a one-row-per-entry flatten on random trees, options and open dirs', () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const names = ['a', '.h', 'match', 'b-match', 'z', 'q'];
    for (let round = 0; round < 300; round++) {
      const d = new Map<string, ReturnType<typeof loadedDir>>();
      const expanded = new Set(['/']);
      const fill = (dir: string, depth: number) => {
        const list: MergedEntry[] = [];
        for (const n of names) {
          if (rnd(3) === 0) continue;
          const path = dir === '/' ? `/${n}` : `${dir}/${n}`;
          const kind = rnd(5);
          const e = entry(path, { type: kind === 0 && depth < 3 ? 'dir' : kind === 1 ? 'whiteout' : 'file' });
          list.push(e);
          if (e.type === 'dir' && rnd(3) > 0) {
            expanded.add(path);
            if (rnd(4) > 0) fill(path, depth + 1);
          }
        }
        d.set(dir, loadedDir(list, rnd(2) === 0 ? 'name' : 'size'));
      };
      fill('/', 0);
      const o: ViewOptions = { ...DEFAULT_OPTIONS, ghosts: rnd(2) === 0, hidden: rnd(2) === 0, filter: ['', 'match', 'q'][rnd(3)]! };
      const rows = layoutRows(d, expanded, o, none);
      expect(text(rows)).toEqual(naive(d, expanded, o));
      for (let i = 0; i < rows.length; i++) {
        const row = rows.at(i)!;
        expect(rows.indexOf(row.entry.path)).toBe(i);
        expect(parentOf(row.entry.path) === '/' ? 0 : rows.at(rows.indexOf(parentOf(row.entry.path)))!.depth + 1).toBe(row.depth);
      }
    }
  });
});
