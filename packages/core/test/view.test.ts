/**
 * openOverlay on the article's stack: provenance per entry, ghosts, the mount table route,
 * and the errors a caller can meet. (The exhaustive comparison with the kernel is
 * differential.test.ts.)
 */
import { rmSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, describe } from 'vitest';
import { mountOverlay, openOverlay, OvlError, type MergedEntry } from '../src/index.js';
import { describeMounting } from './support/privileged.js';
import { articleStack, makeBase, writeTree } from './support/layers.js';
import { cleanupBase } from './support/cleanup.js';

let base: string;
beforeEach(() => {
  base = makeBase('ovl-view-');
});
afterEach(() => cleanupBase(base));

const brief = (e: MergedEntry) => ({ path: e.path, type: e.type, layer: e.layer, shadows: e.shadows, copiedUp: e.copiedUp });

describe('openOverlay on layer dirs (no mount)', () => {
  it('shows the article stack with where each entry comes from', async () => {
    const { lower, upper } = articleStack(base);
    const view = await openOverlay({ lower: [lower], upper });
    expect(view.layers).toEqual({ lower: [lower], upper });
    expect((await view.readdir('/')).map(brief)).toEqual([
      { path: '/delete-me.txt', type: 'file', layer: 0, shadows: [], copiedUp: false },
      { path: '/duplicate.txt', type: 'file', layer: 'upper', shadows: [0], copiedUp: true },
      { path: '/lower.txt', type: 'file', layer: 0, shadows: [], copiedUp: false },
      { path: '/upper.txt', type: 'file', layer: 'upper', shadows: [], copiedUp: false },
    ]);
    const dup = await view.stat('duplicate.txt');
    expect(dup?.sourcePath).toBe(join(upper, 'duplicate.txt'));
    expect(await view.stat('/nope')).toBeUndefined();
    expect((await view.stat('/'))?.type).toBe('dir');
  });

  it('refuses bad input with typed errors', async () => {
    const { lower, upper } = articleStack(base);
    await expect(openOverlay({ lower: [join(base, 'missing')] })).rejects.toMatchObject({ code: 'ERR_OVL_PATH_MISSING' });
    await expect(openOverlay({ lower: [join(lower, 'lower.txt')] })).rejects.toMatchObject({ code: 'ERR_OVL_NOT_A_DIRECTORY' });
    await expect(openOverlay(base)).rejects.toMatchObject({ code: 'ERR_OVL_NOT_AN_OVERLAY' });
    const view = await openOverlay({ lower: [lower], upper });
    await expect(view.readdir('/lower.txt')).rejects.toMatchObject({ code: 'ERR_OVL_NOT_A_DIRECTORY' });
    await expect(view.readdir('/missing')).rejects.toBeInstanceOf(OvlError);
    expect(await view.changes()).toEqual([{ path: '/duplicate.txt', kind: 'C' }, { path: '/upper.txt', kind: 'A' }]);
  });

  it('walks below a chosen dir, and lists ghosts only when asked', async () => {
    const lower = writeTree(join(base, 'lower'), { a: { b: { c: 'c' }, gone: 'g' }, z: 'z' });
    const upper = writeTree(join(base, 'upper'), { a: {} });
    const view = await openOverlay({ lower: [lower], upper });
    const { sys } = await import('../src/index.js');
    sys.mknod(join(upper, 'a', 'gone'), sys.constants.S_IFCHR, 0, 0);
    const paths = async (opts: object) => {
      const out: string[] = [];
      for await (const e of view.walk(opts)) out.push(`${e.path}:${e.type}`);
      return out.sort();
    };
    expect(await paths({ root: '/a' })).toEqual(['/a/b:dir', '/a/b/c:file'].sort());
    expect(await paths({ root: 'a', whiteouts: true })).toEqual(['/a/b:dir', '/a/b/c:file', '/a/gone:whiteout'].sort());
    expect(await paths({})).toEqual(['/a/b/c:file', '/a/b:dir', '/a:dir', '/z:file'].sort());
  });
});

describeMounting('openOverlay(merged dir) reads its layers from the mount table', () => {
  it('follows the article as it happens through the mount', async () => {
    const { lower, upper, work, merged } = articleStack(base);
    const m = await mountOverlay({ lower: [lower], upper, work, target: merged });
    try {
      const view = await openOverlay(merged);
      expect(view.layers).toEqual({ lower: [lower], upper });
      rmSync(join(merged, 'delete-me.txt'));
      appendFileSync(join(merged, 'lower.txt'), 'changed\n');
      const all = await view.readdir('/', { whiteouts: true });
      expect(await view.stat('/delete-me.txt')).toBeUndefined();
      expect(await view.stat('/delete-me.txt', { whiteouts: true })).toMatchObject({ type: 'whiteout', layer: 'upper', shadows: [0] });
      expect(all.map((e) => [e.name, e.type, e.layer, e.copiedUp])).toEqual([
        ['delete-me.txt', 'whiteout', 'upper', false],
        ['duplicate.txt', 'file', 'upper', true],
        ['lower.txt', 'file', 'upper', true],
        ['upper.txt', 'file', 'upper', false],
      ]);
      expect(await view.changes()).toEqual([
        { path: '/delete-me.txt', kind: 'D' },
        { path: '/duplicate.txt', kind: 'C' },
        { path: '/lower.txt', kind: 'C' },
        { path: '/upper.txt', kind: 'A' },
      ]);
    } finally {
      await m.unmount();
    }
  });
});
