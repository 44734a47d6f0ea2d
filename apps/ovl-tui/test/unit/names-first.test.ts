// A dir read names first: placeholders for every name, replaced piece by piece by the details.
import { describe, expect, it } from 'vitest';
import { isPlaceholder, placeholderEntry } from '../../src/lib/placeholder.js';
import { NamesFirst } from '../../src/state/names-first.js';
import { entry } from '../support/fake-service.js';

const names = { names: ['a', 'b', 'ghost', 'd', 'e'], dirs: Uint8Array.from([0, 1, 0, 0, 0]) };

describe('names first', () => {
  it('starts as one placeholder per name, dirs as dirs, with the paths of the dir', () => {
    const list = new NamesFirst('/x', names).entries();
    expect(list.map((e) => [e.path, e.type])).toEqual([['/x/a', 'file'], ['/x/b', 'dir'], ['/x/ghost', 'file'], ['/x/d', 'file'], ['/x/e', 'file']]);
    expect(list.every(isPlaceholder)).toBe(true);
    expect(Object.keys(placeholderEntry('/', 'n', false))).toEqual(Object.keys({ ...entry('/n'), redirect: undefined, dataLayer: undefined, dataPath: undefined }).sort((p, q) => order(p) - order(q)));
  });

  it('replaces the names a piece covers, including names the pieces leave out', () => {
    const dir = new NamesFirst('/', names);
    dir.add([entry('/a'), entry('/b', { type: 'dir' })]);
    expect(dir.entries().map((e) => [e.name, isPlaceholder(e)])).toEqual([['a', false], ['b', false], ['ghost', true], ['d', true], ['e', true]]);
    dir.add([entry('/d')]); // 'ghost' hid nothing: no entry for it
    expect(dir.entries().map((e) => [e.name, isPlaceholder(e)])).toEqual([['a', false], ['b', false], ['d', false], ['e', true]]);
    dir.add([entry('/e')]);
    expect(dir.entries().some(isPlaceholder)).toBe(false);
  });
});

/** Core's field order for an entry (merged-dir.ts entryOf), which placeholders keep. */
const FIELDS = ['path', 'name', 'type', 'size', 'mode', 'mtimeMs', 'layer', 'shadows', 'copiedUp', 'opaque', 'redirect', 'metacopy', 'sourcePath', 'dataLayer', 'dataPath', 'uid', 'gid', 'nlink', 'ino'];
const order = (f: string) => FIELDS.indexOf(f);
