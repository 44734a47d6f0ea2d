/**
 * The Docker reader on a data root written here, file by file as dockerd lays it out (no
 * daemon needed): what it reads from a whole store, and what it says of a missing, a
 * half-written, a corrupt and an unreadable one. Plus the pure rules (chain ids, history
 * against layers, state words).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dockerStateWord } from '../src/engines/docker/container-state.js';
import { chainIds, historyOfLayers } from '../src/engines/image-history.js';
import { findContainer, listContainers, listImages, openImage } from '../src/index.js';
import { describeRoot } from './support/privileged.js';
import { makeBase, removeBase, writeTree } from './support/layers.js';

import { CTR, DIFF, LAYER, MOUNT, writeStore } from './support/docker-store.js';

describe('Docker reader on a store written here', () => {
  let base: string;
  let root: string;
  let imageId: string;
  const opts = (): { engines: ['docker']; roots: { docker: string } } => ({ engines: ['docker'], roots: { docker: root } });
  beforeEach(() => {
    base = makeBase('ovl-test-docker-store-');
    root = join(base, 'docker');
    imageId = writeStore(root);
  });
  afterEach(() => removeBase(base));

  it('reads the container and the image', async () => {
    expect(await listContainers(opts())).toEqual([
      {
        engine: 'docker', id: CTR, name: 'web', image: 'fake', imageId, state: 'exited', mounted: false,
        lower: [join(root, 'overlay2', `${MOUNT}-init`, 'diff'), join(root, 'overlay2', LAYER, 'diff')], upper: join(root, 'overlay2', MOUNT, 'diff'),
        work: join(root, 'overlay2', MOUNT, 'work'), merged: join(root, 'overlay2', MOUNT, 'merged'),
        created: '2026-01-02T03:05:00Z', storage: root,
      },
    ]);
    const [img] = await listImages(opts());
    expect(img).toEqual({
      engine: 'docker', id: imageId, names: ['fake:latest'], size: 8, created: '2026-01-02T03:04:05Z', storage: root,
      layers: [{ id: LAYER, dir: join(root, 'overlay2', LAYER, 'diff'), size: 8, diffId: DIFF, created: '2026-01-02T03:04:05Z', comment: 'imported' }],
    });
    expect((await openImage('fake', opts())).image.id).toBe(imageId);
    expect((await findContainer('web', opts())).id).toBe(CTR);
  });

  it('a data root that is not there is no containers and no images', async () => {
    root = join(base, 'nowhere');
    expect(await listContainers(opts())).toEqual([]);
    expect(await listImages(opts())).toEqual([]);
  });

  it('a container removed while listing (config.v2.json gone) drops out', async () => {
    removeBase(join(root, 'containers', CTR, 'config.v2.json'));
    expect(await listContainers(opts())).toEqual([]);
  });

  const corrupt = (file: () => string) => expect.objectContaining({ code: 'ERR_OVL_ENGINE_METADATA', path: file(), message: expect.stringContaining(file()) });

  it('a half-written config.v2.json is ERR_OVL_ENGINE_METADATA naming it', async () => {
    const file = join(root, 'containers', CTR, 'config.v2.json');
    writeFileSync(file, '{"ID":"cc');
    await expect(listContainers(opts())).rejects.toEqual(corrupt(() => file));
  });

  it('an empty mount-id is ERR_OVL_ENGINE_METADATA naming it', async () => {
    const file = join(root, 'image', 'overlay2', 'layerdb', 'mounts', CTR, 'mount-id');
    writeFileSync(file, '');
    await expect(listContainers(opts())).rejects.toEqual(corrupt(() => file));
  });

  it('a config.v2.json or mount-id that is a symlink is ERR_OVL_ENGINE_METADATA naming it, never followed', async () => {
    // What the link points at is valid: only refusing the link itself makes the listing fail.
    const config = join(root, 'containers', CTR, 'config.v2.json');
    const outside = join(base, 'outside.json');
    renameSync(config, outside);
    symlinkSync(outside, config);
    await expect(listContainers(opts())).rejects.toEqual(corrupt(() => config));
    removeBase(config);
    renameSync(outside, config);
    const mountId = join(root, 'image', 'overlay2', 'layerdb', 'mounts', CTR, 'mount-id');
    renameSync(mountId, join(base, 'mount-id'));
    symlinkSync(join(base, 'mount-id'), mountId);
    await expect(listContainers(opts())).rejects.toEqual(corrupt(() => mountId));
  });

  it('a config.v2.json rewritten between two listings (same size, other bytes) is read afresh, a damaged one refused', async () => {
    const file = join(root, 'containers', CTR, 'config.v2.json');
    const before = readFileSync(file, 'utf8');
    expect((await listContainers(opts()))[0]!.state).toBe('exited');
    expect(await listContainers(opts())).toEqual(await listContainers(opts()));
    // Same length, so only the bytes tell the two apart.
    const running = before.replace('"Running":false', '"Running":true ');
    expect(running.length).toBe(before.length);
    writeFileSync(file, running);
    expect((await listContainers(opts()))[0]!.state).toBe('running');
    writeFileSync(file, before);
    expect((await listContainers(opts()))[0]!.state).toBe('exited');
    writeFileSync(file, before.slice(0, -1));
    await expect(listContainers(opts())).rejects.toEqual(corrupt(() => file));
  });

  it('a config.v2.json unchanged since the last listing is not read again, but one rewritten in place (same size, mtime put back), renamed over, or swapped for a symlink or a FIFO is seen', async () => {
    const file = join(root, 'containers', CTR, 'config.v2.json');
    const before = readFileSync(file, 'utf8');
    const { mtimeNs } = statSync(file, { bigint: true });
    // The mtime put back to the nanosecond (touch -r: utimes from JS keeps whole ms, and a key
    // that differed by mtime would hide whether the ctime counts).
    const times = join(base, 'config-times');
    expect(spawnSync('touch', ['-r', file, times]).status).toBe(0);
    const putMtimeBack = (f: string) => {
      expect(spawnSync('touch', ['-m', '-r', times, f]).status).toBe(0);
      expect(statSync(f, { bigint: true }).mtimeNs).toBe(mtimeNs);
    };
    // Its key (inode, size, mtime, ctime) is trusted only when the ctime is 100 ms older than the listing that took it.
    await new Promise((r) => setTimeout(r, 200));
    expect((await listContainers(opts()))[0]!.state).toBe('exited');
    expect((await listContainers(opts()))[0]!.state).toBe('exited');
    const running = before.replace('"Running":false', '"Running":true ');
    writeFileSync(file, running);
    putMtimeBack(file);
    expect((await listContainers(opts()))[0]!.state).toBe('running');
    writeFileSync(`${file}.tmp`, before);
    putMtimeBack(`${file}.tmp`);
    renameSync(`${file}.tmp`, file);
    expect((await listContainers(opts()))[0]!.state).toBe('exited');
    renameSync(file, join(base, 'outside.json'));
    symlinkSync(join(base, 'outside.json'), file);
    await expect(listContainers(opts())).rejects.toEqual(corrupt(() => file));
    removeBase(file);
    expect(spawnSync('mkfifo', [file]).status).toBe(0);
    await expect(listContainers(opts())).rejects.toEqual(expect.objectContaining({ code: 'ERR_OVL_ENGINE_METADATA', path: file, message: expect.stringContaining('not a regular file') }));
  });

  it('mount-ids are kept between listings only while layerdb/mounts is unchanged: a container made or removed meanwhile shows, a changed mount-id is read again', async () => {
    const mounts = join(root, 'image', 'overlay2', 'layerdb', 'mounts');
    const upperOf = async (id: string) => (await listContainers(opts())).find((c) => c.id === id)?.upper;
    expect(await upperOf(CTR)).toBe(join(root, 'overlay2', MOUNT, 'diff'));
    // A second container, made as dockerd makes one: its layer (mounts/<id>/mount-id), then its config.
    const other = 'f'.repeat(64);
    const otherMount = '1'.repeat(64);
    writeTree(join(mounts, other), { 'mount-id': otherMount });
    writeTree(join(root, 'containers', other), { 'config.v2.json': readFileSync(join(root, 'containers', CTR, 'config.v2.json'), 'utf8').replace('/web', '/db') });
    // CTR's mount-id rewritten too: mounts/ changed (a dir was added), so every mount-id is read again.
    const moved = '2'.repeat(64);
    writeFileSync(join(mounts, CTR, 'mount-id'), moved);
    expect(await upperOf(other)).toBe(join(root, 'overlay2', otherMount, 'diff'));
    expect(await upperOf(CTR)).toBe(join(root, 'overlay2', moved, 'diff'));
    removeBase(join(mounts, other));
    removeBase(join(root, 'containers', other));
    expect((await listContainers(opts())).map((c) => c.id)).toEqual([CTR]);
  });

  it('the container ids are kept between listings only while containers/ is unchanged: a container made, removed or renamed meanwhile shows', async () => {
    const containers = join(root, 'containers');
    const other = 'f'.repeat(64);
    writeTree(join(root, 'image', 'overlay2', 'layerdb', 'mounts', other), { 'mount-id': '1'.repeat(64) });
    const config = readFileSync(join(containers, CTR, 'config.v2.json'), 'utf8');
    const ids = async () => (await listContainers(opts())).map((c) => c.id).sort();
    // Kept only once containers/ has not changed for 100 ms (timestamps move at a coarse tick).
    await new Promise((r) => setTimeout(r, 200));
    expect(await ids()).toEqual([CTR]);
    expect(await ids()).toEqual([CTR]);
    writeTree(join(containers, other), { 'config.v2.json': config.replace('/web', '/db') });
    expect(await ids()).toEqual([CTR, other]);
    await new Promise((r) => setTimeout(r, 200));
    expect(await ids()).toEqual([CTR, other]);
    removeBase(join(containers, other));
    expect(await ids()).toEqual([CTR]);
    await new Promise((r) => setTimeout(r, 200));
    expect(await ids()).toEqual([CTR]);
    // A rename keeps the link count: mtime and ctime tell (kept ids would give [], CTR's config being gone).
    renameSync(join(containers, CTR), join(containers, other));
    expect(await ids()).toEqual([other]);
  });

  const imageConfig = (): string => join(root, 'image', 'overlay2', 'imagedb', 'content', 'sha256', imageId);

  it("when the container's image is gone, its layers come from overlay2's lower file and short links", async () => {
    const before = await listContainers(opts());
    removeBase(imageConfig());
    expect(await listContainers(opts())).toEqual(before);
  });

  it('a short link that points out of the store is ERR_OVL_ENGINE_METADATA, never followed', async () => {
    removeBase(imageConfig());
    const link = join(root, 'overlay2', 'l', 'LAYERLINK');
    removeBase(link);
    symlinkSync('/etc', link);
    await expect(listContainers(opts())).rejects.toEqual(corrupt(() => link));
  });

  it('an image config whose bytes do not hash to its name is ERR_OVL_ENGINE_METADATA naming it', async () => {
    const file = imageConfig();
    writeFileSync(file, '{"rootfs":');
    await expect(listImages(opts())).rejects.toEqual(corrupt(() => file));
  });

  it('a layer the image needs but layerdb lacks is ERR_OVL_ENGINE_METADATA', async () => {
    removeBase(join(root, 'image', 'overlay2', 'layerdb', 'sha256'));
    await expect(listImages(opts())).rejects.toMatchObject({ code: 'ERR_OVL_ENGINE_METADATA' });
  });
});

describeRoot('Docker storage that is there but not readable', () => {
  const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  let base: string;
  beforeEach(() => {
    base = makeBase('ovl-test-docker-store-');
  });
  afterEach(() => removeBase(base));

  it.runIf(existsSync(dist))('is ERR_OVL_STORAGE_UNREADABLE with a hint naming the path, not an empty list', () => {
    const root = join(base, 'docker');
    writeStore(root);
    // Owned by someone else, 0700: in a user namespace of its own the process keeps its own
    // uid (it could read what it owns) but has no capability over files of the machine's.
    chownSync(join(root, 'containers'), 12345, 12345);
    chmodSync(join(root, 'containers'), 0o700);
    const script = `import(${JSON.stringify(dist)}).then((m) => m.listContainers({ engines: ['docker'], roots: { docker: ${JSON.stringify(root)} } })).then(
      (r) => console.log(JSON.stringify({ ok: r.length })),
      (e) => console.log(JSON.stringify({ code: e.code, path: e.path, hint: e.hint })))`;
    const r = spawnSync('unshare', ['--user', '--', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ code: 'ERR_OVL_STORAGE_UNREADABLE', path: join(root, 'containers'), hint: expect.stringContaining('root') });
  });
});

describe('Docker rules (pure)', () => {
  it('chain ids: the first is the diff id, each next sha256("<parent chain> <diff>")', () => {
    // Measured on this machine: a busybox import, then a commit on it.
    expect(chainIds(['sha256:a0dcd5ac9a5593a141db5f80696a8fdc356a53115999daf3e433bc084ea07404', 'sha256:37ddf3952cc4f5a4f9996ebb7e142b86f7cf13dbdda88acde5234ad95e5018b2'])).toEqual([
      'sha256:a0dcd5ac9a5593a141db5f80696a8fdc356a53115999daf3e433bc084ea07404',
      'sha256:f6a60adc0c2c6419c133e37bfc89b3527b65aee9c2b8ab71cd670feef7f55510',
    ]);
  });

  it('history: empty_layer steps make no layer; a short history leaves the top layers bare', () => {
    const history = [{ created_by: 'ADD rootfs', created: 't0' }, { created_by: 'ENV A=1', empty_layer: true }, { created_by: 'RUN x', comment: 'c' }];
    expect(historyOfLayers(history, 2)).toEqual([{ createdBy: 'ADD rootfs', created: 't0' }, { createdBy: 'RUN x', comment: 'c' }]);
    expect(historyOfLayers(history.slice(0, 1), 3)).toEqual([{ createdBy: 'ADD rootfs', created: 't0' }, {}, {}]);
    expect(historyOfLayers(undefined, 1)).toEqual([{}]);
  });

  it.each([
    [{ Running: true }, 'running'],
    [{ Running: true, Paused: true }, 'paused'],
    [{ Running: true, Restarting: true }, 'restarting'],
    [{ Running: false, RemovalInProgress: true, StartedAt: '2026-01-01T00:00:00Z' }, 'removing'],
    [{ Running: false, Dead: true, StartedAt: '2026-01-01T00:00:00Z' }, 'dead'],
    [{ Running: false, StartedAt: '0001-01-01T00:00:00Z' }, 'created'],
    [{ Running: false, StartedAt: '2026-01-01T00:00:00Z' }, 'exited'],
    [undefined, 'unknown'],
  ])('state %j is %s', (state, word) => {
    expect(dockerStateWord(state)).toBe(word);
  });
});
