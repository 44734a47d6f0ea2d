/**
 * A fresh temp dir per test for seed suites, removed after (kept with OVL_KEEP=1 to look at a
 * failing seed), and the mount options those suites cycle through.
 */
import { afterEach, beforeEach } from 'vitest';
import { mountOverlay, type OverlayOptions } from '../../src/index.js';
import { cleanupBase } from './cleanup.js';
import { makeBase } from './layers.js';
import { generateStack, randomOps, type DoneOp, type GeneratedStack } from './random-stack.js';
import { treeOf } from './trees.js';

export function seedBase(prefix: string): () => string {
  let base: string | undefined;
  beforeEach(() => {
    base = makeBase(prefix);
  });
  afterEach(() => {
    if (process.env.OVL_KEEP !== '1') cleanupBase(base);
    base = undefined;
  });
  return () => base!;
}

/** Renames make redirects; with metacopy, chmod/chown copy up metadata only. */
export const REDIRECT_OPTION_SETS: readonly OverlayOptions[] = [
  { redirect_dir: 'on', metacopy: true, index: false },
  { redirect_dir: 'on', index: false },
];

/**
 * A random stack for `seed` (1–3 lowers) changed through a real mount by random operations,
 * then unmounted: the stack, what was done, and the tree the kernel showed.
 */
export async function changedStack(seed: number, dir: string): Promise<{ stack: GeneratedStack; ops: DoneOp[]; kernel: Map<string, string>; options: OverlayOptions }> {
  const stack = generateStack(seed, dir, { lowers: 1 + (seed % 3) });
  const options = REDIRECT_OPTION_SETS[seed % REDIRECT_OPTION_SETS.length]!;
  const m = await mountOverlay({ lower: stack.lower, upper: stack.upper, work: stack.work, target: stack.merged, options });
  try {
    const ops = randomOps(seed * 7919, stack.merged, 12);
    return { stack, ops, kernel: treeOf(stack.merged), options };
  } finally {
    await m.unmount();
  }
}
