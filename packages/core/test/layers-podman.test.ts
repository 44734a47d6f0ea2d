/**
 * Layers in and out against podman (in a store of the test's own: --root/--runroot in the
 * test's temp dir, reset after):
 * - podman → ovl: an image podman made (import, then a commit of a container changed through
 *   `podman mount`), saved as an OCI dir; its layer tars applied with applyLayer (onto a root
 *   fs, and as overlay layers mounted again) give the tree podman shows for a container of it.
 * - ovl → podman: an overlay changed through a real mount, its layers exported and written
 *   into an image layout; `podman pull oci:` of it and a container from it give the tree the
 *   kernel showed through our overlay.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { applyLayer, exportLayer, mountOverlay, writeImage } from '../src/index.js';
import { cleanupBase } from './support/cleanup.js';
import { articleStack, makeBase, writeTree } from './support/layers.js';
import { describePodman, requirePodman } from './support/podman.js';
import { differences, treeOf } from './support/trees.js';

let base: string;
let store: string[];
beforeEach(() => {
  base = makeBase('ovl-layers-podman-');
  store = ['--root', join(base, 'store'), '--runroot', join(base, 'run'), '--storage-driver', 'overlay'];
});
afterEach(() => {
  spawnSync('podman', [...store, 'system', 'reset', '--force'], { encoding: 'utf8' });
  cleanupBase(base);
});

function podman(...args: string[]): string {
  const r = spawnSync('podman', [...store, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, cwd: base });
  if (r.status !== 0) throw new Error(`podman ${args.join(' ')} exited with ${r.status}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** The tree podman shows for a container of `image` (through `podman mount`). */
function podmanTree(image: string, name: string): Map<string, string> {
  podman('create', '-q', '--name', name, image, '/bin/true');
  const merged = podman('mount', name);
  try {
    return treeOf(merged);
  } finally {
    podman('umount', name);
  }
}

function tarOf(dir: string, out: string): string {
  const r = spawnSync('tar', ['--xattrs', '-C', dir, '-cf', out, '.'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return out;
}

describePodman('layers in and out with podman', () => {
  if (!requirePodman()) return;

  it("podman's layers applied by applyLayer give the tree podman shows", async () => {
    const src = writeTree(join(base, 'src'), { etc: { conf: 'a=1\n', 'gone.conf': 'x' }, bin: { tool: '#!/bin/sh\n' }, data: { deep: { f: 'deep' }, g: 'g' } });
    symlinkSync('../etc/conf', join(src, 'bin', 'conf-link'));
    podman('import', '-q', tarOf(src, join(base, 'base.tar')), 'ovl-test-layers-base');
    podman('create', '-q', '--name', 'builder', 'ovl-test-layers-base', '/bin/true');
    const m = podman('mount', 'builder');
    writeFileSync(join(m, 'etc', 'conf'), 'a=2\n'); // copy-up
    rmSync(join(m, 'etc', 'gone.conf')); // whiteout
    rmSync(join(m, 'data'), { recursive: true }); // rm -r then mkdir: an opaque dir
    mkdirSync(join(m, 'data'));
    writeFileSync(join(m, 'data', 'new'), 'new');
    podman('umount', 'builder');
    podman('commit', '-q', 'builder', 'ovl-test-layers-two');
    const layout = join(base, 'layout');
    podman('save', '--format', 'oci-dir', '-o', layout, 'ovl-test-layers-two');
    const expected = podmanTree('ovl-test-layers-two', 'viewer');

    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(join(layout, 'blobs', ...index.manifests[0].digest.split(':')), 'utf8'));
    const tars: string[] = manifest.layers.map((l: { digest: string }) => join(layout, 'blobs', ...l.digest.split(':')));
    expect(tars.length).toBe(2);

    const rootfs = join(base, 'rootfs');
    mkdirSync(rootfs);
    for (const t of tars) await applyLayer(t, rootfs, { as: 'rootfs' });
    expect(differences(expected, treeOf(rootfs))).toEqual([]);

    const dirs = tars.map((t, i) => {
      const d = join(base, `layer${i}`);
      mkdirSync(d);
      return { d, t };
    });
    for (const { d, t } of dirs) await applyLayer(t, d, { as: 'layer' });
    const target = join(base, 'merged');
    mkdirSync(target);
    const mounted = await mountOverlay({ lower: dirs.map((x) => x.d).reverse(), target });
    try {
      expect(differences(expected, treeOf(target))).toEqual([]);
    } finally {
      await mounted.unmount();
    }
  });

  it('an image of layers exportLayer wrote, pulled by podman, gives the tree the kernel showed', async () => {
    const s = articleStack(base);
    const m = await mountOverlay({ lower: [s.lower], upper: s.upper, work: s.work, target: s.merged });
    let kernel: Map<string, string>;
    try {
      rmSync(join(s.merged, 'delete-me.txt'));
      writeFileSync(join(s.merged, 'lower.txt'), 'changed\n', { flag: 'a' });
      kernel = treeOf(s.merged);
    } finally {
      await m.unmount();
    }
    const baseLayer = await exportLayer({ lower: [], upper: s.lower }, join(base, 'base.tar'));
    const top = await exportLayer({ lower: [s.lower], upper: s.upper }, join(base, 'top.tar.gz'), { gzip: true });
    const layout = join(base, 'image');
    await writeImage(layout, { layers: [{ path: join(base, 'base.tar'), diffId: baseLayer.diffId }, { path: join(base, 'top.tar.gz'), diffId: top.diffId }], ref: 'article' });
    // podman names the image after the layout's path, which must be lowercase: give it relative (cwd is base).
    const id = podman('pull', '-q', 'oci:image:article');
    expect(differences(kernel, podmanTree(id, 'c'))).toEqual([]);
  });
});
