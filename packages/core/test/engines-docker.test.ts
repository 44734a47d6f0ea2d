/**
 * Docker containers and images read from disk, against Docker itself: an image built here
 * (busybox imported, then committed layers: one with changes, one empty ENV-only step, one
 * more with changes), a RUNNING container that changes itself (writes, deletes, copy-ups, an
 * opaque dir), then the same container stopped. Oracles: the kernel's own view of the
 * rootfs (the live merged dir through dockerd's mount namespace; a read-only mount of the
 * layers once stopped), `docker diff`, `docker inspect`'s GraphDriver data and
 * `docker history`.
 *
 * Needs root, a private mount namespace and Docker (a daemon is started when none answers,
 * and stopped after). Every container and image made here is named ovl-test-docker-*.
 */
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findContainer, listContainers, listImages, mountOverlay, openContainer, openImage, type Change, type ChangeEvent, type ContainerInfo, type OverlayMount } from '../src/index.js';
import { writeBusybox } from './support/busybox.js';
import { bestEffort } from './support/podman.js';
import { describeDocker, docker, dockerDiff, ensureDockerd, requireDocker, waitFor } from './support/docker.js';
import { compareOverlay } from './support/kernel-compare.js';
import { makeBase, removeBase, writeTree } from './support/layers.js';

const byPath = (a: Change, b: Change): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
const sorted = (cs: Change[]): Change[] => [...cs].sort(byPath);

/** What the running container does to itself before it says it is ready. */
const CHANGES = [
  'echo new > /new.txt',
  "echo awkward > '/with space, and: colon.txt'",
  'echo conf > /etc/new.conf',
  'mkdir -p /newdir/sub && echo f > /newdir/sub/f',
  'ln -s new.conf /etc/newlink',
  'echo x > /tmp/x',
  'echo appended >> /etc/modify-me',
  'chmod 600 /etc/chmod-me',
  'rm /etc/delete-me',
  'rm -r /opt/del',
  'rm -r /srv/repl && mkdir /srv/repl && echo n > /srv/repl/new',
  'touch /var/touched/t',
  'echo deep > /usr/share/doc/a/new',
  'echo changed > /l4.txt',
].join(' && ');

