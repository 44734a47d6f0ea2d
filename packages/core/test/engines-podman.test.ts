/**
 * The podman reader against real podman, in a store of the test's own (podman --root/--runroot):
 * an image imported from a tar, a layer committed on it (a whiteout, an opaque dir, a
 * copy-up), one built with `podman build` (COPY layers between ENV/LABEL steps, whose history
 * entries are empty_layer), and containers changed through `podman mount`. listContainers /
 * listImages must say what podman inspect/history say; openContainer (by name, full id, id
 * prefix) must show the kernel's tree and podman diff's changes, mounted and unmounted;
 * openImage's per-layer changes must be podman image diff's.
 *
 * Needs root, a private mount namespace and podman (describePodman).
 */
import { spawnSync } from 'node:child_process';
import { realpathSync, readlinkSync, mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync, appendFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listContainers, listImages, listOverlayMounts, openContainer, openImage, type ContainerInfo, type EngineOptions, type ImageInfo } from '../src/index.js';
import { compareOverlay } from './support/kernel-compare.js';
import { makeBase, removeBase, writeTree } from './support/layers.js';
import { describePodman, requirePodman } from './support/podman.js';
import { asPodmanDiff, sortChanges, kernelSnapshot, podmanDiff, tempStore, viewSnapshot, type TempStore, type TreeSnapshot } from './support/podman-store.js';

