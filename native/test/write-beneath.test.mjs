// writeBeneath: tree writes that can never leave their root, whatever symlinks the archive
// (or the dir) holds; sync and async share one implementation.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { C, catchAsync, catchSync, expectNativeError, makeTempDir, native, removeTempDir } from './helpers.mjs';

let dir, root, outside;
beforeEach(() => {
  dir = makeTempDir();
  root = path.join(dir, 'root');
  outside = path.join(dir, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
});
afterEach(() => removeTempDir(dir));

const isRoot = process.getuid() === 0;

describe('writeBeneath', () => {
  it('makes every kind of entry with its owner, mode, times and xattrs', async () => {
    const n = await native.writeBeneathAsync(root, [
      { kind: 'dir', rel: 'd', mode: 0o750 },
      { kind: 'file', rel: 'd/f', mode: 0o4755, data: Buffer.from('hello'), mtimeSec: 1_000_000, mtimeNsec: 5_000_000, xattrs: [['user.k', Buffer.from([0, 1, 2])]], ...(isRoot && { uid: 123, gid: 456 }) },
      { kind: 'symlink', rel: 'd/s', target: '/etc/passwd', mtimeSec: 2_000_000 },
      { kind: 'hardlink', rel: 'd/h', target: 'd/f' },
      { kind: 'fifo', rel: 'd/p', mode: 0o640 },
      ...(isRoot ? [{ kind: 'chardev', rel: 'd/wh', mode: 0, devMajor: 0, devMinor: 0 }] : []),
      { kind: 'times', rel: 'd', mtimeSec: 3_000_000 },
    ]);
    expect(n).toBe(isRoot ? 7 : 6);
    const f = fs.lstatSync(path.join(root, 'd/f'));
    expect(f.mode & 0o7777).toBe(0o4755); // set after chown, so chown cannot clear setuid
    expect(f.mtimeMs).toBe(1_000_000_005);
    expect(fs.readFileSync(path.join(root, 'd/f'), 'utf8')).toBe('hello');
    expect(fs.readlinkSync(path.join(root, 'd/s'))).toBe('/etc/passwd');
    expect(fs.lstatSync(path.join(root, 'd/s')).mtimeMs).toBe(2_000_000_000);
    expect(fs.lstatSync(path.join(root, 'd/h')).ino).toBe(f.ino);
    expect(fs.lstatSync(path.join(root, 'd/p')).mode).toBe(C.S_IFIFO | 0o640);
    expect(fs.lstatSync(path.join(root, 'd')).mode & 0o7777).toBe(0o750);
    expect(fs.lstatSync(path.join(root, 'd')).mtimeMs).toBe(3_000_000_000);
    expect([...native.lgetxattr(path.join(root, 'd/f'), 'user.k')]).toEqual([0, 1, 2]);
    if (isRoot) {
      expect([f.uid, f.gid]).toEqual([123, 456]);
      const wh = fs.lstatSync(path.join(root, 'd/wh'));
      expect(wh.isCharacterDevice() && wh.rdev === 0).toBe(true);
    }
  });

  it('never writes through a symlink: its own, or one already in the dir', () => {
    fs.symlinkSync(outside, path.join(root, 'up'));
    for (const entry of [
      { kind: 'file', rel: 'up/evil', data: Buffer.from('x') },
      { kind: 'dir', rel: 'up/evil' },
      { kind: 'symlink', rel: 'up/evil', target: 'x' },
      { kind: 'hardlink', rel: 'evil', target: 'up/secret' },
    ]) {
      fs.writeFileSync(path.join(outside, 'keep'), 'k');
      fs.writeFileSync(path.join(outside, 'secret'), 's');
      expectNativeError(expect, catchSync(() => native.writeBeneath(root, [entry])), { code: 'ELOOP', syscall: 'openat2' });
      expect(fs.readdirSync(outside).sort()).toEqual(['keep', 'secret']);
    }
    // Removing or emptying through the link: nothing is beneath a symlink, so nothing to do.
    native.writeBeneath(root, [{ kind: 'empty', rel: 'up' }, { kind: 'remove', rel: 'up/keep' }, { kind: 'empty', rel: 'up/sub' }]);
    expect(fs.readdirSync(outside).sort()).toEqual(['keep', 'secret']);
    // A file entry at the link's own name replaces the link; nothing outside changes.
    native.writeBeneath(root, [{ kind: 'file', rel: 'up', data: Buffer.from('now a file') }]);
    expect(fs.readFileSync(path.join(root, 'up'), 'utf8')).toBe('now a file');
    expect(fs.readdirSync(outside).sort()).toEqual(['keep', 'secret']);
  });

  it('refuses names that climb out or are not names', async () => {
    for (const rel of ['../x', 'a/../../x', '/abs', 'd/..', 'd/.', '']) {
      const e = await catchAsync(native.writeBeneathAsync(root, [{ kind: 'dir', rel: 'd' }, { kind: 'file', rel, data: Buffer.from('x') }]));
      expect(['EXDEV', 'EINVAL', 'ENOENT']).toContain(e.code);
      expect(e.paramIndex).toBe(1);
      expect(e.dest).toBe(rel);
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['outside', 'root']);
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('replaces what stands at a name; remove and empty take whole trees', () => {
    fs.mkdirSync(path.join(root, 'a/b'), { recursive: true });
    fs.writeFileSync(path.join(root, 'a/b/c'), 'c');
    fs.writeFileSync(path.join(root, 'a/x'), 'x');
    native.writeBeneath(root, [
      { kind: 'file', rel: 'a/b', data: Buffer.from('file now') },
      { kind: 'dir', rel: 'a/x' },
    ]);
    expect(fs.readFileSync(path.join(root, 'a/b'), 'utf8')).toBe('file now');
    expect(fs.lstatSync(path.join(root, 'a/x')).isDirectory()).toBe(true);
    native.writeBeneath(root, [{ kind: 'empty', rel: 'a' }, { kind: 'remove', rel: 'gone' }, { kind: 'empty', rel: 'none' }]);
    expect(fs.readdirSync(path.join(root, 'a'))).toEqual([]);
    native.writeBeneath(root, [{ kind: 'remove', rel: 'a' }]);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it('writes a file in chunks; a continued chunk never opens anything but a regular file', () => {
    native.writeBeneath(root, [{ kind: 'file', rel: 'big', data: Buffer.from('abc'), last: false }]);
    native.writeBeneath(root, [{ kind: 'file', rel: 'big', data: Buffer.from('def'), offset: 3, first: false, mode: 0o600 }]);
    expect(fs.readFileSync(path.join(root, 'big'), 'utf8')).toBe('abcdef');
    native.writeBeneath(root, [{ kind: 'fifo', rel: 'fifo' }]);
    // O_NONBLOCK: a FIFO without a reader fails the open (ENXIO) rather than hang the thread.
    expectNativeError(expect, catchSync(() => native.writeBeneath(root, [{ kind: 'file', rel: 'fifo', data: Buffer.from('x'), first: false }])), { code: 'ENXIO', syscall: 'openat' });
    native.writeBeneath(root, [{ kind: 'dir', rel: 'dir' }]);
    expectNativeError(expect, catchSync(() => native.writeBeneath(root, [{ kind: 'file', rel: 'dir', data: Buffer.from('x'), first: false }])), { code: 'EISDIR', syscall: 'openat' });
  });

  it('unsetxattrs removes named xattrs of the entry itself, absent ones fine', () => {
    native.writeBeneath(root, [{ kind: 'dir', rel: 'd', xattrs: [['user.a', 'a'], ['user.b', 'b']] }]);
    native.writeBeneath(root, [{ kind: 'unsetxattrs', rel: 'd', xattrs: [['user.a', ''], ['user.none', '']] }]);
    expect(native.llistxattr(path.join(root, 'd'))).toEqual(['user.b']);
  });

  it('refuses bad arguments with a TypeError naming them', () => {
    expect(() => native.writeBeneath(root, [{ kind: 'sock', rel: 'x' }])).toThrow(/entries\[0\]\.kind/);
    expect(() => native.writeBeneath(root, [{ kind: 'file', rel: 'a\0b' }])).toThrow(TypeError);
    expect(() => native.writeBeneath(root, [{ kind: 'file', rel: 'x', mtimeSec: 1, mtimeNsec: 1e9 }])).toThrow(/mtimeNsec/);
  });
});
