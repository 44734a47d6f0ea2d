/**
 * The offline view must equal what the kernel shows. For each seed, two runs:
 * - a random layer stack (support/random-stack.ts) is mounted for real;
 * - a random stack is changed through a mount by random operations (renames, chmod, appends,
 *   deletions, ...; with redirect_dir=on and metacopy=on for most seeds), unmounted and
 *   mounted again.
 * Then the kernel's merged tree is compared with the view (support/kernel-compare.ts).
 * Stacks grown over several generations are in differential-generations.test.ts.
 *
 * Environment: OVL_SEEDS=n runs seeds 1..n (default 200; OVL_SEED_START moves the start);
 * OVL_SEED=1234 (or 1,2,3) runs those seeds only (support/seeds.ts); OVL_KEEP=1 keeps the
 * layer dirs of failing seeds; OVL_VERBOSE=1 prints what the seeds exercised.
 * Plus targeted cases: renamed dirs (redirect_dir, also walked through opaque, whited-out
 * and symlinked ancestors, and refused under nofollow), metacopy files, and the kernel's
 * readdir/lookup disagreement for whiteouts in a dir it does not merge.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mountOverlay, openOverlay, sys, createWhiteout, type OverlayOptions } from '../src/index.js';
import { compareOverlay, type CompareOptions, type Layers } from './support/kernel-compare.js';
import { describeMounting } from './support/privileged.js';
import { makeBase, writeTree } from './support/layers.js';
import { cleanupBase } from './support/cleanup.js';
import { fmtOps, generateStack, randomOps, Rng, XATTR_OPAQUE, XATTR_WHITEOUT, type DoneOp } from './support/random-stack.js';
import { itSeeds, seedChunks, seedOutcome } from './support/seeds.js';

let base: string | undefined;
beforeEach(() => {
  base = makeBase('ovl-diff-');
});
afterEach(() => {
  if (process.env.OVL_KEEP !== '1') cleanupBase(base);
  base = undefined;
});

// ---------------------------------------------------------------------------------------
// Random stacks

const chunks = seedChunks(200);

/** With OVL_VERBOSE=1: what the seeds exercised. */
const stats = { seeds: 0, made: 0, kernelEntries: 0, hidden: 0, lookupOnly: 0, kinds: new Map<string, number>() };

/** Every fifth seed writes user.overlay.* and mounts with userxattr. */
function usesUserXattr(seed: number): boolean {
  return seed % 5 === 2;
}

async function runSeed(seed: number, dir: string): Promise<string | undefined> {
  const userxattr = usesUserXattr(seed);
  const stack = generateStack(seed, dir, { userxattr });
  stats.seeds++;
  stats.made += stack.made.length;
  for (const m of stack.made) {
    const key = `${m.layer === 'upper' ? 'upper' : 'lower'}:${m.kind}${m.detail?.startsWith('opaque') ? `(${m.detail})` : ''}`;
    stats.kinds.set(key, (stats.kinds.get(key) ?? 0) + 1);
  }
  const layers: Layers = { lower: stack.lower, upper: stack.upper, userxattr };
  let mount;
  try {
    mount = await mountOverlay({ lower: stack.lower, upper: stack.upper, work: stack.work, target: stack.merged, ...(userxattr && { options: { userxattr: true } }) });
  } catch (e) {
    return `seed ${seed}: mount failed: ${(e as Error).message}`;
  }
  let problems: string[];
  try {
    const rng = new Rng(seed ^ 0x5eed);
    problems = await compareOverlay(layers, stack.merged, {
      plainPaths: true,
      onKernel: (K) => {
        stats.kernelEntries += K.entries.size;
        stats.hidden += K.hidden.length;
        stats.lookupOnly += K.lookupOnly.length;
      },
      statSample: (all) => all.filter((_, i) => i < 12 || rng.chance(0.35)),
    });
  } catch (e) {
    problems = [`threw: ${(e as Error).stack ?? String(e)}`];
  } finally {
    await mount.unmount();
  }
  return seedOutcome(dir, problems, `seed ${seed} (${stack.lower.length} lower${stack.lower.length > 1 ? 's' : ''}${userxattr ? ', userxattr' : ''}; rerun with OVL_SEED=${seed})`);
}

