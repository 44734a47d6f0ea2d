/**
 * exportLayer + writeImage against tools we did not write: random stacks changed through a
 * real mount (renames → redirects, chmod → metacopy, hard links, deletions, rm -r + mkdir →
 * opaque), every layer exported as an OCI layer tar and written into an OCI image layout;
 * `umoci unpack` of that image must give exactly the tree the kernel shows through the
 * overlay, and GNU tar must list every tar without a word on stderr.
 * Environment: OVL_SEEDS / OVL_SEED / OVL_SEED_START (default 40 seeds).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { mountOverlay, openOverlay } from '../src/index.js';
import type { OverlayView } from '../src/view/types.js';
import { applyLayer } from '../src/layers/apply-layer.js';
import { exportLayer } from '../src/layers/export-layer.js';
import { writeImage } from '../src/layers/write-image.js';
import { describeMounting } from './support/privileged.js';
import { fmtOps } from './support/random-stack.js';
import { changedStack, seedBase } from './support/seed-base.js';
import { itSeeds, seedChunks } from './support/seeds.js';
import { differences, treeOf } from './support/trees.js';

const base = seedBase('ovl-export-');

function run(cmd: string, args: string[], cwd?: string): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, cwd });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** The same view, as a view exportLayer does not know (read through its public methods only). */
function otherView(view: OverlayView): OverlayView {
  return new Proxy(view, { getPrototypeOf: () => Object.prototype });
}

describeMounting('exportLayer → writeImage → umoci unpack, and applyLayer back, equal the kernel (random stacks)', () => {
  itSeeds(seedChunks(40), base, async (seed, dir) => {
    const { stack, ops, kernel } = await changedStack(seed, dir);
    // Every layer as a layer tar over the layers below it, bottom-most first, the upper last.
    const tars: Array<{ path: string; diffId: string }> = [];
    const layers = [...stack.lower].reverse().concat(stack.upper);
    for (let i = 0; i < layers.length; i++) {
      const out = join(dir, `layer${i}.tar${i % 2 ? '.gz' : ''}`);
      const source = { lower: layers.slice(0, i).reverse(), upper: layers[i]! };
      const r = await exportLayer(source, out, { gzip: i % 2 === 1 });
      expect(run('tar', ['-tvf', out]).stderr).toBe('');
      // The one-pass scan of our own views writes the very bytes the generic path (any view's readdir) writes.
      const generic = await exportLayer(otherView(await openOverlay(source)), join(dir, `generic${i}.tar`));
      if (generic.diffId !== r.diffId) return `seed ${seed}: layer ${i}: the one-pass export differs from the generic one\nops:\n${fmtOps(ops)}`;
      tars.push({ path: out, diffId: r.diffId });
    }
    const image = join(dir, 'image');
    await writeImage(image, { layers: tars, ref: 'test' });
    const bundle = join(dir, 'bundle');
    // umoci splits --image at its last ':': the seed dirs' names hold colons, so go relative.
    run('umoci', ['unpack', '--image', 'image:test', 'bundle'], dir);
    const problems = differences(kernel, treeOf(join(bundle, 'rootfs'))).map((d) => `umoci: ${d}`);
    // The same tars applied by us: onto one plain dir in order, and as layer dirs mounted again.
    const rootfs = join(dir, 'rootfs');
    mkdirSync(rootfs);
    for (const t of tars) await applyLayer(t.path, rootfs, { as: 'rootfs', devices: 'create', keepSetid: true });
    problems.push(...differences(kernel, treeOf(rootfs)).map((d) => `applyLayer rootfs: ${d}`));
    const applied = tars.map((t, i) => {
      const d = join(dir, `applied${i}`);
      mkdirSync(d);
      return { dir: d, tar: t.path };
    });
    for (const a of applied) await applyLayer(a.tar, a.dir, { as: 'layer', devices: 'create', keepSetid: true });
    const remerged = join(dir, 'remerged');
    mkdirSync(remerged);
    const again = await mountOverlay({ lower: applied.map((a) => a.dir).reverse(), target: remerged });
    try {
      problems.push(...differences(kernel, treeOf(remerged)).map((d) => `applyLayer layers: ${d}`));
    } finally {
      await again.unmount();
    }
    if (problems.length) return `seed ${seed}:\n${problems.slice(0, 12).join('\n')}\nops:\n${fmtOps(ops)}`;
    return '';
  });
});
