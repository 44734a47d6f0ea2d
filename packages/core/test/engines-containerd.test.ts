/**
 * containerd containers and images read from its bbolt dbs while it runs, against containerd
 * itself: an image built with Docker (busybox imported, one committed layer with a whiteout and
 * an opaque dir), `docker save`d and `ctr image import`ed into a namespace of the test's own,
 * a task started with `ctr run -d` that changes itself, then killed, then deleted. Oracles:
 * the shim's own overlay mount (its lowerdir/upperdir, and the tree through it), a read-only
 * mount of the layers once the task is gone, and `ctr snapshots diff` (containerd's own diff
 * of the container's snapshot, as a tar: whiteouts are deletions, every other entry was added
 * or changed). ctr has no `diff` of a container's state beyond that.
 *
 * Needs root, a private mount namespace, containerd (started when none answers on
 * /run/containerd/containerd.sock) and Docker (to build the image: no registry here).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findContainer, listContainers, listImages, mountOverlay, openContainer, openImage, openOverlay, type Change, type ChangeEvent, type OverlayMount } from '../src/index.js';
import { overlayMountsIn } from '../src/mount/mountinfo.js';
import { writeBusybox } from './support/busybox.js';
import { ctr, ctrBytes, describeContainerd, ensureContainerd, removeNamespace, requireContainerd } from './support/containerd.js';
import { bestEffort } from './support/podman.js';
import { docker, ensureDockerd, requireDocker, waitFor } from './support/docker.js';
import { compareOverlay } from './support/kernel-compare.js';
import { holdWriteLock } from './support/lock-holder.js';
import { makeBase, removeBase, writeTree } from './support/layers.js';

const byPath = (a: Change, b: Change): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Where a mount point is seen: our namespace or a containerd process's. */
function mountSeenAt(target: string): { path: string; lower: string[]; upper?: string; work?: string } | undefined {
  const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && ['containerd', 'containerd-shim'].includes(readFileSync(`/proc/${p}/comm`, 'utf8').trim()));
  for (const pid of ['self', ...pids]) {
    const m = overlayMountsIn(readFileSync(`/proc/${pid}/mountinfo`, 'utf8')).find((x) => x.target === target);
    if (m !== undefined) return { path: pid === 'self' ? target : `/proc/${pid}/root${target}`, lower: m.lower, ...(m.upper && { upper: m.upper }), ...(m.work && { work: m.work }) };
  }
  return undefined;
}

/** containerd's own diff of snapshot `key` against its parent, as changes (A or C decided by the lower layers). */
async function ctrDiff(ns: string, key: string, lower: string[]): Promise<Change[]> {
  const tar = ctrBytes(ns, 'snapshots', 'diff', '--media-type', 'application/vnd.oci.image.layer.v1.tar', key);
  const names = spawnSync('tar', ['-tf', '-'], { input: tar, encoding: 'utf8' }).stdout.split('\n').filter((n) => n !== '');
  const below = await openOverlay({ lower });
  const out: Change[] = [];
  for (const n of names) {
    const path = `/${n.replace(/\/$/, '')}`;
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (base === '.wh..wh..opq') continue;
    if (base.startsWith('.wh.')) out.push({ path: `${path.slice(0, path.lastIndexOf('/'))}/${base.slice(4)}`, kind: 'D' });
    else out.push({ path, kind: (await below.stat(path)) === undefined ? 'A' : 'C' });
  }
  return out.sort(byPath);
}

