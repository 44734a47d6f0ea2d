/**
 * Redirects met on the way of an absolute redirect, against the kernel (issue 9's cases).
 * fs/overlayfs/namei.c: ovl_lookup_layer walks an absolute redirect one component at a time
 * and ovl_lookup_single calls ovl_check_redirect on every component it finds as a dir, so a
 * dir renamed in one generation and walked through by a redirect of a later one moves the
 * rest of the path — for that layer's walk and for every layer below. Each case is built by
 * hand, mounted read-write (upper + work) and as a read-only lowerdir-only stack, and
 * compared with the view (support/kernel-compare.ts); the last case grows the same shape
 * through real renames over three generations.
 */
import { lstatSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createWhiteout, mountOverlay, openOverlay, setOpaque, sys, type OverlayOptions } from '../src/index.js';
import { cleanupBase } from './support/cleanup.js';
import { compareOverlay } from './support/kernel-compare.js';
import { makeBase, writeTree, type Tree } from './support/layers.js';
import { describeMounting } from './support/privileged.js';

let base: string;
beforeEach(() => {
  base = makeBase('ovl-redirects-');
});
afterEach(() => cleanupBase(base));

const REDIRECT = 'trusted.overlay.redirect';

interface HandMade {
  upper: string;
  lower: string[];
}

/** Layers under `base`: trees, then the marks (whiteouts, redirects, opaque dirs) by path. */
async function layers(
  trees: { u: Tree; l1: Tree; l2: Tree },
  marks: { whiteouts?: string[]; redirects?: Record<string, string>; opaque?: string[] },
): Promise<HandMade> {
  const u = writeTree(join(base, 'u'), trees.u);
  const l1 = writeTree(join(base, 'l1'), trees.l1);
  const l2 = writeTree(join(base, 'l2'), trees.l2);
  for (const w of marks.whiteouts ?? []) await createWhiteout(join(base, w));
  for (const [p, target] of Object.entries(marks.redirects ?? {})) sys.lsetxattr(join(base, p), REDIRECT, target, 0);
  for (const p of marks.opaque ?? []) await setOpaque(join(base, p));
  return { upper: u, lower: [l1, l2] };
}

/** The kernel's and the view's answer for the stack, read-write and as lowers only. */
async function compareBoth(s: HandMade, options: OverlayOptions = { redirect_dir: 'on' }): Promise<{ problems: string[]; kernelZ: string[] }> {
  const merged = writeTree(join(base, 'merged'), {});
  const work = writeTree(join(base, 'work'), {});
  const problems: string[] = [];
  let kernelZ: string[] = [];
  const rw = await mountOverlay({ lower: s.lower, upper: s.upper, work, target: merged, options });
  try {
    kernelZ = readdirSync(join(merged, 'z')).sort();
    problems.push(...(await compareOverlay({ lower: s.lower, upper: s.upper }, merged)));
  } finally {
    await rw.unmount();
  }
  const ro = await mountOverlay({ lower: [s.upper, ...s.lower], target: merged });
  try {
    problems.push(...(await compareOverlay({ lower: [s.upper, ...s.lower] }, merged)).map((p) => `lowerdir-only: ${p}`));
  } finally {
    await ro.unmount();
  }
  return { problems, kernelZ };
}

/** u/z → /x/d/p, with /x/d/p whited out in u: what z shows depends on l1's /x/d. */
const upperSide = { u: { x: { d: {} }, z: {} } };
const upperMarks = { whiteouts: ['u/x/d/p'], redirects: { 'u/z': '/x/d/p' } };