describePodman('podman reader on a store of our own', () => {
  if (!requirePodman()) return;

  const prefix = `ovl-test-podman-reader-${process.pid}`;
  const images = { base: `localhost/${prefix}:base`, committed: `localhost/${prefix}:committed`, built: `localhost/${prefix}:built` };
  const web = `${prefix}-web`;
  let base = '';
  let store: TempStore;
  let opts: EngineOptions;
  /** More containers, made until two ids share a first digit (for the ambiguous prefix). */
  const extra: string[] = [];
  let webMerged = '';

  const containers = async (): Promise<ContainerInfo[]> => listContainers(opts);
  const byName = async (name: string): Promise<ContainerInfo> => (await containers()).find((c) => c.name === name)!;
  const inspect = (ref: string): { Id: string; GraphDriver: { Data: Record<string, string> } } =>
    (JSON.parse(store.run('container', 'inspect', '--format', 'json', ref)) as Array<{ Id: string; GraphDriver: { Data: Record<string, string> } }>)[0]!;

  beforeAll(() => {
    base = makeBase('ovl-engines-podman-');
    store = tempStore(base);
    opts = { engines: ['podman'], roots: { podman: store.root } };
    const rootfs = writeTree(join(base, 'rootfs'), {
      bin: { sh: '#!/bin/false\n' },
      etc: { 'os-release': 'ID=ovl\n', 'modify-me': 'before\n', 'delete-me': 'bye\n', 'gone-in-l2': 'x\n' },
      opt: { dir: { a: 'a\n', sub: { b: 'b\n' } }, 'replace-in-l2': { old: 'old\n' } },
      srv: { keep: 'keep\n' },
    });
    symlinkSync('os-release', join(rootfs, 'etc', 'link'));
    const tar = join(base, 'rootfs.tar');
    const t = spawnSync('tar', ['--numeric-owner', '-C', rootfs, '-cf', tar, '.'], { encoding: 'utf8' });
    if (t.status !== 0) throw new Error(`tar failed: ${t.stderr}`);
    store.run('import', '-q', '--change', 'CMD ["/bin/sh"]', '--message', 'base import', tar, images.base);

    // Layer two, committed: a whiteout, an opaque dir, a copy-up, an added file.
    store.run('create', '-q', '--name', `${prefix}-builder`, images.base, '/bin/make-layer-two');
    const bm = store.run('mount', `${prefix}-builder`);
    unlinkSync(join(bm, 'etc', 'gone-in-l2'));
    rmSync(join(bm, 'opt', 'replace-in-l2'), { recursive: true });
    mkdirSync(join(bm, 'opt', 'replace-in-l2'));
    writeFileSync(join(bm, 'opt', 'replace-in-l2', 'new'), 'new\n');
    appendFileSync(join(bm, 'etc', 'modify-me'), 'layer two\n');
    writeFileSync(join(bm, 'srv', 'added-in-l2'), 'l2\n');
    store.run('umount', `${prefix}-builder`);
    store.run('commit', '-q', '-f', 'docker', '--message', 'layer two', `${prefix}-builder`, images.committed);
    store.run('rm', `${prefix}-builder`);

    // Layers three and four, built: ENV and LABEL steps record history but make no layer.
    const ctx = writeTree(join(base, 'ctx'), {
      one: 'one\n',
      two: 'two\n',
      Containerfile: `FROM ${images.committed}\nENV A=1\nCOPY one /srv/one\nLABEL ovl=test\nCOPY two /etc/two\nENV B=2\n`,
    });
    store.run('build', '-q', '-t', images.built, ctx);

    store.run('create', '-q', '--name', web, images.built, '/bin/sh');
    webMerged = store.run('mount', web);
    const m = (...p: string[]): string => join(webMerged, ...p);
    writeFileSync(m('new.txt'), 'new\n'); // added
    unlinkSync(m('etc', 'delete-me')); // whiteout
    appendFileSync(m('etc', 'modify-me'), 'container\n'); // copy-up of a changed file
    chmodSync(m('srv', 'keep'), 0o600); // copy-up of metadata
    rmSync(m('opt', 'dir'), { recursive: true }); // a deleted dir
    mkdirSync(m('opt', 'dir')); // ... made again: opaque
    writeFileSync(m('opt', 'dir', 'fresh'), 'fresh\n');
    symlinkSync('/nowhere', m('srv', 'dangling'));

    const firsts = new Map<string, string>();
    firsts.set(inspect(web).Id[0]!, web);
    for (let i = 0; i < 17; i++) {
      const name = `${prefix}-x${i}`;
      const id = store.run('create', '-q', '--name', name, images.base, '/bin/sh');
      extra.push(name);
      if (firsts.has(id[0]!)) break;
      firsts.set(id[0]!, name);
    }
  }, 300_000);

  afterAll(() => {
    if (base === '') return;
    store.clean();
    removeBase(base);
  }, 300_000);

  it('listContainers finds each container with the layer dirs podman inspect gives', async () => {
    const all = await containers();
    expect(all.map((c) => c.name).sort()).toEqual([web, ...extra].sort());
    const c = await byName(web);
    const data = inspect(web).GraphDriver.Data;
    expect(c).toMatchObject({
      engine: 'podman',
      id: inspect(web).Id,
      image: images.built,
      state: 'created',
      mounted: true,
      lower: data.LowerDir!.split(':'),
      upper: data.UpperDir,
      work: data.WorkDir,
      merged: webMerged,
      storage: store.root,
    });
    expect(c.imageId).toBe(store.run('image', 'inspect', '--format', '{{.Id}}', images.built));
    expect(c.lower).toHaveLength(4);
    expect(c.userxattr).toBeUndefined();
    // The others are not mounted.
    expect(all.filter((x) => x.mounted).map((x) => x.name)).toEqual([web]);
  });

  it('the layer dirs found are the mount\'s, and give the kernel\'s tree', async () => {
    const c = await byName(web);
    // The mount names the lower dirs by their short links (overlay/l/...): the same dirs.
    const mount = (await listOverlayMounts()).find((m) => m.target === webMerged)!;
    expect(mount.lower.map((l) => realpathSync(l))).toEqual(c.lower);
    expect(mount.upper).toBe(c.upper);
    expect(await compareOverlay({ lower: c.lower, upper: c.upper }, webMerged)).toEqual([]);
  });

  it('listImages: layers bottom-most first, with podman\'s diff ids, sizes and commands', async () => {
    const all = await listImages(opts);
    const built = all.find((i) => i.names.includes(images.built))!;
    expect(built).toBeDefined();
    const inspected = JSON.parse(store.run('image', 'inspect', '--format', 'json', images.built)) as Array<{
      Id: string;
      RootFS: { Layers: string[] };
      History: Array<{ created_by?: string; empty_layer?: boolean }>;
    }>;
    const info = inspected[0]!;
    expect(built.id).toBe(info.Id);
    expect(built.layers.map((l) => l.diffId)).toEqual(info.RootFS.Layers);
    const made = info.History.filter((h) => !h.empty_layer);
    expect(built.layers.map((l) => l.createdBy)).toEqual(made.map((h) => h.created_by));
    expect(built.layers[2]!.createdBy).toMatch(/COPY .* in \/srv\/one/);
    expect(built.layers[3]!.createdBy).toMatch(/COPY .* in \/etc\/two/);
    // podman history: top-most first, one row per history entry; the layer rows carry the sizes.
    const history = (JSON.parse(store.run('history', '--no-trunc', '--format', 'json', images.built)) as Array<{ size: number }>).reverse();
    const sizes = history.filter((_, i) => !info.History[i]!.empty_layer).map((h) => h.size);
    expect(built.layers.map((l) => l.size)).toEqual(sizes);
    expect(built.size).toBe(sizes.reduce((a, b) => a + b, 0));
    // The container's lower dirs are the image's layers, top-most first.
    expect((await byName(web)).lower).toEqual(built.layers.map((l) => l.dir).reverse());
    expect(all.find((i) => i.names.includes(images.base))!.layers.map((l) => l.id)).toEqual([built.layers[0]!.id]);
  });

  it('openImage: each layer changed what podman image diff says', async () => {
    const all: ImageInfo[] = await listImages(opts);
    const view = await openImage(images.built, opts);
    const layers = view.image.layers;
    for (let i = 0; i < layers.length; i++) {
      // The image (tagged or an intermediate of the build) whose top layer is layer i.
      const top = all.find((img) => img.layers.length === i + 1 && img.layers[i]!.id === layers[i]!.id);
      expect(top, `an image ends at layer ${i}`).toBeDefined();
      const ours = sortChanges(await view.layerChanges(i));
      expect({ layer: i, changes: ours }).toEqual({ layer: i, changes: podmanDiff(store, top!.id, 'image', 'diff') });
    }
    const l1 = await view.layerChanges(1);
    // podman reports a dir replaced by an opaque one as deleted, and its new contents as added.
    expect(l1).toEqual(
      expect.arrayContaining([
        { path: '/etc/gone-in-l2', kind: 'D' },
        { path: '/opt/replace-in-l2', kind: 'D' },
        { path: '/opt/replace-in-l2/new', kind: 'A' },
        { path: '/srv/added-in-l2', kind: 'A' },
      ]),
    );
    // The merged image is every layer: layer two's whiteout hides the base's file.
    expect(await view.stat('/etc/gone-in-l2')).toBeUndefined();
    expect((await view.stat('/etc/two'))?.layer).toBe(0);
  });

  let mountedTree: TreeSnapshot | undefined;

  it.each(['name', 'full id', 'id prefix'])('openContainer by %s while mounted: the kernel\'s tree, podman diff\'s changes', async (how) => {
    const c = await byName(web);
    const ref = how === 'name' ? web : how === 'full id' ? c.id : c.id.slice(0, 12);
    const view = await openContainer(ref, opts);
    // Mounted, it opens through the mount (lower dirs as the mount names them: the short links).
    expect({ upper: view.layers.upper, lower: view.layers.lower.map((l) => realpathSync(l)) }).toEqual({ upper: c.upper, lower: c.lower });
    mountedTree = kernelSnapshot(webMerged);
    expect(await viewSnapshot(view.walk(), (e) => readlinkSync(e.sourcePath))).toEqual(mountedTree);
    expect(asPodmanDiff(await view.changes())).toEqual(podmanDiff(store, web));
    expect(await view.changes()).toEqual(
      expect.arrayContaining([
        { path: '/new.txt', kind: 'A' },
        { path: '/etc/delete-me', kind: 'D' },
        { path: '/etc/modify-me', kind: 'C' },
        { path: '/srv/keep', kind: 'C' },
        { path: '/opt/dir/fresh', kind: 'A' },
      ]),
    );
  });

  it('after podman umount: not mounted, and it opens offline with the same tree and changes', async () => {
    expect(mountedTree).toBeDefined();
    store.run('umount', web);
    const c = await byName(web);
    expect(c.mounted).toBe(false);
    for (const ref of [web, c.id, c.id.slice(0, 10)]) {
      const view = await openContainer(ref, opts);
      expect(await viewSnapshot(view.walk(), (e) => readlinkSync(e.sourcePath))).toEqual(mountedTree);
      expect(asPodmanDiff(await view.changes())).toEqual(podmanDiff(store, web));
    }
    // podman diff mounts and unmounts for itself: still not mounted, nothing left behind.
    expect((await byName(web)).mounted).toBe(false);
  });

  it('an ambiguous id prefix lists the candidates; an unknown name lists the closest', async () => {
    const [a, b] = await Promise.all(extra.slice(-1).concat(web).map(byName));
    const all = await containers();
    const first = a!.id[0]!;
    const sharing = all.filter((c) => c.id.startsWith(first));
    expect(sharing.length).toBeGreaterThan(1);
    const err = await openContainer(first, opts).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_OVL_CONTAINER_AMBIGUOUS' });
    for (const c of sharing) expect((err as Error).message).toContain(c.id.slice(0, 12));
    const missing = await openContainer(`${web}x`, opts).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'ERR_OVL_CONTAINER_NOT_FOUND' });
    expect((missing as Error).message).toContain(web);
    expect(b).toBeDefined();
    expect(await openImage(`${images.built}-nope`, opts).catch((e: unknown) => e)).toMatchObject({ code: 'ERR_OVL_IMAGE_NOT_FOUND' });
  });
});
