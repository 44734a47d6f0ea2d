// The tree's pure parts: sorting and patching loaded dirs in place (rows.test.ts: laying them out).
import { describe, expect, it } from 'vitest';
import { changeKindOf, loadedDir, patchDirs, type Dirs } from '../../src/state/tree.js';
import { entry } from '../support/fake-service.js';

const dirs = (): Dirs =>
  new Map([
    ['/', loadedDir([entry('/z'), entry('/d', { type: 'dir' }), entry('/a')], 'name')],
    ['/d', loadedDir([entry('/d/x'), entry('/d/match-me')], 'name')],
  ]);

describe('tree', () => {
  it('patchDirs replaces, adds and drops entries, keeping the order', () => {
    const next = patchDirs(dirs(), [
      { path: '/a', entry: undefined },
      { path: '/m', entry: entry('/m', { layer: 'upper' }) },
      { path: '/z', entry: entry('/z', { layer: 'upper' }) },
    ], 'name');
    expect(next.get('/')!.entries.map((e) => e.name)).toEqual(['d', 'm', 'z']);
    expect(next.get('/')!.entries.find((e) => e.name === 'z')?.layer).toBe('upper');
  });

  it('patchDirs keeps size order when a size changes', () => {
    const d = new Map([['/', loadedDir([entry('/a', { size: 1 }), entry('/b', { size: 5 })], 'size')]]);
    const next = patchDirs(d, [{ path: '/a', entry: entry('/a', { size: 9 }) }], 'size');
    expect(next.get('/')!.entries.map((e) => e.name)).toEqual(['a', 'b']);
  });

  it('patchDirs gives the same list as sorting from scratch (random changes, both sort keys)', () => {
    let seed = 11;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (const key of ['name', 'size'] as const) {
      for (let round = 0; round < 50; round++) {
        const make = (i: number) => entry(`/n${i}`, { type: rnd(4) === 0 ? 'dir' : 'file', size: rnd(5) });
        const truth = new Map<string, ReturnType<typeof entry>>();
        for (let i = 0; i < rnd(30); i++) truth.set(`/n${i}`, make(i));
        const d: Dirs = new Map([['/', loadedDir([...truth.values()], key)]]);
        const updates = Array.from({ length: rnd(12) }, () => {
          const i = rnd(40);
          const e = rnd(3) === 0 ? undefined : make(i);
          if (e) truth.set(`/n${i}`, e);
          else truth.delete(`/n${i}`);
          return { path: `/n${i}`, entry: e };
        });
        // Later updates of one name win, as in a batch.
        const got = patchDirs(d, updates, key).get('/')!.entries.map((e) => e.path);
        expect(got).toEqual(loadedDir([...truth.values()], key).entries.map((e) => e.path));
      }
    }
  });

  it('patchDirs ignores dirs that are not loaded, and the root itself', () => {
    const d = dirs();
    expect(patchDirs(d, [{ path: '/nope/x', entry: entry('/nope/x') }, { path: '/', entry: entry('/', { type: 'dir' }) }], 'name')).toBe(d);
  });

  it('changeKindOf maps entries to podman diff kinds', () => {
    expect(changeKindOf(entry('/a', { layer: 'upper' }))).toBe('A');
    expect(changeKindOf(entry('/a', { layer: 'upper', shadows: [0] }))).toBe('C');
    expect(changeKindOf(entry('/a', { layer: 'upper', type: 'whiteout' }))).toBe('D');
    expect(changeKindOf(entry('/a'))).toBeUndefined();
  });
});