describeMounting('redirects on the way of an absolute redirect (kernel vs view)', () => {
  it('an absolute redirect on an intermediate dir moves the rest of the path', async () => {
    const s = await layers(
      { ...upperSide, l1: { x: { d: {} } }, l2: { y: { p: { file: 'data\n' } } } },
      { whiteouts: [...upperMarks.whiteouts, 'l1/y'], redirects: { ...upperMarks.redirects, 'l1/x/d': '/y' } },
    );
    const { problems, kernelZ } = await compareBoth(s);
    expect(kernelZ).toEqual(['file']);
    expect(problems).toEqual([]);
    const view = await openOverlay(s);
    expect(await view.stat('/z/file')).toMatchObject({ layer: 1, sourcePath: join(s.lower[1]!, 'y', 'p', 'file') });
  });

  it('a relative redirect on an intermediate dir replaces that component', async () => {
    const s = await layers(
      { ...upperSide, l1: { x: { d: {} } }, l2: { x: { e: { p: { file: 'data\n' } } } } },
      { whiteouts: [...upperMarks.whiteouts, 'l1/x/e'], redirects: { ...upperMarks.redirects, 'l1/x/d': 'e' } },
    );
    const { problems, kernelZ } = await compareBoth(s);
    expect(kernelZ).toEqual(['file']);
    expect(problems).toEqual([]);
  });

  it('an opaque ancestor does not end the lookup when a dir below it redirects absolutely', async () => {
    const s = await layers(
      { ...upperSide, l1: { x: { d: {} } }, l2: { y: { p: { file: 'data\n' } } } },
      { whiteouts: [...upperMarks.whiteouts, 'l1/y'], redirects: { ...upperMarks.redirects, 'l1/x/d': '/y' }, opaque: ['l1/x'] },
    );
    const { problems, kernelZ } = await compareBoth(s);
    expect(kernelZ).toEqual(['file']);
    expect(problems).toEqual([]);
  });

  it('the bottom layer is walked without redirect checks', async () => {
    // l2 is the last layer: its /x/d's redirect is not read, so l2's own /x/d/p merges into z
    const s = await layers(
      // u/x whited out: the same lower dir reached through /x/d/p and /z would be ESTALE
      { u: { z: {} }, l1: {}, l2: { x: { d: { p: { 'bottom.txt': 'bottom\n' } } }, y: { p: { 'moved.txt': 'never reached\n' } } } },
      { whiteouts: ['u/x'], redirects: { 'u/z': '/x/d/p', 'l2/x/d': '/y' } },
    );
    const { problems, kernelZ } = await compareBoth(s);
    expect(kernelZ).toEqual(['bottom.txt']);
    expect(problems).toEqual([]);
  });

  it('a malformed redirect fails the lookup (EINVAL): the view does not show the name', async () => {
    for (const [k, bad] of ['a/b', '//y', '/y//p', '/y/'].entries()) {
      const dir = join(base, `case${k}`);
      mkdirSync(dir);
      const u = writeTree(join(dir, 'u'), { z: { 'u.txt': 'u\n' } });
      const l1 = writeTree(join(dir, 'l1'), { z: { 'l1.txt': 'l1\n' }, y: { p: { 'y.txt': 'y\n' } } });
      sys.lsetxattr(join(u, 'z'), REDIRECT, bad, 0);
      const merged = writeTree(join(dir, 'merged'), {});
      const m = await mountOverlay({ lower: [l1], upper: u, work: writeTree(join(dir, 'work'), {}), target: merged, options: { redirect_dir: 'on' } });
      try {
        expect(() => lstatSync(join(merged, 'z')), bad).toThrow(/EINVAL/);
        expect(await (await openOverlay({ lower: [l1], upper: u })).stat('/z'), bad).toBeUndefined();
        expect(await compareOverlay({ lower: [l1], upper: u }, merged), bad).toEqual([]);
      } finally {
        await m.unmount();
      }
    }
  });

  it('a dir renamed in one generation and moved out of again in the next, through real mounts', async () => {
    const options: OverlayOptions = { redirect_dir: 'on' };
    const merged = writeTree(join(base, 'merged'), {});
    const g0 = writeTree(join(base, 'g0'), { a: { sub: { deep: { 'f.txt': 'from g0\n' } }, 'a.txt': 'a\n' } });
    const step = async (lower: string[], g: number, change: () => void): Promise<string> => {
      const upper = writeTree(join(base, `g${g}`), {});
      const m = await mountOverlay({ lower, upper, work: writeTree(join(base, `work${g}`), {}), target: merged, options });
      try {
        change();
      } finally {
        await m.unmount();
      }
      return upper;
    };
    const g1 = await step([g0], 1, () => renameSync(join(merged, 'a'), join(merged, 'b')));
    const g2 = await step([g1, g0], 2, () => renameSync(join(merged, 'b', 'sub'), join(merged, 'c')));
    const g3 = await step([g2, g1, g0], 3, () => {
      renameSync(join(merged, 'c', 'deep'), join(merged, 'b', 'deep again'));
      writeFileSync(join(merged, 'b', 'deep again', 'g3.txt'), 'g3\n');
    });
    expect(sys.lgetxattr(join(g1, 'b'), REDIRECT).toString()).toBe('a');
    expect(sys.lgetxattr(join(g2, 'c'), REDIRECT).toString()).toBe('/b/sub');
    expect(sys.lgetxattr(join(g3, 'b', 'deep again'), REDIRECT).toString()).toBe('/c/deep');
    const stack = { lower: [g2, g1, g0], upper: g3 };
    const m = await mountOverlay({ ...stack, work: writeTree(join(base, 'work-final'), {}), target: merged, options });
    try {
      expect(readdirSync(join(merged, 'b', 'deep again')).sort()).toEqual(['f.txt', 'g3.txt']);
      expect(await compareOverlay(stack, merged)).toEqual([]);
    } finally {
      await m.unmount();
    }
  });
});
