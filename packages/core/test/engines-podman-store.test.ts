/**
 * The podman reader's handling of the store itself: where it looks (storage.conf, the
 * machine's default store), the store's locks (a writer holding one makes the read wait;
 * podman writing meanwhile never gives a torn read), and what it says about a store it cannot
 * read or whose metadata is damaged — always without changing a byte of it.
 *
 * Real podman, in a store of the test's own; the damaged stores are copies of it (`roots`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listContainers, listImages, OvlError, type EngineOptions } from '../src/index.js';
import { bigDataFileName, historyPerLayer } from '../src/engines/podman/images.js';
import { parseStorageConf, passwdHomes } from '../src/engines/podman/storage-conf.js';
import { holdWriteLock, settlesWithin } from './support/lock-holder.js';
import { makeBase, removeBase, writeTree } from './support/layers.js';
import { bestEffort, describePodman, podman, requirePodman } from './support/podman.js';
import { tempStore, type TempStore } from './support/podman-store.js';

describe('storage.conf, passwd and image config parsing', () => {
  it('reads graphroot, runroot and driver from the [storage] table only', () => {
    const conf = parseStorageConf(
      ['# comment', '[storage]', 'driver = "overlay"', 'graphroot = "/srv/c s\\u00e9"', "runroot = '/run/x'", '[storage.options]', 'graphroot = "/not/this"'].join('\n'),
    );
    expect(conf).toEqual({ driver: 'overlay', graphroot: '/srv/c sé', runroot: '/run/x' });
    expect(parseStorageConf('graphroot = "/outside/a/table"')).toEqual({});
  });

  it('finds users with homes in /etc/passwd (not root)', () => {
    expect(passwdHomes('root:x:0:0::/root:/bin/sh\nal:x:1000:1000:Al:/home/al:/bin/sh\nbroken\nnohome:x:5:5::relative:/bin/sh')).toEqual([{ uid: 1000, home: '/home/al' }]);
  });

  it('names big data files as containers-storage does', () => {
    expect(bigDataFileName('manifest')).toBe('manifest');
    expect(bigDataFileName('sha256:ab')).toBe(`=${Buffer.from('sha256:ab').toString('base64')}`);
  });

  it('pairs history with layers only when the non-empty entries account for every layer', () => {
    const history = [{ created_by: 'a' }, { created_by: 'env', empty_layer: true }, { created_by: 'b' }];
    expect(historyPerLayer({ history }, 2)).toEqual([{ createdBy: 'a' }, { createdBy: 'b' }]);
    expect(historyPerLayer({ history }, 3)).toBeUndefined();
    expect(historyPerLayer({}, 1)).toBeUndefined();
  });
});

/** sha256 of every file under `dir` (symlinks as their targets): proof that nothing was written. */
function fingerprint(dir: string): string {
  const h = createHash('sha256');
  const visit = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      h.update(`${p} ${st?.mtimeMs ?? 'link'}\n`);
      if (st?.isDirectory()) visit(p);
      else if (st?.isFile()) h.update(readFileSync(p));
    }
  };
  visit(dir);
  return h.digest('hex');
}

