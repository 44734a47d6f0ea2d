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
    expect(Object.keys(placeholderEntry('/', 'n', false)).sort()).toEqual([...FIELDS].sort()); // every field of an entry
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
});

/** The fields of core's entries (merged-dir.ts entryOf). */
const FIELDS = ['path', 'name', 'type', 'size', 'mode', 'mtimeMs', 'layer', 'shadows', 'copiedUp', 'opaque', 'redirect', 'metacopy', 'sourcePath', 'dataLayer', 'dataPath', 'uid', 'gid', 'nlink', 'ino'];
