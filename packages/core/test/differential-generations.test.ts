/**
 * The view against the kernel on stacks whose lowers were once uppers — how image builds
 * grow layers. For each seed: a random stack (support/random-stack.ts) is mounted, changed
 * through its merged dir by random operations (renames of dirs and files, chmod, chown,
 * appends, hard links, deletions, `rm -r` and new dirs of the same name), and unmounted;
 * then its upper becomes the top lower under a fresh upper, and again, 2–5 generations
 * (every eighth seed starts from 6–7 lowers, so its final stack is 8–12 layers deep, upper included).
 * Redirects written in one generation are then walked through by renames of the next: an
 * absolute redirect whose path crosses a dir that carries its own redirect is what
 * fs/overlayfs/namei.c (ovl_lookup_layer → ovl_check_redirect on every component) follows.
 * The final stack is mounted afresh (a new work dir) and compared with openOverlay
 * (support/kernel-compare.ts).
 *
 * Options per seed: redirect_dir=on with and without metacopy=on, index on and off.
 * Environment: OVL_SEEDS / OVL_SEED / OVL_SEED_START (support/seeds.ts; default 500 seeds),
 * OVL_KEEP=1 keeps failing seeds' dirs, OVL_VERBOSE=1 prints what the seeds exercised.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { mountOverlay, type OverlayOptions } from '../src/index.js';
import { cleanupBase } from './support/cleanup.js';
import { compareOverlay } from './support/kernel-compare.js';
import { makeBase } from './support/layers.js';
import { describeMounting } from './support/privileged.js';
import { fmtOps, generateStack, randomOps, Rng, type DoneOp } from './support/random-stack.js';
import { itSeeds, seedChunks, seedOutcome } from './support/seeds.js';

let base: string | undefined;
beforeEach(() => {
  base = makeBase('ovl-gen-');
});
afterEach(() => {
  if (process.env.OVL_KEEP !== '1') cleanupBase(base);
  base = undefined;
});

const OPTION_SETS: OverlayOptions[] = [
  { redirect_dir: 'on', metacopy: true, index: false },
  { redirect_dir: 'on', index: false },
  { redirect_dir: 'on', metacopy: true, index: true },
  { redirect_dir: 'on', index: true },
];

const stats = { seeds: 0, generations: 0, layers: 0, deepest: 0, ops: 0, refused: 0 };

interface Generation {
  options: OverlayOptions;
  ops: DoneOp[];
}

async function runGenerationsSeed(seed: number, dir: string): Promise<string | undefined> {
  const rng = new Rng(seed ^ 0x6e4e);
  const options = OPTION_SETS[seed % OPTION_SETS.length]!;
  const stack = generateStack(seed, dir, seed % 8 === 0 ? { lowers: 6 + rng.int(2) } : {});
  const count = 2 + rng.int(4);
  let lower = stack.lower;
  let upper = stack.upper;
  let work = stack.work;
  const history: Generation[] = [];
  let problems: string[];
  try {
    for (let g = 0; g < count; g++) {
      if (g > 0) {
        lower = [upper, ...lower];
        upper = join(dir, `upper-g${g}`);
        work = join(dir, `work-g${g}`);
        mkdirSync(upper);
        mkdirSync(work);
      }
      const m = await mountOverlay({ lower, upper, work, target: stack.merged, options });
      try {
        history.push({ options, ops: randomOps(seed * 101 + g, stack.merged, 6 + rng.int(14)) });
      } finally {
        await m.unmount();
      }
    }
    stats.seeds++;
    stats.generations += count;
    stats.layers += lower.length + 1;
    stats.deepest = Math.max(stats.deepest, lower.length + 1);
    for (const h of history) {
      stats.ops += h.ops.length;
      stats.refused += h.ops.filter((o) => o.error).length;
    }
    // A fresh mount of the final stack: a new work dir, as when a stack of layers is taken
    // elsewhere. With index=on the old work dir's index would make lower aliases of a
    // hard-linked file show its copied-up inode — state that lives outside the layer dirs.
    const freshWork = join(dir, 'work-final');
    mkdirSync(freshWork);
    const final = await mountOverlay({ lower, upper, work: freshWork, target: stack.merged, options });
    try {
      problems = await compareOverlay({ lower, upper }, stack.merged);
    } finally {
      await final.unmount();
    }
  } catch (e) {
    problems = [`threw: ${(e as Error).stack ?? String(e)}`];
  }
  const ops = history.map((h, g) => `\n  generation ${g + 1}: ${fmtOps(h.ops)}`).join('');
  return seedOutcome(dir, problems, `seed ${seed}, ${count} generations over ${stack.lower.length} lower${stack.lower.length > 1 ? 's' : ''} with ${JSON.stringify(options)} (rerun with OVL_SEED=${seed})${ops}`);
}

describeMounting('differential: stacks grown over generations (each upper becomes the next lower)', () => {
  itSeeds(seedChunks(500), () => base!, runGenerationsSeed, () => stats);
});
