/**
 * vacuum: the things an upper carries for nothing, found and removed without changing the
 * merged view — on hand-made cases (the kernel making each), and on random stacks changed
 * through a real mount, checked against the kernel after removal.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createWhiteout, mountOverlay, setOpaque, type OverlayOptions } from '../src/index.js';
import { vacuum } from '../src/layers/vacuum.js';
import { snapshotTree, writeTree } from './support/layers.js';
import { describeMounting } from './support/privileged.js';
import { fmtOps } from './support/random-stack.js';
import { changedStack, seedBase } from './support/seed-base.js';
import { itSeeds, seedChunks } from './support/seeds.js';
import { differences, treeOf } from './support/trees.js';

const base = seedBase('ovl-vacuum-');

async function mergedTree(lower: string[], upper: string, work: string, target: string, options?: OverlayOptions): Promise<Map<string, string>> {
  mkdirSync(target, { recursive: true });
  const m = await mountOverlay({ lower, upper, work, target, ...(options && { options }) });
  try {
    return treeOf(target);
  } finally {
    await m.unmount();
  }
}

describeMounting('vacuum', () => {
  it('finds a same-mode chmod copy-up, a whiteout hiding nothing, an opaque mark with nothing below, and a dir holding only those', async () => {
    const lower = writeTree(join(base(), 'lower'), { d: { same: 'same\n', other: 'o' }, keep: 'k', big: 'b'.repeat(10_000) });
    const upper = writeTree(join(base(), 'upper'), {});
    const work = writeTree(join(base(), 'work'), {});
    const merged = join(base(), 'merged');
    mkdirSync(merged);
    const m = await mountOverlay({ lower: [lower], upper, work, target: merged, options: { metacopy: false } });
    chmodSync(join(merged, 'd', 'same'), 0o644); // the same mode: a full copy-up that changes nothing
    chmodSync(join(merged, 'big'), 0o644);
    writeFileSync(join(merged, 'keep'), 'changed');
    mkdirSync(join(merged, 'fresh'));
    await m.unmount();
    await createWhiteout(join(upper, 'never-was'));
    await setOpaque(join(upper, 'fresh'));
    const before = await mergedTree([lower], upper, work, merged);
    const upperBefore = snapshotTree(upper);

    const report = await vacuum({ lower: [lower], upper });
    expect(report.applied).toBe(false);
    expect(report.items).toEqual([
      { path: '/big', kind: 'copy-up', bytes: 10_000 },
      { path: '/d', kind: 'dir', bytes: 0 },
      { path: '/d/same', kind: 'copy-up', bytes: 5 },
      { path: '/fresh', kind: 'opaque', bytes: 0 },
      { path: '/never-was', kind: 'whiteout', bytes: 0 },
    ]);
    expect(report.bytes).toBe(10_005);
    expect(snapshotTree(upper)).toBe(upperBefore); // a report changes nothing

    const mounted = await mountOverlay({ lower: [lower], upper, work, target: merged });
    try {
      await expect(vacuum({ lower: [lower], upper }, { apply: true })).rejects.toMatchObject({ code: 'ERR_OVL_LAYER_IN_USE' });
    } finally {
      await mounted.unmount();
    }
    expect(snapshotTree(upper)).toBe(upperBefore);

    expect((await vacuum({ lower: [lower], upper }, { apply: true })).applied).toBe(true);
    expect(differences(before, await mergedTree([lower], upper, work, merged))).toEqual([]);
    expect((await vacuum({ lower: [lower], upper })).items).toEqual([]);
  });

  it('keeps a copy-up under an opaque dir: the lower version is hidden there', async () => {
    const lower = writeTree(join(base(), 'lower'), { d: { f: 'same' } });
    const upper = writeTree(join(base(), 'upper'), { d: { f: 'same' } });
    await setOpaque(join(upper, 'd'));
    expect((await vacuum({ lower: [lower], upper })).items).toEqual([]);
  });

  itSeeds(seedChunks(40), base, async (seed, dir) => {
    const { stack, ops, kernel, options } = await changedStack(seed, dir);
    const report = await vacuum({ lower: stack.lower, upper: stack.upper }, { apply: true });
    const after = await mergedTree(stack.lower, stack.upper, stack.work, stack.merged, options);
    const diff = differences(kernel, after);
    if (diff.length) return `seed ${seed} (vacuumed ${report.items.map((i) => `${i.kind} ${i.path}`).join(', ')}):\n${diff.slice(0, 12).join('\n')}\nops:\n${fmtOps(ops)}`;
    return '';
  });
});
