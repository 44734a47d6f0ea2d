// probePaths, listDir, statfs and readBeneath.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { C, catchAsync, catchSync, expectNativeError, makeTempDir, native, removeTempDir } from './helpers.mjs';

let dir;
beforeAll(() => {
  dir = makeTempDir();
  fs.mkdirSync(path.join(dir, 'sub'));
  for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(dir, 'sub', `f${i}`), '');
  fs.symlinkSync('sub', path.join(dir, 'link'));
});
afterAll(() => removeTempDir(dir));

describe('probePaths', () => {
  it('describes an existing directory', () => {
    const sub = path.join(dir, 'sub');
    const [p] = native.probePaths([sub], false);
    const st = fs.statSync(sub, { bigint: true });
    expect(p).toEqual({
      errno: 0,
      mode: Number(st.mode),
      devMajor: expect.any(Number),
      devMinor: expect.any(Number),
      ino: st.ino,
      mountId: expect.any(Number),
      uniqueMountId: expect.any(Number), // Linux 6.8+ (STATX_MNT_ID_UNIQUE): these machines run 6.18
      isSymlink: false,
    });
    expect(p.uniqueMountId).toBeGreaterThanOrEqual(2 ** 31); // unique ids start at 2^31, never reused
    expect((p.mode & C.S_IFMT) === C.S_IFDIR).toBe(true);
    expect(typeof p.ino).toBe('bigint');
    // Node's dev is makedev(major, minor) in the glibc encoding.
    const dev = st.dev;
    expect(BigInt(p.devMajor)).toBe(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
    expect(BigInt(p.devMinor)).toBe((dev & 0xffn) | ((dev >> 12n) & ~0xffn & 0xffffffffn));
  });

  it('reports a missing path as just its errno', () => {
    expect(native.probePaths([path.join(dir, 'missing')], true)).toEqual([{ errno: 2 }]);
  });

  it('follows a symlink but says it is one, with realpath on request', () => {
    const [link, sub] = native.probePaths([path.join(dir, 'link'), path.join(dir, 'sub')], true);
    expect(link.isSymlink).toBe(true);
    expect(link.ino).toBe(sub.ino);
    expect(link.mountId).toBe(sub.mountId);
    expect(link.realpath).toBe(fs.realpathSync(path.join(dir, 'sub')));
    expect(sub.realpath).toBe(link.realpath);
  });

  it('returns one entry per path, in order, without throwing', async () => {
    const paths = [dir, path.join(dir, 'nope'), Buffer.from(path.join(dir, 'sub', 'f1')), '/proc/self'];
    const results = await native.probePathsAsync(paths, false);
    expect(results.map((r) => r.errno)).toEqual([0, 2, 0, 0]);
    expect(results[3].isSymlink).toBe(true);
    expect(results[0]).not.toHaveProperty('realpath');
    expect(results[3].mountId).not.toBe(results[0].mountId);
    expect(native.probePaths([], true)).toEqual([]);
  });
});

describe('listDir', () => {
  const names = ['f0', 'f1', 'f2', 'f3', 'f4'];

  it('lists names without . and ..', () => {
    expect(native.listDir(path.join(dir, 'sub'), Infinity).sort()).toEqual(names);
    expect(native.listDir(path.join(dir, 'sub'), 1000).sort()).toEqual(names);
  });

  it('stops after max entries', async () => {
    expect(native.listDir(path.join(dir, 'sub'), 2)).toHaveLength(2);
    expect(native.listDir(path.join(dir, 'sub'), 0)).toEqual([]);
    expect(await native.listDirAsync(path.join(dir, 'sub'), 3)).toHaveLength(3);
  });

  it('throws opendir errors with the path', async () => {
    const missing = path.join(dir, 'missing');
    expectNativeError(expect, catchSync(() => native.listDir(missing, 10)), {
      errno: 2, code: 'ENOENT', syscall: 'opendir', path: missing,
    });
    const file = path.join(dir, 'sub', 'f0');
    expectNativeError(expect, await catchAsync(native.listDirAsync(file, 10)), {
      code: 'ENOTDIR', syscall: 'opendir', path: file,
    });
  });
});

describe('statfs', () => {
  it('returns the filesystem type and ST_* flags', async () => {
    const r = native.statfs(dir);
    expect(r).toEqual({ type: expect.any(Number), flags: expect.any(Number) });
    expect(r.flags & C.ST_RDONLY).toBe(0);
    expect(r.flags & 0x20).toBe(0); // ST_VALID is not a mount flag
    expect(native.statfs('/proc').type).toBe(0x9fa0); // PROC_SUPER_MAGIC
    expect(await native.statfsAsync(dir)).toEqual(r);
  });

  it('sees ST_RDONLY on a read-only mount', () => {
    const ro = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
      .map((l) => l.split(' ')).find((f) => f[5]?.split(',').includes('ro') && !f[4].startsWith('/proc'));
    if (!ro) return; // nothing read-only mounted here
    expect(native.statfs(ro[4]).flags & C.ST_RDONLY).toBe(C.ST_RDONLY);
  });
});

describe('openPaths', () => {
  const closeAll = (probes) => probes.forEach((p) => p.fd !== undefined && native.close(p.fd));

  it('opens each path once and describes what it opened, with the canonical path', () => {
    const sub = path.join(dir, 'sub');
    const probes = native.openPaths([sub, `${sub}/`, path.join(dir, 'link'), path.join(dir, '.', 'sub'), path.join(dir, 'missing')]);
    try {
      const st = fs.statSync(sub, { bigint: true });
      for (const p of probes.slice(0, 4)) {
        expect(p).toMatchObject({ errno: 0, ino: st.ino, mode: Number(st.mode), realpath: fs.realpathSync(sub) });
        expect(p.fd).toEqual(expect.any(Number));
        // The fd is a live O_PATH handle on that directory.
        expect(fs.readlinkSync(`/proc/self/fd/${p.fd}`)).toBe(fs.realpathSync(sub));
      }
      expect(probes[4]).toEqual({ errno: 2 });
    } finally {
      closeAll(probes);
    }
  });

  it('has an async form that resolves to the same description', async () => {
    const sub = path.join(dir, 'sub');
    const [a] = native.openPaths([sub]);
    const [b] = await native.openPathsAsync([sub]);
    try {
      expect({ ...b, fd: 0 }).toEqual({ ...a, fd: 0 });
      expect(b.fd).not.toBe(a.fd);
    } finally {
      closeAll([a, b]);
    }
  });

  it('rejects a non-array argument with TypeError', async () => {
    expect(() => native.openPaths('x')).toThrow(TypeError);
    await expect(native.openPathsAsync(42)).rejects.toThrow(TypeError);
  });
});

describe('readBeneath', () => {
  let root;
  beforeAll(() => {
    root = path.join(dir, 'layer');
    fs.mkdirSync(path.join(root, 'd'), { recursive: true });
    fs.writeFileSync(path.join(root, 'd', 'f'), 'inside\n');
    fs.writeFileSync(path.join(dir, 'outside'), 'outside\n');
    fs.symlinkSync(path.join(dir, 'outside'), path.join(root, 'd', 'to-outside'));
    fs.symlinkSync('/', path.join(root, 'up'));
  });

  it('reads a range of a regular file beneath the root, and describes it', async () => {
    const r = native.readBeneath(root, 'd/f', 2, 3);
    expect(r.data.toString()).toBe('sid');
    expect(r.mode & C.S_IFMT).toBe(C.S_IFREG);
    expect(r.ino).toBe(fs.statSync(path.join(root, 'd', 'f'), { bigint: true }).ino);
    expect((await native.readBeneathAsync(root, 'd/f', 0, 100)).data.toString()).toBe('inside\n');
  });

  it('never passes a symlink (ELOOP) nor leaves the root (EXDEV)', () => {
    expectNativeError(expect, catchSync(() => native.readBeneath(root, 'd/to-outside', 0, 100)), { code: 'ELOOP', syscall: 'openat2', path: root, dest: 'd/to-outside' });
    expectNativeError(expect, catchSync(() => native.readBeneath(root, 'up/etc/hostname', 0, 100)), { code: 'ELOOP', syscall: 'openat2' });
    expectNativeError(expect, catchSync(() => native.readBeneath(root, '../outside', 0, 100)), { code: 'EXDEV', syscall: 'openat2' });
    expectNativeError(expect, catchSync(() => native.readBeneath(root, '/etc/hostname', 0, 100)), { code: 'EXDEV', syscall: 'openat2' });
  });

  it('opens a FIFO without blocking and reads nothing from it; reads a symlink target with link', () => {
    const fifo = path.join(root, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = native.readBeneath(root, 'fifo', 0, 100);
    expect(r.mode & C.S_IFMT).toBe(C.S_IFIFO);
    expect(r.data.length).toBe(0);
    const l = native.readBeneath(root, 'd/to-outside', 0, 0, true);
    expect(l.link.toString()).toBe(path.join(dir, 'outside'));
    expect(l.mode & C.S_IFMT).toBe(C.S_IFLNK);
  });

  it('statManyBeneath describes many entries in one call, with small files and link targets inline, failures per entry', async () => {
    const [f, link, up, missing, dot] = await native.statManyBeneathAsync(root, ['d/f', 'd/to-outside', 'up/etc', 'nope', '.'], 1024);
    expect(f).toMatchObject({ errno: 0, size: 'inside\n'.length, xattrs: [] });
    expect(f.data.toString()).toBe('inside\n');
    expect(link.mode & C.S_IFMT).toBe(C.S_IFLNK);
    expect(link.data.toString()).toBe(path.join(dir, 'outside'));
    expect(up).toEqual({ errno: 40 }); // ELOOP: a symlink on the way
    expect(missing.errno).toBe(2);
    expect(dot.mode & C.S_IFMT).toBe(C.S_IFDIR);
    expect(native.statManyBeneath(root, ['d/f'], 3)[0].data).toBeUndefined(); // over inlineMax: described, not read
  });

  it('statManyBeneath reads no file over 64 MiB inline, whatever inlineMax says (a 1 TiB sparse file aborted the process)', async () => {
    // A file may claim any size (sparse, /proc): allocating it whole threw std::bad_alloc on the
    // thread that read it, and an uncaught C++ exception ends the process.
    const big = path.join(root, 'sparse-1TiB');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, 2 ** 40);
    try {
      for (const [entry] of [native.statManyBeneath(root, ['sparse-1TiB'], Infinity), await native.statManyBeneathAsync(root, ['sparse-1TiB'], 2 ** 53)]) {
        expect(entry).toMatchObject({ errno: 0, size: 2 ** 40 });
        expect(entry.data).toBeUndefined();
      }
    } finally {
      fs.rmSync(big);
    }
  });

  it('readManyBeneath reads many files into one Buffer, failures per entry, sync and async alike', async () => {
    fs.writeFileSync(path.join(root, 'd', 'g'), 'second');
    fs.writeFileSync(path.join(root, 'd', 'empty'), '');
    const rels = ['d/f', 'nope', 'd/empty', 'd/g', 'd/missing/x'];
    const got = native.readManyBeneath(root, rels, 1024);
    const bytes = (r, i) => r.data.subarray(i === 0 ? 0 : r.ends[i - 1], r.ends[i]).toString();
    expect(rels.map((_, i) => bytes(got, i))).toEqual(['inside\n', '', '', 'second', '']);
    expect([...got.errnos]).toEqual([0, 2, 0, 0, 2]);
    expect([...got.modes].map((m) => m & C.S_IFMT)).toEqual([C.S_IFREG, 0, C.S_IFREG, C.S_IFREG, 0]);
    const again = await native.readManyBeneathAsync(root, rels, 1024);
    expect({ ...again, data: again.data.toString() }).toEqual({ ...got, data: got.data.toString() });
    expect(native.readManyBeneath(root, [], 1024)).toMatchObject({ data: Buffer.alloc(0), ends: new Float64Array(0) });
    fs.rmSync(path.join(root, 'd', 'g'));
    fs.rmSync(path.join(root, 'd', 'empty'));
  });

  it('readManyBeneath never follows a symlink planted in the store (ELOOP), nor leaves the root (EXDEV), and reads nothing of them', () => {
    // A metadata file swapped for a link to a file outside, and a dir on the way swapped for one.
    const got = native.readManyBeneath(root, ['d/to-outside', 'up/etc/hostname', '../outside', '/etc/hostname', 'd/f'], 1024);
    expect([...got.errnos]).toEqual([40, 40, 18, 18, 0]);
    expect([...got.modes].slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(got.data.toString()).toBe('inside\n');
    expect([...got.ends]).toEqual([0, 0, 0, 0, 7]);
  });

  it('readManyBeneath gives a FIFO and a dir their mode and no bytes, without blocking; a file over maxEach is EFBIG and nothing of it is kept', async () => {
    const fifo = path.join(root, 'many-fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    fs.writeFileSync(path.join(root, 'big'), 'x'.repeat(100));
    try {
      const got = await native.readManyBeneathAsync(root, ['many-fifo', 'd', 'big', 'd/f'], 99);
      expect([...got.modes].map((m) => m & C.S_IFMT)).toEqual([C.S_IFIFO, C.S_IFDIR, 0, C.S_IFREG]);
      expect([...got.errnos]).toEqual([0, 0, 27, 0]); // EFBIG
      expect([...got.ends]).toEqual([0, 0, 0, 7]);
      expect(got.data.toString()).toBe('inside\n');
      expect(native.readManyBeneath(root, ['big'], 100).data.length).toBe(100);
    } finally {
      fs.rmSync(fifo);
      fs.rmSync(path.join(root, 'big'));
    }
  });

  it('readManyBeneath reads no file over 64 MiB, whatever maxEach says, and throws only for the root', async () => {
    const big = path.join(root, 'sparse-1TiB');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, 2 ** 40);
    try {
      for (const got of [native.readManyBeneath(root, ['sparse-1TiB'], Infinity), await native.readManyBeneathAsync(root, ['sparse-1TiB'], 2 ** 53)]) {
        expect([...got.errnos]).toEqual([27]);
        expect(got.data.length).toBe(0);
      }
    } finally {
      fs.rmSync(big);
    }
    const missing = path.join(root, 'no-such-dir');
    expectNativeError(expect, catchSync(() => native.readManyBeneath(missing, ['x'], 1)), { code: 'ENOENT', syscall: 'open', path: missing });
    expectNativeError(expect, await catchAsync(native.readManyBeneathAsync(path.join(root, 'd', 'f'), ['x'], 1)), { code: 'ENOTDIR', syscall: 'open' });
  });

  it('readManyBeneath with known keys: an unchanged file whose key is trusted is not read; any other is read, a symlink or FIFO swapped in is refused as without keys', async () => {
    const file = path.join(root, 'd', 'known');
    fs.writeFileSync(file, 'state A');
    try {
      const rels = ['d/known', 'd/f', 'nope'];
      const first = native.readManyBeneath(root, rels, 1024);
      expect([...first.same]).toEqual([0, 0, 0]);
      expect(first.keys.length).toBe(3 * 40);
      const st = fs.statSync(file, { bigint: true });
      const key = [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs];
      const keys = new BigUint64Array(new Uint8Array(first.keys).buffer);
      expect([...keys.subarray(0, 5)]).toEqual(key);
      expect(keys.subarray(5, 10).every((x) => x !== 0n)).toBe(true);
      expect(keys.subarray(10).every((x) => x === 0n)).toBe(true);
      // Trusted (a cutoff far ahead): not read, no bytes; sync and async alike.
      const later = Date.now() + 10_000;
      for (const got of [native.readManyBeneath(root, rels, 1024, first.keys, later), await native.readManyBeneathAsync(root, rels, 1024, first.keys, later)]) {
        expect([...got.same]).toEqual([1, 1, 0]);
        expect([...got.errnos]).toEqual([0, 0, 2]);
        expect([...got.ends]).toEqual([0, 0, 0]);
        expect(got.keys.equals(first.keys)).toBe(true);
      }
      // A ctime less than 100 ms before the keys were taken: read, whatever the key says (a write within its tick would not show).
      // (50 ms after the older of the two files' ctimes: d/f was made earlier, by how much depends on the machine)
      const older = [st.ctimeNs, fs.statSync(path.join(root, 'd', 'f'), { bigint: true }).ctimeNs].reduce((a, b) => (a < b ? a : b));
      const now = Number(older / 1000000n) + 50;
      const untrusted = native.readManyBeneath(root, rels, 1024, first.keys, now);
      expect([...untrusted.same]).toEqual([0, 0, 0]);
      expect(untrusted.data.toString()).toBe('state Ainside\n');
      // Rewritten in place to the same size, mtime put back to the nanosecond (touch -r: utimes
      // from JS keeps whole ms, and a key differing by mtime would hide whether ctime counts):
      // only the ctime moved.
      const ref = `${file}.times`;
      expect(spawnSync('touch', ['-r', file, ref]).status).toBe(0);
      fs.writeFileSync(file, 'state B');
      expect(spawnSync('touch', ['-m', '-r', ref, file]).status).toBe(0);
      fs.rmSync(ref);
      expect(fs.statSync(file, { bigint: true }).mtimeNs).toBe(st.mtimeNs);
      const rewritten = native.readManyBeneath(root, rels, 1024, first.keys, later);
      expect([...rewritten.same]).toEqual([0, 1, 0]);
      expect(rewritten.data.toString()).toBe('state B');
      // Replaced by another file (a new inode), a symlink, a FIFO.
      fs.writeFileSync(`${file}.new`, 'state C');
      fs.renameSync(`${file}.new`, file);
      expect(native.readManyBeneath(root, rels, 1024, rewritten.keys, later).data.toString()).toBe('state C');
      fs.rmSync(file);
      fs.symlinkSync('f', file);
      const link = native.readManyBeneath(root, rels, 1024, first.keys, later);
      expect([...link.errnos]).toEqual([40, 0, 2]);
      expect([...link.modes][0]).toBe(0);
      fs.rmSync(file);
      expect(spawnSync('mkfifo', [file]).status).toBe(0);
      const fifo = native.readManyBeneath(root, rels, 1024, first.keys, later);
      expect([...fifo.same]).toEqual([0, 1, 0]);
      expect([...fifo.modes][0] & C.S_IFMT).toBe(C.S_IFIFO);
      expect([...fifo.ends]).toEqual([0, 0, 0]);
      expect(() => native.readManyBeneath(root, rels, 1024, Buffer.alloc(7), later)).toThrow(/known must be 40 bytes per entry/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('statBeneath describes an entry and its xattrs without passing a symlink', () => {
    const st = native.statBeneath(root, 'd/f');
    expect(st.mode & C.S_IFMT).toBe(C.S_IFREG);
    expect(st.size).toBe('inside\n'.length);
    expect(st.xattrs).toEqual([]);
    expect(native.statBeneath(root, 'd/to-outside').mode & C.S_IFMT).toBe(C.S_IFLNK); // the link itself
    expectNativeError(expect, catchSync(() => native.statBeneath(root, 'up/etc')), { code: 'ELOOP', syscall: 'openat2' });
    expect(native.statBeneath(root, '.').mode & C.S_IFMT).toBe(C.S_IFDIR);
  });
});
