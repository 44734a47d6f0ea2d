/**
 * commit and flatten against the kernel: random stacks changed through a real mount (renames
 * → redirects, chmod → metacopy, hard links, deletions, rm -r + mkdir → opaque), then
 * - flatten → a plain tree equal to the kernel's merged view;
 * - commit into a new layer → [new, ...lower] mounted equals it;
 * - commit into the top lower (upper cleared) → the lowers alone mounted equal it.
 * And: a mounted stack is refused with nothing changed. OVL_SEEDS etc. as elsewhere (default 40).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { mountOverlay } from '../src/index.js';
import { commit } from '../src/layers/commit.js';
import { flatten } from '../src/layers/flatten.js';
import { articleStack, snapshotTree } from './support/layers.js';
import { describeMounting } from './support/privileged.js';
import { fmtOps } from './support/random-stack.js';
import { changedStack, seedBase } from './support/seed-base.js';
import { itSeeds, seedChunks } from './support/seeds.js';
import { differences, treeOf } from './support/trees.js';

const base = seedBase('ovl-commit-');


/** The kernel's tree of these layers (read-only mount, no upper; an empty layer below a lone one, as read-only overlays need two). */
async function kernelTree(lower: string[], target: string): Promise<Map<string, string>> {
  mkdirSync(target, { recursive: true });
  const empty = `${target}-empty`;
  mkdirSync(empty);
  const m = await mountOverlay({ lower: lower.length === 1 ? [...lower, empty] : lower, target });
  try {
    return treeOf(target);
  } finally {
    await m.unmount();
  }
}

describeMounting('flatten and commit equal the kernel (random stacks)', () => {
  itSeeds(seedChunks(40), base, async (seed, dir) => {
    const { stack, ops, kernel } = await changedStack(seed, dir);
    const problems: string[] = [];
    const flat = join(dir, 'flat');
    await flatten({ lower: stack.lower, upper: stack.upper }, flat);
    problems.push(...differences(kernel, treeOf(flat)).map((d) => `flatten: ${d}`));

    const layer = join(dir, 'committed');
    const one = await commit({ lower: stack.lower, upper: stack.upper }, { into: 'new-layer', dir: layer });
    problems.push(...differences(kernel, await kernelTree(one.lower, join(dir, 'm1'))).map((d) => `new-layer: ${d}`));

    const two = await commit({ lower: stack.lower, upper: stack.upper }, { into: 'top-lower', clearUpper: true });
    problems.push(...differences(kernel, await kernelTree(two.lower, join(dir, 'm2'))).map((d) => `top-lower: ${d}`));
    if (problems.length) return `seed ${seed}:\n${problems.slice(0, 12).join('\n')}\nops:\n${fmtOps(ops)}`;
    return '';
  });
});

describeMounting('commit refuses a mounted stack', () => {
  it('ERR_OVL_LAYER_IN_USE while mounted, nothing changed; works once unmounted', async () => {
    const s = articleStack(base());
    const m = await mountOverlay({ lower: [s.lower], upper: s.upper, work: s.work, target: s.merged });
    const before = [snapshotTree(s.lower), snapshotTree(s.upper)];
    try {
      await expect(commit({ lower: [s.lower], upper: s.upper }, { into: 'top-lower' })).rejects.toMatchObject({ code: 'ERR_OVL_LAYER_IN_USE' });
      await expect(commit({ lower: [s.lower], upper: s.upper }, { into: 'new-layer', dir: join(base(), 'n') })).rejects.toMatchObject({ code: 'ERR_OVL_LAYER_IN_USE' });
    } finally {
      await m.unmount();
    }
    expect([snapshotTree(s.lower), snapshotTree(s.upper)]).toEqual(before);
    await commit({ lower: [s.lower], upper: s.upper }, { into: 'top-lower' });
    expect(treeOf(s.lower).get('/upper.txt')).toMatch(/^file /);
  });

  it('refuses a new-layer dir that is not empty', async () => {
    const s = articleStack(base());
    await expect(commit({ lower: [s.lower], upper: s.upper }, { into: 'new-layer', dir: s.lower })).rejects.toMatchObject({ code: 'ERR_OVL_NOT_EMPTY' });
  });
});