describeContainerd('containerd containers and images from its bbolt dbs', () => {
  if (!requireContainerd() || !requireDocker()) return;

  const tag = `ovl-test-docker-ctrd-${process.pid}-${Date.now().toString(36)}`;
  const ns = tag;
  const image = `docker.io/library/${tag}:two`;
  const id = `${tag}-task`;
  let stopContainerd: (() => Promise<void>) | undefined;
  let stopDockerd: (() => Promise<void>) | undefined;
  let base: string | undefined;

  beforeAll(async () => {
    stopContainerd = await ensureContainerd();
    stopDockerd = await ensureDockerd();
    base = makeBase('ovl-test-docker-ctrd-');
    const rootfs = writeBusybox(join(base, 'rootfs'));
    // The dirs runc mounts on, so that the task's upper holds only what it did itself.
    writeTree(rootfs, { dev: {}, proc: {}, sys: {}, run: {}, tmp: {}, etc: { 'modify-me': 'before\n', 'delete-me': 'bye\n' }, srv: { repl: { old: 'old\n' } }, opt: { del: { f: 'f\n' } } });
    const tar = join(base, 'rootfs.tar');
    if (spawnSync('tar', ['--numeric-owner', '-C', rootfs, '-cf', tar, '.']).status !== 0) throw new Error('tar failed');
    docker('import', '-m', 'base rootfs', tar, `${tag}:base`);
    docker('run', '--name', `${tag}-b`, `${tag}:base`, 'sh', '-c', 'rm /etc/delete-me && rm -r /opt/del && echo l2 > /l2.txt');
    docker('commit', '-m', 'layer two', `${tag}-b`, `${tag}:two`);
    docker('save', '-o', join(base, 'image.tar'), `${tag}:two`);
    ctr(ns, 'images', 'import', join(base, 'image.tar'));
    const script = [
      'echo new > /new.txt',
      'echo appended >> /etc/modify-me',
      'rm -r /srv/repl && mkdir /srv/repl && echo n > /srv/repl/new',
      'mkdir -p /newdir/sub && echo f > /newdir/sub/f',
      'rm /l2.txt',
      'touch /ready',
      'exec sleep 1000',
    ].join(' && ');
    ctr(ns, 'run', '-d', image, id, 'sh', '-c', script);
    const ready = await waitFor(() => spawnSync('ctr', ['-n', ns, 'tasks', 'exec', '--exec-id', `ready-${Date.now()}`, id, 'test', '-e', '/ready']).status === 0, 30_000);
    if (!ready) throw new Error('the task never got ready');
  }, 240_000);

  afterAll(async () => {
    await removeNamespace(ns);
    bestEffort(
      () => docker('rm', '-f', `${tag}-b`),
      () => docker('rmi', '-f', `${tag}:two`, `${tag}:base`),
    );
    if (base !== undefined) removeBase(base);
    await stopDockerd?.();
    await stopContainerd?.();
  }, 120_000);

  const mine = async () => (await listContainers({ engines: ['containerd'] })).find((c) => c.id === id && c.namespace === ns);

  it('a running task: listed with the layers of the shim’s own overlay mount; the tree equals it; changes() equals ctr snapshots diff', async () => {
    const c = await mine();
    expect(c).toMatchObject({ engine: 'containerd', name: id, image, state: 'running', mounted: true, storage: '/var/lib/containerd', namespace: ns });
    const m = mountSeenAt(c!.merged!);
    expect(m).toBeDefined();
    expect({ lower: c!.lower, upper: c!.upper, work: c!.work }).toEqual({ lower: m!.lower, upper: m!.upper, work: m!.work });
    expect(c!.lower).toHaveLength(2);
    expect(await compareOverlay({ lower: c!.lower, upper: c!.upper }, m!.path, { skipMountTable: m!.path !== c!.merged })).toEqual([]);
    const changes = (await (await openContainer(id, { engine: 'containerd' })).changes()).sort(byPath);
    expect(changes).toEqual(await ctrDiff(ns, id, c!.lower));
    expect(changes).toEqual(expect.arrayContaining([{ path: '/new.txt', kind: 'A' }, { path: '/l2.txt', kind: 'D' }, { path: '/etc/modify-me', kind: 'C' }]));
  });

  it('watch() on the running task sees a write made with ctr tasks exec', async () => {
    const watch = (await openContainer(id)).watch();
    try {
      const seen = (async () => {
        for await (const e of watch as AsyncIterable<ChangeEvent>) if (e.path === '/from-exec.txt') return e;
        return undefined;
      })();
      ctr(ns, 'tasks', 'exec', '--exec-id', 'write', id, 'sh', '-c', 'echo hi > /from-exec.txt');
      expect(await seen).toMatchObject({ path: '/from-exec.txt', kind: 'added' });
    } finally {
      await watch.close();
    }
  });

  it('killed, the task stays mounted as stopped; deleted, the container is created-only and opens offline like a mount of its layers', async () => {
    ctr(ns, 'tasks', 'kill', '-s', 'KILL', id);
    expect(await waitFor(() => /STOPPED/.test(ctr(ns, 'tasks', 'ls')), 30_000)).toBe(true);
    expect(await mine()).toMatchObject({ state: 'stopped', mounted: true });
    ctr(ns, 'tasks', 'rm', id);
    const c = (await findContainer(id, { engine: 'containerd' }))!;
    expect(c).toMatchObject({ state: 'created', mounted: false });
    const target = join(base!, 'stopped');
    mkdirSync(target);
    let m: OverlayMount | undefined;
    try {
      m = await mountOverlay({ lower: [c.upper, ...c.lower], target, readonly: true });
      expect(await compareOverlay({ lower: c.lower, upper: c.upper }, target, { skipMountTable: true })).toEqual([]);
    } finally {
      await m?.unmount();
    }
    const changes = (await (await openContainer(id)).changes()).sort(byPath);
    expect(changes).toContainEqual({ path: '/from-exec.txt', kind: 'A' });
    expect(changes).toEqual(await ctrDiff(ns, id, c.lower));
  });

  it('the image: names, layers bottom first (the container’s lowers), diff ids and history as Docker built them; merged tree equals a mount of its layers', async () => {
    const img = (await listImages({ engines: ['containerd'] })).find((i) => i.namespace === ns);
    expect(img).toBeDefined();
    expect(img!.names).toEqual([image]);
    const info = JSON.parse(docker('image', 'inspect', `${tag}:two`))[0] as { RootFS: { Layers: string[] } };
    expect(img!.layers.map((l) => l.diffId)).toEqual(info.RootFS.Layers);
    expect(img!.layers.map((l) => l.comment)).toEqual(['base rootfs', 'layer two']);
    expect(img!.layers.every((l) => l.size > 0)).toBe(true);
    const c = await mine();
    expect(img!.layers.map((l) => l.dir).reverse()).toEqual(c!.lower);
    const view = await openImage(image, { engine: 'containerd' });
    const target = join(base!, 'image');
    mkdirSync(target);
    const m = await mountOverlay({ lower: c!.lower, target });
    try {
      expect(await compareOverlay({ lower: c!.lower }, target, { skipMountTable: true })).toEqual([]);
    } finally {
      await m.unmount();
    }
    expect((await view.layerChanges(1)).sort(byPath)).toEqual([
      { path: '/etc', kind: 'C' },
      { path: '/etc/delete-me', kind: 'D' },
      { path: '/l2.txt', kind: 'A' },
      { path: '/opt', kind: 'C' },
      { path: '/opt/del', kind: 'D' },
    ]);
  });

  it('lists while containerd commits: never a torn read (containers created and removed with ctr meanwhile)', async () => {
    const churn = spawn('sh', ['-c', `for i in $(seq 1 15); do ctr -n ${ns} containers create ${image} ${tag}-churn-$i true && ctr -n ${ns} containers rm ${tag}-churn-$i; done`], { stdio: 'ignore' });
    const done = new Promise<void>((r) => churn.once('exit', () => r()));
    let lists = 0;
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      const all = await listContainers({ engines: ['containerd'] });
      expect(all.some((c) => c.id === id)).toBe(true);
      lists++;
    }
    await done;
    expect(lists).toBeGreaterThan(0);
  });

  it('a db held open by a writer (flock LOCK_EX, as containerd holds it) is read at once; a damaged one is ERR_OVL_ENGINE_METADATA naming it', async () => {
    const root = join(base!, 'copy');
    const dbDir = join(root, 'io.containerd.metadata.v1.bolt');
    mkdirSync(dbDir, { recursive: true });
    const db = join(dbDir, 'meta.db');
    copyFileSync('/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db', db);
    const holder = await holdWriteLock(db, 'flock');
    try {
      const images = await listImages({ engines: ['containerd'], roots: { containerd: root } });
      // the copy has the namespace's image records, but no snapshotter db: nothing unpacked to show
      expect(images).toEqual([]);
      expect(await listContainers({ engines: ['containerd'], roots: { containerd: root } })).toEqual([]);
      const bytes = readFileSync(db);
      bytes.fill(0xff, 4096 * 2, bytes.length);
      writeFileSync(db, bytes);
      await expect(listContainers({ engines: ['containerd'], roots: { containerd: root } })).rejects.toMatchObject({ code: 'ERR_OVL_ENGINE_METADATA', path: db });
    } finally {
      await holder.release();
    }
    await expect(listImages({ engines: ['containerd'], roots: { containerd: root } })).rejects.toMatchObject({ code: 'ERR_OVL_ENGINE_METADATA', path: db });
  });
});
