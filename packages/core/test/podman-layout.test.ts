/**
 * openOverlay(merged) on the mounts containers/storage makes for long stacks. When the
 * option string would not fit in a page, containers/storage (and Docker's overlay2) chdir
 * into the overlay home and mount with paths relative to it — lowerdir=l/ABC:l/DEF (the
 * short links), upperdir=<id>/diff — so the mount table holds relative layer paths. A
 * 70-layer image is loaded here (a docker-archive built with tar: podman load takes it in
 * one go, where 70 commits take 15 s), a container is created and mounted with `podman
 * mount`, and the view of that mount must equal the kernel's (support/kernel-compare.ts).
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listOverlayMounts, openOverlay } from '../src/index.js';
import { compareOverlay } from './support/kernel-compare.js';
import { makeBase, removeBase, writeTree } from './support/layers.js';
import { bestEffort, describePodman, podman, requirePodman } from './support/podman.js';

const LAYERS = 70;

/** A docker-archive of `count` layers, each adding /etc/layer<i> (and the first a few more). */
function buildArchive(dir: string, tag: string, count: number): string {
  const layers: string[] = [];
  const diffIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const root = writeTree(join(dir, `rootfs${i}`), { etc: { [`layer${i}`]: `layer ${i}\n`, ...(i === 0 && { shared: 'first\n' }) }, ...(i === 0 && { usr: { bin: { tool: 'tool\n' } } }) });
    if (i === count - 1) writeFileSync(join(root, 'etc', 'shared'), 'last\n');
    const tar = join(dir, `layer${i}.tar`);
    const t = spawnSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', tar, '.'], { encoding: 'utf8' });
    if (t.status !== 0) throw new Error(`tar failed: ${t.stderr}`);
    layers.push(`layer${i}.tar`);
    diffIds.push(`sha256:${createHash('sha256').update(readFileSync(tar)).digest('hex')}`);
  }
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: diffIds }, history: layers.map((_, i) => ({ created_by: `layer ${i}` })) });
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  writeFileSync(join(dir, configName), config);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: layers }]));
  const archive = join(dir, 'image.tar');
  const t = spawnSync('tar', ['-C', dir, '-cf', archive, 'manifest.json', configName, ...layers], { encoding: 'utf8' });
  if (t.status !== 0) throw new Error(`tar failed: ${t.stderr}`);
  return archive;
}

describePodman('openOverlay(merged) on a podman mount with relative layer paths', () => {
  if (!requirePodman()) return;
  const tag = `localhost/ovl-test-${process.pid}-${Date.now().toString(36)}:deep`;
  const ctr = `ovl-test-${process.pid}-${Date.now().toString(36)}-deep`;
  let base: string | undefined;
  let merged = '';

  beforeAll(() => {
    base = makeBase('ovl-podman-layout-');
    podman('load', '-q', '-i', buildArchive(base, tag, LAYERS));
    podman('create', '-q', '--name', ctr, tag, '/bin/true');
    merged = podman('mount', ctr);
  }, 120_000);

  afterAll(() => {
    bestEffort(
      () => podman('umount', ctr),
      () => podman('rm', '-f', ctr),
      () => podman('rmi', '-f', tag),
    );
    if (base !== undefined) removeBase(base);
  }, 120_000);

  it('resolves l/ short links and <id>/diff against the overlay home, and shows what the kernel shows', async () => {
    writeFileSync(join(merged, 'etc', 'layer3'), 'changed in the container\n');
    writeFileSync(join(merged, 'new.txt'), 'new\n');
    const info = (await listOverlayMounts()).find((m) => m.target === merged);
    // what this test is about: the mount table holds relative paths
    expect(info?.lower).toHaveLength(LAYERS);
    expect(info?.lower[0]).toMatch(/^l\/[A-Z0-9]+$/);
    expect(info?.upper).toMatch(/^[0-9a-f]{64}\/diff$/);

    const view = await openOverlay(merged);
    const home = join(merged, '..', '..');
    // Resolved as the kernel resolved them when it mounted: the short link leads to <id>/diff.
    expect(view.layers.upper).toBe(realpathSync(join(home, info!.upper!)));
    expect(view.layers.lower[0]).toBe(realpathSync(join(home, info!.lower[0]!)));
    expect(view.layers.lower[0]).toMatch(/\/[0-9a-f]{64}\/diff$/);
    expect(await view.stat('/etc/shared')).toMatchObject({ layer: 0 });
    expect((await view.readdir('/etc')).length).toBe(LAYERS + 1);
    expect(await compareOverlay({ lower: view.layers.lower, upper: view.layers.upper! }, merged)).toEqual([]);
  });
});