describeMounting('differential: offline view vs the kernel, random stacks', () => {
  itSeeds(chunks, () => base!, runSeed, () => ({ ...stats, kinds: Object.fromEntries([...stats.kinds].sort()) }));
});

/** Options for the changed-through-a-mount seeds: redirects and metacopy on for most. */
function opsOptions(seed: number): OverlayOptions {
  const choices: OverlayOptions[] = [{ redirect_dir: 'on', metacopy: true }, { redirect_dir: 'on' }, {}];
  return choices[seed % 3]!;
}

const opStats = { seeds: 0, ops: 0, refused: 0, redirects: 0, metacopies: 0 };

/** Count overlay.redirect / overlay.metacopy in a layer dir. */
function countMarks(dir: string): { redirects: number; metacopies: number } {
  let redirects = 0;
  let metacopies = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const names = (() => {
      try {
        return sys.llistxattr(p);
      } catch {
        return [];
      }
    })();
    if (names.includes('trusted.overlay.redirect')) redirects++;
    if (names.includes('trusted.overlay.metacopy')) metacopies++;
    if (lstatSync(p).isDirectory()) {
      const c = countMarks(p);
      redirects += c.redirects;
      metacopies += c.metacopies;
    }
  }
  return { redirects, metacopies };
}


/** A random stack, changed by random operations through a mount, then compared after a remount. */
async function runOpsSeed(seed: number, dir: string): Promise<string | undefined> {
  const stack = generateStack(seed, dir);
  const layers = { lower: stack.lower, upper: stack.upper };
  const options = opsOptions(seed);
  const spec = { ...layers, work: stack.work, target: stack.merged, options };
  let ops: DoneOp[] = [];
  let problems: string[];
  try {
    const first = await mountOverlay(spec);
    try {
      ops = randomOps(seed, stack.merged, 8 + (seed % 17));
    } finally {
      await first.unmount();
    }
    const marks = countMarks(stack.upper);
    opStats.seeds++;
    opStats.ops += ops.length;
    opStats.refused += ops.filter((o) => o.error).length;
    opStats.redirects += marks.redirects;
    opStats.metacopies += marks.metacopies;
    const again = await mountOverlay(spec);
    try {
      problems = await compareOverlay(layers, stack.merged);
    } finally {
      await again.unmount();
    }
  } catch (e) {
    problems = [`threw: ${(e as Error).stack ?? String(e)}`];
  }
  return seedOutcome(dir, problems, `seed ${seed}, changed through a mount with ${JSON.stringify(options)} (rerun with OVL_SEED=${seed})\n  ops: ${fmtOps(ops)}`);
}

describeMounting('differential: random stacks changed through a mount (copy-up, whiteouts, redirects, metacopy), after a remount', () => {
  itSeeds(chunks, () => base!, runOpsSeed, () => opStats);
});

// ---------------------------------------------------------------------------------------
// Targeted cases

interface Fixed {
  lower: string[];
  upper: string;
  work: string;
  merged: string;
}

function fixedStack(trees: Array<Parameters<typeof writeTree>[1]>, upperTree: Parameters<typeof writeTree>[1] = {}): Fixed {
  const b = base!;
  return {
    lower: trees.map((t, i) => writeTree(join(b, `lower${i}`), t)),
    upper: writeTree(join(b, 'upper'), upperTree),
    work: writeTree(join(b, 'work'), {}),
    merged: writeTree(join(b, 'merged'), {}),
  };
}

function xattr(p: string, name: string): string | undefined {
  try {
    return sys.lgetxattr(p, name).toString();
  } catch {
    return undefined;
  }
}