describePodman('podman reader: the store', () => {
  if (!requirePodman()) return;

  const prefix = `ovl-test-podman-reader-store-${process.pid}`;
  let base = '';
  let store: TempStore;
  let opts: EngineOptions;
  let copies = 0;

  /** A copy of the (unmounted) store, for damaging; its options. */
  const copy = (): { root: string; opts: EngineOptions } => {
    const root = join(base, `copy-${copies++}`);
    const r = spawnSync('cp', ['-a', store.root, root]);
    if (r.status !== 0) throw new Error(`cp failed: ${r.stderr}`);
    return { root, opts: { engines: ['podman'], roots: { podman: root } } };
  };

  beforeAll(() => {
    base = makeBase('ovl-podman-store-');
    store = tempStore(base);
    opts = { engines: ['podman'], roots: { podman: store.root } };
    const rootfs = writeTree(join(base, 'rootfs'), { etc: { hello: 'hi\n' } });
    const t = spawnSync('tar', ['-C', rootfs, '-cf', join(base, 'r.tar'), '.']);
    if (t.status !== 0) throw new Error('tar failed');
    store.run('import', '-q', join(base, 'r.tar'), `localhost/${prefix}:1`);
    store.run('create', '-q', '--name', `${prefix}-a`, `localhost/${prefix}:1`, '/x');
  }, 120_000);

  afterAll(() => {
    if (base === '') return;
    store.clean();
    removeBase(base);
  }, 120_000);

  it('a store that is not there is empty', async () => {
    expect(await listContainers({ engines: ['podman'], roots: { podman: join(base, 'nothing-here') } })).toEqual([]);
    expect(await listImages({ engines: ['podman'], roots: { podman: join(base, 'nothing-here') } })).toEqual([]);
  });

  it.each([
    ['containers.json cut short', 'overlay-containers/containers.json', (f: string) => writeFileSync(f, readFileSync(f).subarray(0, 40))],
    ['containers.json not a list', 'overlay-containers/containers.json', (f: string) => writeFileSync(f, '{"id":1}')],
    ['a container id that is a path', 'overlay-containers/containers.json', (f: string) => writeFileSync(f, readFileSync(f, 'utf8').replace(/"id":"[0-9a-f]{64}"/, '"id":"../../../etc"'))],
    ['layers.json half-written', 'overlay-layers/layers.json', (f: string) => writeFileSync(f, readFileSync(f).subarray(0, readFileSync(f).length - 3))],
    ['libpod\'s database damaged', 'libpod/bolt_state.db', (f: string) => writeFileSync(f, Buffer.alloc(statSync(f).size, 0x5a))],
  ])('%s → ERR_OVL_ENGINE_METADATA naming the file, nothing changed', async (_what, rel, damage) => {
    const c = copy();
    const file = join(c.root, rel);
    damage(file);
    const before = fingerprint(c.root);
    const err = await listContainers(c.opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OvlError);
    expect(err).toMatchObject({ code: 'ERR_OVL_ENGINE_METADATA', path: file });
    expect((err as Error).message).toContain(file);
    expect(fingerprint(c.root)).toBe(before);
  });

  it('a short link that points elsewhere, or an image config that is not JSON, names the file', async () => {
    const c = copy();
    const [ctr] = await listContainers(c.opts);
    const lowerFile = join(c.root, 'overlay', ctr!.upper.split('/').slice(-2, -1)[0]!, 'lower');
    const link = join(c.root, 'overlay', readFileSync(lowerFile, 'utf8').trim().split(':')[0]!);
    rmSync(link);
    symlinkSync('/etc', link);
    expect(await listContainers(c.opts).catch((e: unknown) => e)).toMatchObject({ code: 'ERR_OVL_ENGINE_METADATA', path: link });
    const [image] = await listImages(c.opts);
    const config = join(c.root, 'overlay-images', image!.id, bigDataFileName(`sha256:${image!.id}`));
    writeFileSync(config, '{"history": [');
    expect(await listImages(c.opts).catch((e: unknown) => e)).toMatchObject({ code: 'ERR_OVL_ENGINE_METADATA', path: config });
  });

  it.each([
    ['overlay-containers/containers.lock', 'record'],
    ['overlay-layers/layers.lock', 'record'],
    ['libpod/bolt_state.db', 'flock'],
  ] as const)('waits while another process holds the write lock on %s', async (rel, kind) => {
    const holder = await holdWriteLock(join(store.root, rel), kind);
    const listing = listContainers(opts);
    try {
      expect(await settlesWithin(listing, 300)).toBe(false);
    } finally {
      await holder.release();
    }
    expect((await listing).map((c) => c.name)).toContain(`${prefix}-a`);
  });

  it('never a torn read while podman creates and removes containers', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `${prefix}-churn${i}`);
    const script = names.map((n) => `podman --root '${store.root}' --runroot '${store.runroot}' create -q --name ${n} localhost/${prefix}:1 /x >/dev/null && podman --root '${store.root}' --runroot '${store.runroot}' rm ${n} >/dev/null`).join(' && ');
    const writer = spawn('sh', ['-c', script], { stdio: 'inherit' });
    let done = false;
    const exited = new Promise<number | null>((resolve) => writer.once('exit', (code) => ((done = true), resolve(code))));
    let reads = 0;
    while (!done) {
      const all = await listContainers(opts);
      expect(all.map((c) => c.name)).toContain(`${prefix}-a`);
      for (const c of all) expect(c.lower.length).toBeGreaterThan(0);
      reads++;
    }
    expect(await exited).toBe(0);
    expect(reads).toBeGreaterThan(1);
  }, 120_000);

  it('a store there but unreadable → ERR_OVL_STORAGE_UNREADABLE naming it, with a hint', async () => {
    chmodSync(base, 0o755); // the store root itself stays 0700, as podman makes it
    expect(statSync(store.root).mode & 0o777).toBe(0o700);
    process.seteuid!(65534);
    let err: unknown;
    try {
      err = await listContainers(opts).catch((e: unknown) => e);
    } finally {
      process.seteuid!(0);
      chmodSync(base, 0o700);
    }
    expect(err).toMatchObject({ code: 'ERR_OVL_STORAGE_UNREADABLE' });
    expect((err as OvlError).path?.startsWith(store.root)).toBe(true);
    expect((err as OvlError).hint).toMatch(/root/);
  });

  it('finds the store storage.conf names ($CONTAINERS_STORAGE_CONF) without roots', async () => {
    const conf = join(base, 'storage.conf');
    writeFileSync(conf, `[storage]\ndriver = "overlay"\ngraphroot = "${store.root}"\nrunroot = "${store.runroot}"\n`);
    const saved = process.env.CONTAINERS_STORAGE_CONF;
    process.env.CONTAINERS_STORAGE_CONF = conf;
    try {
      const found = (await listContainers({ engines: ['podman'] })).filter((c) => c.storage === store.root);
      expect(found.map((c) => c.name)).toEqual([`${prefix}-a`]);
    } finally {
      if (saved === undefined) delete process.env.CONTAINERS_STORAGE_CONF;
      else process.env.CONTAINERS_STORAGE_CONF = saved;
    }
  });

  it('finds containers and images in the machine\'s default store', async () => {
    const image = `localhost/${prefix}-default:1`;
    const name = `${prefix}-default`;
    try {
      podman('import', '-q', join(base, 'r.tar'), image);
      podman('create', '-q', '--name', name, image, '/x');
      const c = (await listContainers({ engines: ['podman'] })).find((x) => x.name === name);
      expect(c).toMatchObject({ engine: 'podman', image, storage: podman('info', '--format', '{{.Store.GraphRoot}}') });
      expect((await listImages({ engines: ['podman'] })).some((i) => i.names.includes(image))).toBe(true);
    } finally {
      bestEffort(() => podman('rm', '-f', name), () => podman('rmi', '-f', image));
    }
  });
});
