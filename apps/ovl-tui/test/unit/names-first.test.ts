// A dir read names first: placeholders for every name, replaced piece by piece by the details.
import { describe, expect, it } from 'vitest';
import { isPlaceholder, placeholderEntry } from '../../src/lib/placeholder.js';
import type { MergedEntry } from '../../src/service/types.js';
import { NamesFirst } from '../../src/state/names-first.js';
import { entry } from '../support/fake-service.js';

const names = { names: ['a', 'b', 'ghost', 'd', 'e'], dirs: Uint8Array.from([0, 1, 0, 0, 0]) };

describe('names first', () => {
  it('starts as one placeholder per name, dirs first, with the paths of the dir', () => {
    const list = new NamesFirst('/x', names).entries();
    expect(list.map((e) => [e.path, e.type])).toEqual([['/x/b', 'dir'], ['/x/a', 'file'], ['/x/ghost', 'file'], ['/x/d', 'file'], ['/x/e', 'file']]);
    expect(list.every(isPlaceholder)).toBe(true);
    const p = placeholderEntry('/', 'n', false);
    expect(FIELDS.filter((f) => !(f in p))).toEqual([]); // every field of an entry (the constant ones on its prototype)
    expect([p.sourcePath, p.size, p.layer, p.shadows, p.redirect]).toEqual(['', 0, 0, [], undefined]);
  });

  it('puts each detail in its placeholder\'s place, and leaves the lists handed out as they were', () => {
    const dir = new NamesFirst('/', names);
    const first = dir.entries();
    dir.add([entry('/a'), entry('/b', { type: 'dir' })]);
    const state = (list: readonly MergedEntry[]) => list.map((e) => [e.name, isPlaceholder(e)]);
    expect(state(dir.entries())).toEqual([['b', false], ['a', false], ['ghost', true], ['d', true], ['e', true]]);
    expect(first.every(isPlaceholder)).toBe(true);
    dir.add([entry('/d'), entry('/e')]); // 'ghost' hid nothing: no entry for it, its placeholder stays until the full list
    expect(state(dir.entries())).toEqual([['b', false], ['a', false], ['ghost', true], ['d', false], ['e', false]]);
  });

  it('finishes as the whole dir in sorted order, without the placeholders no piece replaced', () => {
    const dir = new NamesFirst('/', names);
    dir.add([entry('/a'), entry('/b', { type: 'dir' }), entry('/d'), entry('/e')]);
    const { entries, byName } = dir.finish();
    expect(entries.map((e) => e.name)).toEqual(['b', 'a', 'd', 'e']);
    expect(byName).toBe(true);
  });

  it('finishes unsorted when an entry is not what its name said, or came without a name', () => {
    const turned = new NamesFirst('/', names);
    turned.add([entry('/a', { type: 'dir' }), entry('/b'), entry('/ghost'), entry('/d'), entry('/e')]); // a and b swapped kinds meanwhile
    expect(turned.finish()).toMatchObject({ byName: false });
    const stray = new NamesFirst('/', names);
    stray.add([entry('/a'), entry('/b', { type: 'dir' }), entry('/z')]);
    const { entries, byName } = stray.finish();
    expect(entries.map((e) => e.name)).toEqual(['b', 'a', 'z']);
    expect(byName).toBe(false);
  });
});

/** The fields of core's entries (merged-dir.ts entryOf). */
const FIELDS = ['path', 'name', 'type', 'size', 'mode', 'mtimeMs', 'layer', 'shadows', 'copiedUp', 'opaque', 'redirect', 'metacopy', 'sourcePath', 'dataLayer', 'dataPath', 'uid', 'gid', 'nlink', 'ino'];