describeDocker('Docker containers and images from disk', () => {
  if (!requireDocker()) return;

  const tag = `ovl-test-docker-${process.pid}-${Date.now().toString(36)}`;
  const image = (t: string): string => `${tag}:${t}`;
  const run = `${tag}-run`;
  const builders = [`${tag}-b2`, `${tag}-b3`, `${tag}-b4`];
  let stopDaemon: (() => Promise<void>) | undefined;
  let base: string | undefined;
  let runId = '';
  /** What `docker diff` said of each builder before its commit: the layer it made. */
  const layerDiffs: Change[][] = [];

  beforeAll(async () => {
    stopDaemon = await ensureDockerd();
    base = makeBase('ovl-test-docker-');
    const rootfs = writeBusybox(join(base, 'rootfs'));
    writeTree(rootfs, {
      etc: { 'modify-me': 'before\n', 'chmod-me': 'mode\n', 'delete-me': 'bye\n', 'gone-in-l2': 'removed by layer 2\n' },
      usr: { share: { doc: { a: { b: 'doc b\n', c: 'doc c\n' } } } },
      var: { touched: { t: 't\n' } },
      opt: { del: { f1: 'f1\n', sub: { f2: 'f2\n' } } },
      srv: { repl: { old1: 'old1\n', old2: 'old2\n' }, 'l2-replaced': { was: 'was\n' } },
      tmp: {},
    });
    mkdirSync(join(rootfs, 'home'));
    symlinkSync('modify-me', join(rootfs, 'etc', 'link'));
    const tar = join(base, 'rootfs.tar');
    const t = spawnSync('tar', ['--numeric-owner', '-C', rootfs, '-cf', tar, '.'], { encoding: 'utf8' });
    if (t.status !== 0) throw new Error(`tar failed: ${t.stderr}`);
    docker('import', '-m', 'base rootfs', tar, image('base'));

    // layer 2: a whiteout, an opaque dir, an added dir, a copy-up
    docker('run', '--name', builders[0]!, image('base'), 'sh', '-c', 'rm /etc/gone-in-l2 && rm -r /srv/l2-replaced && mkdir /srv/l2-replaced && echo now > /srv/l2-replaced/now && mkdir -p /opt/l2-added && echo l2 > /opt/l2-added/file && echo layer2 >> /usr/share/doc/a/b');
    layerDiffs.push(dockerDiff(builders[0]!));
    docker('commit', '-m', 'layer two', builders[0]!, image('two'));
    // an ENV-only step: history gains an empty_layer entry, the image no layer
    docker('create', '--name', builders[1]!, image('two'), 'true');
    docker('commit', '--change', 'ENV STEP=three', '-m', 'env only', builders[1]!, image('three'));
    // layer 4
    docker('run', '--name', builders[2]!, image('three'), 'sh', '-c', 'echo l4 > /l4.txt && rm /usr/share/doc/a/c');
    layerDiffs.push(dockerDiff(builders[2]!));
    docker('commit', '-m', 'layer four', builders[2]!, image('top'));
    docker('rm', ...builders);

    runId = docker('run', '-d', '--name', run, image('top'), 'sh', '-c', `${CHANGES} && touch /ready && exec sleep 1000`);
    const ready = await waitFor(() => spawnSync('docker', ['exec', run, 'test', '-e', '/ready']).status === 0, 30_000);
    if (!ready) throw new Error(`the container never got ready: ${docker('logs', run)}`);
  }, 240_000);

  afterAll(async () => {
    bestEffort(
      () => docker('rm', '-f', run, ...builders),
      () => docker('rmi', '-f', image('top'), image('three'), image('two'), image('base')),
    );
    if (base !== undefined) removeBase(base);
    await stopDaemon?.();
  }, 120_000);

  const inspect = (ref: string): { GraphDriver: { Data: Record<string, string> }; Id: string; Image?: string; State?: { Pid: number } } =>
    (JSON.parse(docker('inspect', ref)) as Array<{ GraphDriver: { Data: Record<string, string> }; Id: string; Image?: string; State?: { Pid: number } }>)[0]!;

  /** The container's layers as Docker reports them (GraphDriver.Data). */
  const dockerLayers = (ref: string): Pick<ContainerInfo, 'lower' | 'upper' | 'work' | 'merged'> => {
    const d = inspect(ref).GraphDriver.Data;
    return { lower: d.LowerDir!.split(':'), upper: d.UpperDir!, work: d.WorkDir!, merged: d.MergedDir! };
  };

  it('lists the running container with its layers, state and image as Docker has them', async () => {
    const all = await listContainers({ engines: ['docker'] });
    const c = all.find((x) => x.name === run);
    expect(c).toBeDefined();
    expect(c).toMatchObject({ engine: 'docker', id: runId, image: image('top'), state: 'running', mounted: true, storage: '/var/lib/docker', ...dockerLayers(run) });
    expect(`sha256:${c!.imageId!}`).toBe(inspect(image('top')).Id);
    expect(Date.parse(c!.created!)).toBeGreaterThan(Date.now() - 600_000);
  });

  it('running: the tree equals the live rootfs (through dockerd’s mount namespace) and changes() equals docker diff', async () => {
    const c = await findContainer(run, { engines: ['docker'] });
    const dockerd = Number(readFileSync('/var/run/docker.pid', 'utf8'));
    // The kernel's view as dockerd mounted it: no container mounts (/proc, /etc/hosts) on top.
    const live = `/proc/${dockerd}/root${c.merged!}`;
    expect(await compareOverlay({ lower: c.lower, upper: c.upper }, live, { skipMountTable: true })).toEqual([]);
    const view = await openContainer(run);
    expect(view.layers).toEqual({ lower: c.lower, upper: c.upper });
    expect(sorted(await view.changes())).toEqual(dockerDiff(run));
  });

  it('opens by name, by full id and by id prefix, all the same container', async () => {
    const want = (await openContainer(run)).layers;
    expect((await openContainer(runId)).layers).toEqual(want);
    expect((await openContainer(runId.slice(0, 12))).layers).toEqual(want);
    expect((await findContainer(runId.slice(0, 8), { engine: 'docker' })).name).toBe(run);
    await expect(openContainer(`${run}-nope`)).rejects.toMatchObject({ code: 'ERR_OVL_CONTAINER_NOT_FOUND', message: expect.stringContaining(run) });
  });

  it('watch() on the running container sees a write made with docker exec', async () => {
    const view = await openContainer(run);
    const watch = view.watch();
    try {
      const seen = (async () => {
        for await (const e of watch as AsyncIterable<ChangeEvent>) if (e.path === '/from-exec.txt') return e;
        return undefined;
      })();
      docker('exec', run, 'sh', '-c', 'echo hello > /from-exec.txt');
      expect(await seen).toMatchObject({ path: '/from-exec.txt', kind: 'added' });
    } finally {
      await watch.close();
    }
  });

  it('stopped: state and mount as Docker says, the tree equals the kernel’s mount of its layers, changes() equals docker diff', async () => {
    docker('kill', run);
    expect(await waitFor(() => docker('inspect', '-f', '{{.State.Running}}', run) === 'false', 30_000)).toBe(true);
    const c = await findContainer(runId.slice(0, 12));
    expect(c).toMatchObject({ name: run, state: 'exited', mounted: false, ...dockerLayers(run) });
    let m: OverlayMount | undefined;
    const target = join(base!, 'stopped');
    mkdirSync(target);
    try {
      m = await mountOverlay({ lower: [c.upper, ...c.lower], target, readonly: true });
      expect(await compareOverlay({ lower: c.lower, upper: c.upper }, target, { skipMountTable: true })).toEqual([]);
    } finally {
      await m?.unmount();
    }
    const changes = sorted(await (await openContainer(run)).changes());
    expect(changes).toContainEqual({ path: '/from-exec.txt', kind: 'A' });
    expect(changes).toEqual(dockerDiff(run));
  });

  it('lists the image with its names, layers (bottom first), sizes and history, as docker inspect and history have them', async () => {
    const img = (await listImages({ engines: ['docker'] })).find((i) => i.names.includes(image('top')));
    expect(img).toBeDefined();
    const info = JSON.parse(docker('image', 'inspect', image('top')))[0] as { Id: string; RootFS: { Layers: string[] }; GraphDriver: { Data: Record<string, string> } };
    expect(`sha256:${img!.id}`).toBe(info.Id);
    expect(img!.layers.map((l) => l.diffId)).toEqual(info.RootFS.Layers);
    const d = info.GraphDriver.Data;
    expect(img!.layers.map((l) => l.dir).reverse()).toEqual([d.UpperDir, ...d.LowerDir!.split(':')]);
    // docker history: one line per step, top first; the ENV-only step made no layer.
    const steps = docker('history', '--no-trunc', '--human=false', '--format', '{{.Size}}\t{{.Comment}}\t{{.CreatedBy}}\t.', image('top'))
      .split('\n')
      .map((l) => l.split('\t').slice(0, 3))
      .reverse();
    expect(steps.map((s) => s[1])).toEqual(['base rootfs', 'layer two', 'env only', 'layer four']);
    const layerSteps = steps.filter((s) => s[1] !== 'env only');
    expect(img!.layers.map((l) => [String(l.size), l.comment, l.createdBy ?? ''])).toEqual(layerSteps);
    expect(img!.size).toBe(img!.layers.reduce((n, l) => n + l.size, 0));
  });

  it('openImage: the merged layers equal the kernel’s mount of them; each layer’s changes equal docker diff of the container it was committed from', async () => {
    const view = await openImage(image('top'));
    const dirs = view.image.layers.map((l) => l.dir).reverse();
    const target = join(base!, 'image');
    mkdirSync(target);
    const m = await mountOverlay({ lower: dirs, target });
    try {
      expect(await compareOverlay({ lower: dirs }, target, { skipMountTable: true })).toEqual([]);
    } finally {
      await m.unmount();
    }
    expect(sorted(await view.layerChanges(1))).toEqual(layerDiffs[0]);
    expect(sorted(await view.layerChanges(2))).toEqual(layerDiffs[1]);
    expect((await openImage(view.image.id.slice(0, 12))).image.id).toBe(view.image.id);
  });
});