async function remountAndCompare(s: Fixed, options: OverlayOptions, opts: CompareOptions = {}): Promise<string[]> {
  const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options });
  try {
    return await compareOverlay({ lower: s.lower, upper: s.upper }, s.merged, opts);
  } finally {
    await m.unmount();
  }
}

describeMounting('differential: targeted cases', () => {
  it('renamed and moved lower dirs (redirect_dir=on): the view follows relative and absolute redirects as a remount does', async () => {
    const s = fixedStack(
      [
        { d1: { 'x.txt': 'l0 d1/x\n', sub: { 'y.txt': 'l0 d1/sub/y\n' } }, d2: { inner: { 'l0.txt': 'l0 inner\n', sub: { 'deep.txt': 'l0 deep\n' } } }, target: {}, d3: { z: 'l0 z\n' } },
        { d2: { inner: { 'l1.txt': 'l1 inner\n', 'l0.txt': 'l1 shadowed\n' } }, d1: { 'only-l1.txt': 'l1 d1\n' }, keep: { k: 'l1 k\n' } },
      ],
      {},
    );
    const opts: OverlayOptions = { redirect_dir: 'on' };
    const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options: opts });
    renameSync(join(s.merged, 'd1'), join(s.merged, 'd1-renamed'));
    writeFileSync(join(s.merged, 'd1-renamed', 'new.txt'), 'new in renamed\n');
    renameSync(join(s.merged, 'd2', 'inner'), join(s.merged, 'target', 'moved'));
    renameSync(join(s.merged, 'target', 'moved', 'sub'), join(s.merged, 'sub from moved, a:b'));
    renameSync(join(s.merged, 'd3'), join(s.merged, 'target', 'd3 renamed'));
    mkdirSync(join(s.merged, 'd1')); // a new dir where the renamed one was: opaque in upper
    writeFileSync(join(s.merged, 'd1', 'fresh.txt'), 'fresh\n');
    await m.unmount();

    // what the kernel wrote (sanity: the test is about these)
    expect(xattr(join(s.upper, 'd1-renamed'), 'trusted.overlay.redirect')).toBe('d1');
    expect(xattr(join(s.upper, 'target', 'moved'), 'trusted.overlay.redirect')).toBe('/d2/inner');
    expect(xattr(join(s.upper, 'sub from moved, a:b'), 'trusted.overlay.redirect')).toBe('/d2/inner/sub');

    const view = await openOverlay({ lower: s.lower, upper: s.upper });
    const renamed = await view.stat('/d1-renamed');
    expect(renamed).toMatchObject({ type: 'dir', layer: 'upper', redirect: 'd1' });
    expect((await view.readdir('/d1-renamed')).map((e) => e.name)).toEqual(['new.txt', 'only-l1.txt', 'sub', 'x.txt']);
    expect((await view.readdir('/target/moved')).map((e) => e.name)).toEqual(['l0.txt', 'l1.txt']);
    expect(await view.stat('/target/moved/l0.txt')).toMatchObject({ layer: 0, sourcePath: join(s.lower[0]!, 'd2', 'inner', 'l0.txt') });
    expect((await view.readdir('/d1')).map((e) => e.name)).toEqual(['fresh.txt']);
    expect(await view.stat('/d2/inner')).toBeUndefined();

    expect(await remountAndCompare(s, opts)).toEqual([]);
    // redirect_dir=follow follows what it finds, as 'on' does
    expect(await remountAndCompare(s, { redirect_dir: 'follow' })).toEqual([]);
  });

  it("redirect_dir=off still follows redirects (off only stops creating them); openOverlay(merged) must too", async () => {
    const s = fixedStack([{ d1: { 'x.txt': 'x\n' }, d2: { inner: { 'i.txt': 'i\n' } }, t: {} }]);
    const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options: { redirect_dir: 'on' } });
    renameSync(join(s.merged, 'd1'), join(s.merged, 'd1-renamed'));
    renameSync(join(s.merged, 'd2', 'inner'), join(s.merged, 't', 'moved'));
    await m.unmount();
    expect(await remountAndCompare(s, { redirect_dir: 'off' })).toEqual([]);
  });

  // With redirect_dir=nofollow the kernel's lookup of a dir carrying overlay.redirect fails
  // with EPERM ("refusing to follow redirect" in dmesg): the view must not show it.
  const renamedUnderNofollow = async (): Promise<Fixed> => {
    const s = fixedStack([{ d1: { 'x.txt': 'x\n' }, keep: { k: 'k\n' } }]);
    const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options: { redirect_dir: 'on' } });
    renameSync(join(s.merged, 'd1'), join(s.merged, 'd1-renamed'));
    await m.unmount();
    return s;
  };

  it('redirect_dir=nofollow: the kernel refuses lookup of a redirected dir (EPERM), and its readdir of the (impure) parent drops it', async () => {
    const s = await renamedUnderNofollow();
    const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options: { redirect_dir: 'nofollow' } });
    try {
      expect(() => lstatSync(join(s.merged, 'd1-renamed'))).toThrow(/EPERM/);
      expect(readdirSync(s.merged)).toEqual(['keep']);
    } finally {
      await m.unmount();
    }
  });

  it('redirect_dir=nofollow: openOverlay(merged) must not show a redirected dir as a plain dir', async () => {
    const s = await renamedUnderNofollow();
    expect(await remountAndCompare(s, { redirect_dir: 'nofollow' }, { mountedOnly: true })).toEqual([]);
  });

  // Seed 1306 of the changed-through-a-mount batch found this: following an absolute
  // redirect, the kernel looks the path up component by component in each lower layer
  // (ovl_lookup_layer): an opaque ancestor there stops the search below that layer, a
  // whiteout or non-dir ancestor (a symlink too) stops it. Reading <layer>/<parent of the
  // redirect> directly would merge dirs the kernel never reaches, and follow a lower
  // layer's symlinked ancestor on the host.
  const movedDirCase = async (lower: Array<Parameters<typeof writeTree>[1]>, prepare?: (s: Fixed) => Promise<void> | void): Promise<{ s: Fixed; kernel: string[]; view: string[] }> => {
    const s = fixedStack(lower);
    await prepare?.(s);
    const opts: OverlayOptions = { redirect_dir: 'on' };
    const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options: opts });
    renameSync(join(s.merged, 'a', 'b', 'c'), join(s.merged, 'moved'));
    await m.unmount();
    expect(xattr(join(s.upper, 'moved'), 'trusted.overlay.redirect')).toBe('/a/b/c');
    const again = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options: opts });
    let kernel: string[];
    try {
      kernel = readdirSync(join(s.merged, 'moved')).sort();
    } finally {
      await again.unmount();
    }
    const view = (await (await openOverlay({ lower: s.lower, upper: s.upper })).readdir('/moved')).map((e) => e.name);
    return { s, kernel, view };
  };

  it('absolute redirect through an opaque ancestor in a lower layer: nothing below that layer merges', async () => {
    const { kernel, view } = await movedDirCase(
      [{ a: { b: { c: { 'top.txt': 'top\n' } } } }, { a: { b: { c: { 'deep.txt': 'hidden by the opaque b above\n' } } } }],
      (s) => sys.lsetxattr(join(s.lower[0]!, 'a', 'b'), XATTR_OPAQUE, 'y', 0),
    );
    expect(kernel).toEqual(['top.txt']);
    expect(view).toEqual(kernel);
  });

  it('absolute redirect through a whited-out ancestor in a lower layer: the search stops there', async () => {
    const { kernel, view } = await movedDirCase(
      [{ a: { b: { c: { 'top.txt': 'top\n' } } } }, { a: {} }, { a: { b: { c: { 'deep.txt': 'hidden by the whiteout in lower[1]\n' } } } }],
      (s) => createWhiteout(join(s.lower[1]!, 'a', 'b')),
    );
    expect(kernel).toEqual(['top.txt']);
    expect(view).toEqual(kernel);
  });

  it("absolute redirect through a lower layer's symlinked ancestor: the kernel stops, the view must not follow it on the host", async () => {
    const outside = writeTree(join(base!, 'outside'), { c: { 'leak.txt': 'outside every layer\n' } });
    const { kernel, view } = await movedDirCase([{ a: { b: { c: { 'top.txt': 'top\n' } } } }, { a: {} }], (s) => {
      symlinkSync(outside, join(s.lower[1]!, 'a', 'b'));
    });
    expect(kernel).toEqual(['top.txt']);
    expect(view).toEqual(kernel);
  });

  it('metacopy=on: chmod and rename of lower files leave metadata-only upper files whose data the view finds below', async () => {
    const big = 'L1 data '.repeat(500);
    const s = fixedStack([
      { m: { 'l0.txt': 'l0 in m\n' }, 'top.txt': 'l0 top\n', src: { 'mv.txt': 'l0 mv\n' } },
      { m: { 'data1.bin': big, keep: 'l1 keep\n' }, 'top.txt': 'l1 top, shadowed\n' },
    ]);
    const opts: OverlayOptions = { metacopy: true, redirect_dir: 'on' };
    const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options: opts });
    chmodSync(join(s.merged, 'm', 'data1.bin'), 0o600);
    chmodSync(join(s.merged, 'top.txt'), 0o640);
    renameSync(join(s.merged, 'src', 'mv.txt'), join(s.merged, 'moved.txt'));
    renameSync(join(s.merged, 'top.txt'), join(s.merged, 'top renamed.txt'));
    renameSync(join(s.merged, 'm', 'l0.txt'), join(s.merged, 'm', 'l0 renamed.txt'));
    await m.unmount();

    expect(xattr(join(s.upper, 'm', 'data1.bin'), 'trusted.overlay.metacopy')).toBeDefined();
    const view = await openOverlay({ lower: s.lower, upper: s.upper });
    expect(await view.stat('/m/data1.bin')).toMatchObject({
      type: 'file', layer: 'upper', metacopy: true, dataLayer: 1, dataPath: join(s.lower[1]!, 'm', 'data1.bin'), size: Buffer.byteLength(big), mode: 0o100600,
    });
    expect(await view.stat('/moved.txt')).toMatchObject({ metacopy: true, dataLayer: 0, dataPath: join(s.lower[0]!, 'src', 'mv.txt'), size: 'l0 mv\n'.length });
    expect(await view.stat('/top renamed.txt')).toMatchObject({ metacopy: true, dataLayer: 0, dataPath: join(s.lower[0]!, 'top.txt'), mode: 0o100640 });
    expect(await view.stat('/m/l0 renamed.txt')).toMatchObject({ metacopy: true, dataLayer: 0, dataPath: join(s.lower[0]!, 'm', 'l0.txt') });
    expect(await view.stat('/src/mv.txt')).toBeUndefined();
    expect(await view.stat('/top.txt')).toBeUndefined();

    expect(await remountAndCompare(s, opts)).toEqual([]);
  });

  it('metacopy=on: a chain of metadata-only files over two layers; the data is the first non-metacopy file', async () => {
    const b = base!;
    const data = writeTree(join(b, 'data'), { d: { 'f.bin': 'the data\n'.repeat(100) } });
    const mid = writeTree(join(b, 'mid'), {});
    const upper = writeTree(join(b, 'upper'), {});
    const merged = writeTree(join(b, 'merged'), {});
    const opts: OverlayOptions = { metacopy: true, redirect_dir: 'on' };
    // stage 1: data as lower, mid as upper: a chmod leaves a metacopy file in mid
    const m1 = await mountOverlay({ lower: [data], upper: mid, work: writeTree(join(b, 'work1'), {}), target: merged, options: opts });
    chmodSync(join(merged, 'd', 'f.bin'), 0o640);
    await m1.unmount();
    // stage 2: mid over data, a fresh upper: another chmod, another metacopy file
    const s: Fixed = { lower: [mid, data], upper, work: writeTree(join(b, 'work2'), {}), merged };
    const m2 = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: merged, options: opts });
    chmodSync(join(merged, 'd', 'f.bin'), 0o600);
    await m2.unmount();
    expect(xattr(join(mid, 'd', 'f.bin'), 'trusted.overlay.metacopy')).toBeDefined();
    expect(xattr(join(upper, 'd', 'f.bin'), 'trusted.overlay.metacopy')).toBeDefined();

    const view = await openOverlay({ lower: s.lower, upper: s.upper });
    expect(await view.stat('/d/f.bin')).toMatchObject({ layer: 'upper', metacopy: true, mode: 0o100600, dataLayer: 1, dataPath: join(data, 'd', 'f.bin'), size: 900 });
    expect(await remountAndCompare(s, opts)).toEqual([]);
  });

  it("whiteouts in a lower dir the kernel does not merge: its readdir lists them, lookup refuses them, the view hides them", async () => {
    const s = fixedStack([{ solo: { 'kept.txt': 'kept\n' }, 'solo-x': { 'kept.txt': 'kept\n' } }, { other: { o: 'o\n' } }], { updir: { 'u.txt': 'u\n' } });
    await createWhiteout(join(s.lower[0]!, 'solo', 'gone'));
    writeFileSync(join(s.lower[0]!, 'solo', 'xgone'), '');
    sys.lsetxattr(join(s.lower[0]!, 'solo', 'xgone'), XATTR_WHITEOUT, '', 0);
    writeFileSync(join(s.lower[0]!, 'solo-x', 'xgone'), '');
    sys.lsetxattr(join(s.lower[0]!, 'solo-x', 'xgone'), XATTR_WHITEOUT, '', 0);
    sys.lsetxattr(join(s.lower[0]!, 'solo-x'), XATTR_OPAQUE, 'x', 0);
    await createWhiteout(join(s.upper, 'updir', 'ugone'));

    const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged });
    try {
      // the quirk itself (docs/view.md: lookup, not readdir, is the truth)
      expect(readdirSync(join(s.merged, 'solo'))).toContain('gone');
      expect(() => lstatSync(join(s.merged, 'solo', 'gone'))).toThrow(/ENOENT/);
      expect(() => lstatSync(join(s.merged, 'solo', 'xgone'))).toThrow(/ENOENT/);
      expect(() => lstatSync(join(s.merged, 'solo-x', 'xgone'))).toThrow(/ENOENT/);
      expect(() => lstatSync(join(s.merged, 'updir', 'ugone'))).toThrow(/ENOENT/);

      const view = await openOverlay({ lower: s.lower, upper: s.upper });
      expect((await view.readdir('/solo')).map((e) => e.name)).toEqual(['kept.txt']);
      expect((await view.readdir('/solo-x')).map((e) => e.name)).toEqual(['kept.txt']);
      expect((await view.readdir('/updir')).map((e) => e.name)).toEqual(['u.txt']);
      expect(await view.stat('/solo/gone')).toBeUndefined();
      expect(await view.stat('/solo/xgone')).toBeUndefined();
      expect(await view.stat('/updir/ugone')).toBeUndefined();
      for (const e of await view.readdir('/solo', { whiteouts: true })) {
        if (e.name !== 'kept.txt') expect(e).toMatchObject({ type: 'whiteout', layer: 0 });
      }
      const ghosts = await view.readdir('/updir', { whiteouts: true });
      for (const e of ghosts) if (e.name === 'ugone') expect(e).toMatchObject({ type: 'whiteout', layer: 'upper' });

      expect(await compareOverlay({ lower: s.lower, upper: s.upper }, s.merged)).toEqual([]);
    } finally {
      await m.unmount();
    }
  });
});
