// scanDir / scanDirAsync: lstat columns, overlay xattr flags, names, errors.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addonPath, C, catchAsync, catchSync, expectNativeError, isRoot, makeTempDir, makeXattrTempDir, native, removeTempDir,
} from './helpers.mjs';

const T = 'trusted.overlay.';
const U = 'user.overlay.';

let dir;
let server;
beforeAll(async () => {
  dir = makeTempDir();
});
afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  removeTempDir(dir);
});

// A fresh directory under `dir` (or under `base`).
let seq = 0;
function subdir(base = dir) {
  const d = path.join(base, `case-${seq++}`);
  fs.mkdirSync(d);
  return d;
}

// The overlay bits of a flags byte (SCAN_FULL, set on every entry examined in full, aside).
const overlayBits = (f) => f & ~C.SCAN_FULL;

// Entry `name` of a scan as a plain object (for assertions only).
function entry(scan, name) {
  const i = scan.names.indexOf(name);
  if (i < 0) throw new Error(`no entry ${JSON.stringify(name)} in ${JSON.stringify(scan.names)}`);
  const e = { index: i, flags: overlayBits(scan.flags[i]), redirect: scan.redirect[i] };
  for (const k of ['mode', 'size', 'mtimeMs', 'mtimeNs', 'mtimeSec', 'ino', 'nlink', 'uid', 'gid', 'rdevMajor', 'rdevMinor']) {
    e[k] = scan[k][i];
  }
  if (scan.linkTarget) e.linkTarget = scan.linkTarget[i];
  return e;
}

// A scan as sorted plain rows, to compare two scans whatever their order.
function rows(scan) {
  const out = [];
  for (let i = 0; i < scan.count; i++) out.push(entry(scan, scan.names[i]));
  return out.map(({ index, ...rest }) => ({ name: scan.names[index], ...rest }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const scan = (d, opts = {}) => native.scanDir(d, { xattrPrefix: T, ...opts });

describe('scanDir: entries and lstat fields', () => {
  let d;
  const expected = [];
  beforeAll(async () => {
    d = subdir();
    fs.writeFileSync(path.join(d, 'file'), 'hello');
    fs.mkdirSync(path.join(d, 'dir'));
    fs.mkdirSync(path.join(d, 'dir', 'child'));
    fs.symlinkSync('file', path.join(d, 'link'));
    fs.symlinkSync('/nowhere/at/all', path.join(d, 'dangling'));
    spawnSync('mkfifo', [path.join(d, 'fifo')]);
    fs.linkSync(path.join(d, 'file'), path.join(d, 'hardlink'));
    server = net.createServer();
    await new Promise((resolve) => server.listen(path.join(d, 'socket'), resolve));
    expected.push('file', 'dir', 'link', 'dangling', 'fifo', 'hardlink', 'socket');
    if (isRoot) {
      native.mknod(path.join(d, 'whiteout'), C.S_IFCHR | 0o000, 0, 0);
      native.mknod(path.join(d, 'null'), C.S_IFCHR | 0o666, 1, 3);
      native.mknod(path.join(d, 'blk'), C.S_IFBLK | 0o660, 7, 200);
      fs.writeFileSync(path.join(d, 'owned'), 'x');
      fs.chownSync(path.join(d, 'owned'), 1234, 5678);
      expected.push('whiteout', 'null', 'blk', 'owned');
    }
    // mtimes with a nanosecond part, and one before 1970
    fs.utimesSync(path.join(d, 'file'), 1, 1700000000.123456);
    // (Node's utimes reads negative times as "now": touch sets it)
    expect(spawnSync('touch', ['-m', '-d', '@-1.25', path.join(d, 'dir')]).status).toBe(0);
  });

  it('returns every entry but . and .., with the lstat fields of each', () => {
    const s = scan(d);
    expect(s.count).toBe(expected.length);
    expect([...s.names].sort()).toEqual([...expected].sort());
    expect(s.errors).toBe(0);
    for (const name of expected) {
      const st = fs.lstatSync(path.join(d, name), { bigint: true });
      const plain = fs.lstatSync(path.join(d, name));
      const e = entry(s, name);
      expect(e.mode, name).toBe(Number(st.mode));
      expect(e.size, name).toBe(Number(st.size));
      expect(e.ino, name).toBe(Number(st.ino));
      expect(e.nlink, name).toBe(Number(st.nlink));
      expect(e.uid, name).toBe(Number(st.uid));
      expect(e.gid, name).toBe(Number(st.gid));
      expect(BigInt(e.mtimeSec) * 1000000000n + BigInt(e.mtimeNs), name).toBe(st.mtimeNs);
      expect(e.mtimeNs, name).toBeLessThan(1e9);
      expect(e.mtimeMs, name).toBe(plain.mtimeMs);
      expect(BigInt(e.mtimeSec), name).toBe(st.mtimeNs / 1000000000n - (st.mtimeNs % 1000000000n < 0n ? 1n : 0n));
      // rdev in the glibc makedev encoding, as Node reports it
      const rdev = st.rdev;
      expect(BigInt(e.rdevMajor), name).toBe(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
      expect(BigInt(e.rdevMinor), name).toBe((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn & 0xffffffffn));
    }
  });

  it('reports types, sizes and times as expected', () => {
    const s = scan(d);
    const type = (name) => entry(s, name).mode & C.S_IFMT;
    expect(type('file')).toBe(C.S_IFREG);
    expect(type('dir')).toBe(C.S_IFDIR);
    expect(type('link')).toBe(C.S_IFLNK);
    expect(type('fifo')).toBe(C.S_IFIFO);
    expect(type('socket')).toBe(C.S_IFSOCK);
    expect(entry(s, 'file').size).toBe(5);
    expect(entry(s, 'link').size).toBe(4); // the target's length: not followed
    expect(entry(s, 'dangling').size).toBe('/nowhere/at/all'.length);
    expect(entry(s, 'file').nlink).toBe(2);
    expect(entry(s, 'dir').nlink).toBe(3);
    expect(entry(s, 'file').ino).toBe(entry(s, 'hardlink').ino);
    expect(entry(s, 'file').mtimeSec).toBe(1700000000);
    expect(entry(s, 'dir')).toMatchObject({ mtimeSec: -2, mtimeNs: 750000000, mtimeMs: -1250 });
    expect(s.flags.every((f, i) => s.names[i] === 'whiteout' || overlayBits(f) === 0)).toBe(true);
    expect(s.flags.every((f) => (f & C.SCAN_FULL) !== 0)).toBe(true); // a full read examines everything
    expect(s).not.toHaveProperty('linkTarget');
  });

  it.skipIf(!isRoot)('flags a character device 0/0 as a whiteout, and reads device numbers', () => {
    const s = scan(d);
    expect(entry(s, 'whiteout')).toMatchObject({ mode: C.S_IFCHR, flags: C.SCAN_WHITEOUT_CHARDEV, rdevMajor: 0, rdevMinor: 0 });
    expect(entry(s, 'null')).toMatchObject({ flags: 0, rdevMajor: 1, rdevMinor: 3 });
    expect(entry(s, 'null').mode & C.S_IFMT).toBe(C.S_IFCHR);
    expect(entry(s, 'blk')).toMatchObject({ flags: 0, rdevMajor: 7, rdevMinor: 200 });
    expect(entry(s, 'blk').mode & C.S_IFMT).toBe(C.S_IFBLK);
    expect(entry(s, 'owned')).toMatchObject({ uid: 1234, gid: 5678 });
    // without xattrs too: it is the device number, not an xattr
    expect(entry(scan(d, { xattrs: false }), 'whiteout').flags).toBe(C.SCAN_WHITEOUT_CHARDEV);
  });

  it('reads symlink targets only when asked', () => {
    const s = scan(d, { readlinks: true });
    expect(s.linkTarget).toHaveLength(s.count);
    expect(entry(s, 'link').linkTarget).toBe('file');
    expect(entry(s, 'dangling').linkTarget).toBe('/nowhere/at/all');
    expect(entry(s, 'file').linkTarget).toBeUndefined();
    expect(Object.keys(s.linkTarget).map(Number).map((i) => s.names[i]).sort()).toEqual(['dangling', 'link']);
    expect(s.redirect).toHaveLength(s.count);
    expect(Object.keys(s.redirect)).toEqual([]); // sparse: no redirect anywhere
  });

  it('packs the columns as typed arrays of count elements', () => {
    const s = scan(d);
    const types = {
      mode: Uint32Array, size: Float64Array, mtimeMs: Float64Array, mtimeNs: Uint32Array, mtimeSec: Float64Array,
      ino: Float64Array, nlink: Uint32Array, uid: Uint32Array, gid: Uint32Array, rdevMajor: Uint32Array,
      rdevMinor: Uint32Array, flags: Uint8Array,
    };
    for (const [k, Type] of Object.entries(types)) {
      expect(s[k], k).toBeInstanceOf(Type);
      expect(s[k].length, k).toBe(s.count);
    }
    expect(Array.isArray(s.names)).toBe(true);
    expect(Object.keys(s).sort()).toEqual([...Object.keys(types), 'count', 'names', 'redirect', 'errors'].sort());
  });

  it('has an async form with equal results', async () => {
    const a = scan(d, { readlinks: true });
    const b = await native.scanDirAsync(d, { xattrPrefix: T, readlinks: true });
    expect(rows(b)).toEqual(rows(a));
    expect(b.count).toBe(a.count);
    expect(b.errors).toBe(0);
  });

  it('returns empty columns for an empty directory', async () => {
    const e = subdir();
    for (const s of [scan(e), await native.scanDirAsync(e, { xattrPrefix: T, readlinks: true })]) {
      expect(s.count).toBe(0);
      expect(s.names).toEqual([]);
      expect(s.mode).toEqual(new Uint32Array(0));
      expect(s.errors).toBe(0);
    }
  });
});

describe('scanDir: overlay xattrs', () => {
  // trusted.* needs CAP_SYS_ADMIN; user.* needs a filesystem that stores them.
  const cases = [
    ...(isRoot ? [{ prefix: T, base: () => dir }] : []),
    { prefix: U, base: () => makeXattrTempDir() },
  ];

  describe.each(cases)('with prefix $prefix', ({ prefix, base }) => {
    let d;
    let root;
    const set = (name, attr, value) => native.lsetxattr(path.join(d, name), prefix + attr, value, 0);
    beforeAll(() => {
      root = base();
      d = subdir(root);
      for (const name of ['opaque-y', 'opaque-x', 'opaque-other', 'opaque-empty', 'redirect-dir', 'plain-dir']) {
        fs.mkdirSync(path.join(d, name));
      }
      set('opaque-y', 'opaque', 'y');
      set('opaque-x', 'opaque', 'x');
      set('opaque-other', 'opaque', 'yes');
      set('opaque-empty', 'opaque', '');
      set('redirect-dir', 'redirect', '/some/where/else');
      set('redirect-dir', 'opaque', 'y');
      fs.writeFileSync(path.join(d, 'metacopy'), 'data');
      set('metacopy', 'metacopy', '');
      set('metacopy', 'redirect', 'relative name');
      fs.writeFileSync(path.join(d, 'xwhiteout'), '');
      set('xwhiteout', 'whiteout', '');
      fs.writeFileSync(path.join(d, 'xwhiteout-nonempty'), 'not empty');
      set('xwhiteout-nonempty', 'whiteout', '');
      fs.writeFileSync(path.join(d, 'plain'), '');
      fs.writeFileSync(path.join(d, 'other-xattr'), '');
      native.lsetxattr(path.join(d, 'other-xattr'), 'user.something', '1', 0);
      // a redirect longer than the first read's buffer, and a list longer than its buffer
      fs.mkdirSync(path.join(d, 'long-redirect'));
      set('long-redirect', 'redirect', '/' + 'r'.repeat(1500));
      fs.mkdirSync(path.join(d, 'many-xattrs'));
      for (let i = 0; i < 30; i++) native.lsetxattr(path.join(d, 'many-xattrs'), `user.${'n'.repeat(60)}${i}`, '', 0);
      set('many-xattrs', 'opaque', 'y');
    });
    afterAll(() => {
      if (root !== dir) removeTempDir(root);
    });

    const F = () => ({
      has: C.SCAN_HAS_XATTRS, opaque: C.SCAN_OPAQUE, opaqueX: C.SCAN_OPAQUE_X, redirect: C.SCAN_REDIRECT,
      metacopy: C.SCAN_METACOPY, xwhiteout: C.SCAN_XATTR_WHITEOUT,
    });

    it('sets the flags from the xattrs', () => {
      const f = F();
      const s = native.scanDir(d, { xattrPrefix: prefix });
      expect(s.errors).toBe(0);
      const flags = Object.fromEntries(s.names.map((n, i) => [n, overlayBits(s.flags[i])]));
      expect(flags).toEqual({
        'opaque-y': f.has | f.opaque,
        'opaque-x': f.has | f.opaqueX,
        'opaque-other': f.has,
        'opaque-empty': f.has,
        'redirect-dir': f.has | f.redirect | f.opaque,
        'plain-dir': 0,
        metacopy: f.has | f.metacopy | f.redirect,
        xwhiteout: f.has | f.xwhiteout,
        'xwhiteout-nonempty': f.has,
        plain: 0,
        'other-xattr': f.has,
        'long-redirect': f.has | f.redirect,
        'many-xattrs': f.has | f.opaque,
      });
    });

    it('returns redirect values, directories and files alike', () => {
      const s = native.scanDir(d, { xattrPrefix: prefix });
      const redirects = Object.fromEntries(Object.keys(s.redirect).map((i) => [s.names[i], s.redirect[i]]));
      expect(redirects).toEqual({
        'redirect-dir': '/some/where/else',
        metacopy: 'relative name',
        'long-redirect': '/' + 'r'.repeat(1500),
      });
    });

    it('ignores the other namespace and reads nothing when xattrs is false', () => {
      const other = prefix === T ? U : T;
      const s = native.scanDir(d, { xattrPrefix: other });
      for (let i = 0; i < s.count; i++) expect(overlayBits(s.flags[i]) & ~C.SCAN_HAS_XATTRS, s.names[i]).toBe(0);
      const none = native.scanDir(d, { xattrPrefix: prefix, xattrs: false });
      expect([...none.flags].every((x) => overlayBits(x) === 0)).toBe(true);
      expect(Object.keys(none.redirect)).toEqual([]);
    });

    it('gives the same in the async form', async () => {
      const a = native.scanDir(d, { xattrPrefix: prefix });
      const b = await native.scanDirAsync(d, { xattrPrefix: prefix });
      expect(rows(b)).toEqual(rows(a));
    });
  });

  it.skipIf(!isRoot)('does not read xattrs of symlinks', () => {
    const d = subdir();
    fs.symlinkSync('target', path.join(d, 'link'));
    native.lsetxattr(path.join(d, 'link'), `${T}opaque`, 'y', 0);
    expect(native.llistxattr(path.join(d, 'link'))).toContain(`${T}opaque`);
    expect(overlayBits(scan(d).flags[0])).toBe(0);
  });
});

describe('scanDir: names', () => {
  it('keeps names with spaces, newlines, punctuation and non-ASCII exactly', async () => {
    const d = subdir();
    const names = ['a b', ' lead', 'trail ', 'line\nbreak', 'tab\there', 'co:lon', 'com,ma', 'back\\slash',
      'é', '中文', '🙂 emoji', 'quote"s', "apo'", '-dash', '.hidden', '..dots', '=eq', 'x'.repeat(255)];
    for (const n of names) fs.writeFileSync(path.join(d, n), '');
    expect([...scan(d).names].sort()).toEqual([...names].sort());
    expect([...(await native.scanDirAsync(d, { xattrPrefix: T })).names].sort()).toEqual([...names].sort());
  });

  it('decodes names that are not UTF-8 with U+FFFD, one name at a time', () => {
    const d = subdir();
    const raw = [[0x61, 0xe9], [0xe9], [0xf0, 0x9f], [0xff, 0x62], [0xc3, 0xa9, 0x80]].map((b) => Buffer.from(b));
    for (const b of raw) fs.writeFileSync(Buffer.concat([Buffer.from(d + '/'), b]), '');
    fs.writeFileSync(path.join(d, 'ok'), '');
    const s = scan(Buffer.from(d));
    expect([...s.names].sort()).toEqual([...raw.map((b) => b.toString('utf8')), 'ok'].sort());
    expect(s.names.filter((n) => n.includes('\ufffd'))).toHaveLength(5);
  });
});

describe('scanDir: a big directory', () => {
  it('returns all 10,000 entries with matching columns', async () => {
    const d = subdir();
    const prefix = isRoot ? T : U;
    const big = isRoot ? d : subdir(makeXattrTempDir());
    // Making inodes is slow on some disks: most entries are hard links of 7 files (sizes 0..6).
    const first = [];
    for (let i = 0; i < 10000; i++) {
      const p = path.join(big, `e${i}`);
      if (i % 10 === 0) fs.mkdirSync(p);
      else if (first[i % 7] === undefined) fs.writeFileSync((first[i % 7] = p), 'x'.repeat(i % 7));
      else fs.linkSync(first[i % 7], p);
      if (i % 100 === 0) native.lsetxattr(p, `${prefix}redirect`, `/from/${i}`, 0);
    }
    const s = native.scanDir(big, { xattrPrefix: prefix });
    expect(s.count).toBe(10000);
    expect(s.errors).toBe(0);
    expect(new Set(s.names).size).toBe(10000);
    const wrong = []; // one expect per entry would dominate the run time
    for (let k = 0; k < s.count; k++) {
      const i = Number(s.names[k].slice(1));
      if ((s.mode[k] & C.S_IFMT) !== (i % 10 === 0 ? C.S_IFDIR : C.S_IFREG)) wrong.push([k, 'mode']);
      if (i % 10 !== 0 && s.size[k] !== i % 7) wrong.push([k, 'size']);
      if (s.redirect[k] !== (i % 100 === 0 ? `/from/${i}` : undefined)) wrong.push([k, 'redirect']);
      if (!!(s.flags[k] & C.SCAN_REDIRECT) !== (i % 100 === 0)) wrong.push([k, 'flags']);
    }
    expect(wrong).toEqual([]);
    expect(Object.keys(s.redirect)).toHaveLength(100);
    const st = fs.lstatSync(path.join(big, 'e4321'));
    expect(s.ino[s.names.indexOf('e4321')]).toBe(st.ino);
    const a = await native.scanDirAsync(big, { xattrPrefix: prefix });
    expect(rows(a)).toEqual(rows(s));
    if (big !== d) removeTempDir(path.dirname(big));
  });
});

describe('scanDir: errors', () => {
  it('throws ENOENT for a missing directory, sync and async', async () => {
    const missing = path.join(dir, 'missing');
    const e = catchSync(() => scan(missing));
    expectNativeError(expect, e, { errno: 2, code: 'ENOENT', syscall: 'open', path: missing });
    const a = await catchAsync(native.scanDirAsync(missing, { xattrPrefix: T }));
    expect({ ...a, message: a.message }).toEqual({ ...e, message: e.message });
  });

  it('throws ENOTDIR for a file', async () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, '');
    expectNativeError(expect, catchSync(() => scan(file)), { code: 'ENOTDIR', syscall: 'open', path: file });
    expectNativeError(expect, await catchAsync(native.scanDirAsync(file, { xattrPrefix: T })), {
      code: 'ENOTDIR', syscall: 'open', path: file,
    });
  });

  it('rejects bad arguments with TypeError', async () => {
    expect(() => native.scanDir(dir)).toThrow(TypeError);
    expect(() => native.scanDir(dir, {})).toThrow(/opts\.xattrPrefix must be a string/);
    expect(() => native.scanDir(dir, { xattrPrefix: T, xattrs: 1 })).toThrow(/opts\.xattrs must be a boolean/);
    expect(() => native.scanDir(42, { xattrPrefix: T })).toThrow(TypeError);
    await expect(native.scanDirAsync(dir, { xattrPrefix: 1 })).rejects.toThrow(TypeError);
    const throwing = { get xattrPrefix() { throw new Error('from a getter'); } };
    expect(() => native.scanDir(dir, throwing)).toThrow('from a getter');
    await expect(native.scanDirAsync(dir, throwing)).rejects.toThrow('from a getter');
  });

  it.skipIf(!isRoot)('keeps a cascade-picked entry it cannot examine, light, instead of dropping it', () => {
    // As nobody, a top dir with r but no x: its names list, its statx fails. Dropping 'f' there
    // would make the lower 'f' look like the one that decides the name.
    const top = subdir();
    const below = subdir();
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(top, 'f'), 'top');
    fs.writeFileSync(path.join(below, 'f'), 'below');
    fs.chmodSync(top, 0o744);
    fs.chmodSync(below, 0o755);
    const addon = path.join(dir, 'addon-cascade.node');
    fs.copyFileSync(addonPath, addon);
    fs.chmodSync(addon, 0o755);
    const script = `const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(addon)});
      const [a, b] = m.exports.scanDirs(${JSON.stringify([top, below])}, { xattrPrefix: 'user.overlay.', stat: false, sorted: true, cascade: true });
      console.log(JSON.stringify({ top: a.names, topFlags: [...a.flags], topMode: a.mode[0], errors: a.errors, below: b.names, belowFlags: [...b.flags] }));`;
    const r = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout);
    expect(got).toMatchObject({ top: ['f'], topFlags: [0], topMode: C.S_IFREG, errors: 1, below: ['f'], belowFlags: [0] });
  });

  it.skipIf(!isRoot)('counts entries it may list but not examine in errors', () => {
    // As nobody, a directory with r but no x: getdents64 works, every statx fails (EACCES).
    const d = subdir();
    fs.chmodSync(dir, 0o755);
    for (const n of ['a', 'b', 'c']) fs.writeFileSync(path.join(d, n), '');
    fs.chmodSync(d, 0o744);
    const addon = path.join(d, '..', 'addon.node');
    fs.copyFileSync(addonPath, addon);
    fs.chmodSync(addon, 0o755);
    const script = `const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(addon)});
      const s = m.exports.scanDir(${JSON.stringify(d)}, { xattrPrefix: 'user.overlay.' });
      console.log(JSON.stringify({ count: s.count, errors: s.errors }));`;
    const r = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ count: 0, errors: 3 });
  });
});

describe('scanNames: a few names of a directory, examined as scanDir does', () => {
  const opts = { xattrPrefix: 'trusted.overlay.' };
  let d;
  beforeAll(() => {
    d = fs.mkdtempSync(path.join(dir, 'names-'));
    fs.writeFileSync(path.join(d, 'a file'), 'abc');
    fs.mkdirSync(path.join(d, 'sub'));
    if (isRoot) native.lsetxattr(path.join(d, 'sub'), 'trusted.overlay.opaque', 'y', 0);
    fs.symlinkSync('/etc', path.join(d, 'link'));
  });

  it('returns the names asked for that exist, in the order asked, with the same columns as scanDir', () => {
    const r = native.scanNames(d, ['sub', 'missing', 'a file', 'link'], opts);
    expect(r.names).toEqual(['sub', 'a file', 'link']);
    expect(r.errors).toBe(1);
    const full = native.scanDir(d, opts);
    for (const [i, name] of r.names.entries()) {
      const j = full.names.indexOf(name);
      expect([r.mode[i], r.size[i], r.ino[i], r.flags[i]]).toEqual([full.mode[j], full.size[j], full.ino[j], full.flags[j]]);
    }
  });

  it('maps every result back to the names asked for (request), on one thread and on several', () => {
    const r = native.scanNames(d, ['missing', 'link', 'sub', 'gone', 'a file'], opts);
    expect([...r.request]).toEqual([1, 2, 4]);
    const big = fs.mkdtempSync(path.join(dir, 'names-big-'));
    const asked = [];
    for (let i = 0; i < 10_000; i++) {
      if (i % 3 !== 0) fs.writeFileSync(path.join(big, `n${i}`), '');
      asked.push(`n${i}`); // every third name is missing
    }
    const many = native.scanNames(big, asked, opts);
    expect(many.count).toBe(asked.length - Math.ceil(asked.length / 3));
    expect(many.names.every((name, i) => asked[many.request[i]] === name)).toBe(true);
    expect(native.scanDir(big, opts).request).toBeUndefined(); // scanNames only
  });

  it('reads long names whole, however many bytes their characters take', () => {
    const long = fs.mkdtempSync(path.join(dir, 'names-long-'));
    // 252 and 255 bytes: names that fill the addon's 256-byte buffer up to a character boundary.
    const names = ['\u{1F600}'.repeat(63), `${'\u{1F600}'.repeat(62)}abc`, 'é'.repeat(127) + 'x', 'x'.repeat(255)];
    for (const n of names) fs.writeFileSync(path.join(long, n), n);
    const r = native.scanNames(long, names, opts);
    expect(r.names).toEqual(names);
    expect([...r.size]).toEqual(names.map((n) => Buffer.byteLength(n)));
    // Paths are longer than names: one over 256 bytes ending in 4-byte characters must not be
    // cut at a character boundary inside the buffer and taken for whole.
    const deep = path.join(long, names[0]);
    fs.rmSync(deep);
    fs.mkdirSync(deep);
    fs.writeFileSync(path.join(deep, 'inside'), '');
    expect(Buffer.byteLength(deep)).toBeGreaterThan(256);
    const [scan] = native.scanDirs([deep], opts);
    expect(scan.names).toEqual(['inside']);
  });

  it('scanNamesMany: several dirs in one call, each as scanNames answers it, a missing dir as a failure', async () => {
    const other = fs.mkdtempSync(path.join(dir, 'names-other-'));
    fs.writeFileSync(path.join(other, 'x'), 'xx');
    const asked = [['link', 'missing', 'sub'], ['x'], ['x']];
    const paths = [d, other, path.join(other, 'gone')];
    for (const many of [native.scanNamesMany(paths, asked, opts), await native.scanNamesManyAsync(paths, asked, opts)]) {
      for (const k of [0, 1]) {
        const one = native.scanNames(paths[k], asked[k], opts);
        expect([many[k].names, [...many[k].request], [...many[k].size]]).toEqual([one.names, [...one.request], [...one.size]]);
      }
      expect(many[2]).toMatchObject({ code: 'ENOENT', syscall: 'open' });
    }
    expect(() => native.scanNamesMany([d], [], opts)).toThrow(/names must be an array as long as paths/);
    expect(() => native.scanNamesMany([d], [[1]], opts)).toThrow(/names\[0\]\[0\] must be a string or Buffer/);
  });

  it('never leaves the directory: names with a slash, empty, . and .. are refused', () => {
    const r = native.scanNames(d, ['../' + path.basename(d), 'sub/x', '', '.', '..', 'sub'], opts);
    expect(r.names).toEqual(['sub']);
    expect(r.errors).toBe(5);
  });

  it('has an async twin, and fails as a whole only when the dir itself cannot be read', async () => {
    const r = await native.scanNamesAsync(d, ['a file'], opts);
    expect(r.names).toEqual(['a file']);
    const e = catchSync(() => native.scanNames(path.join(d, 'nope'), ['x'], opts));
    expectNativeError(expect, e, { code: 'ENOENT', syscall: 'open', path: path.join(d, 'nope') });
    expectNativeError(expect, await catchAsync(native.scanNamesAsync(path.join(d, 'a file'), ['x'], opts)), { code: 'ENOTDIR' });
  });
});

describe('scanDirs with cascade: true (the layer dirs of one merged dir, top first)', () => {
  it('examines in full the entries whose name no earlier dir holds, the others light', async () => {
    const top = fs.mkdtempSync(path.join(dir, 'cascade-top-'));
    const below = fs.mkdtempSync(path.join(dir, 'cascade-below-'));
    for (const n of ['x', 'y']) fs.writeFileSync(path.join(top, n), 'top');
    for (const n of ['y', 'z']) fs.writeFileSync(path.join(below, n), 'below!');
    fs.mkdirSync(path.join(below, 'sub'));
    const opts = { xattrPrefix: 'trusted.overlay.', stat: false, sorted: true, cascade: true };
    for (const [a, b] of [native.scanDirs([top, below], opts), await native.scanDirsAsync([top, below], opts)]) {
      const full = (s, n) => (s.flags[s.names.indexOf(n)] & C.SCAN_FULL) !== 0;
      const size = (s, n) => s.size[s.names.indexOf(n)];
      expect([full(a, 'x'), full(a, 'y'), size(a, 'y')]).toEqual([true, true, 3]);
      expect([full(b, 'y'), size(b, 'y')]).toEqual([false, 0]); // held above: light
      expect([full(b, 'z'), size(b, 'z'), full(b, 'sub')]).toEqual([true, 6, true]);
    }
    // Without cascade a light read examines only dirs (and char devices) in full.
    const [, plain] = native.scanDirs([top, below], { ...opts, cascade: false });
    expect(plain.names.map((n, i) => [n, (plain.flags[i] & C.SCAN_FULL) !== 0])).toEqual([['sub', true], ['y', false], ['z', false]]);
    // A missing dir in the list fails alone and holds no names.
    const [gone, c] = native.scanDirs([path.join(top, 'gone'), below], opts);
    expect(gone).toMatchObject({ code: 'ENOENT' });
    expect((c.flags[c.names.indexOf('y')] & C.SCAN_FULL) !== 0).toBe(true);
  });
});

describe('scanDir with sorted: true (what merging several layers needs)', () => {
  const byBytes = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

  it('returns entries in byte order of their names, the columns moving with them', () => {
    const d = fs.mkdtempSync(path.join(dir, 'sorted-'));
    // Upper case before lower, '-' before digits, multi-byte names after ASCII, and a
    // character above U+FFFF (UTF-16 order would put it before U+FFFD; bytes put it after).
    const names = ['b', 'B', 'a-1', 'a0', 'é', 'z', '\u{1F600}', '\uFFFD', '.hidden', 'sub'];
    for (const n of names) (n === 'sub' ? fs.mkdirSync : fs.writeFileSync)(path.join(d, n), n === 'sub' ? undefined : n);
    for (const stat of [true, false]) {
      const r = native.scanDir(d, { xattrPrefix: 'trusted.overlay.', stat, sorted: true });
      expect(r.names).toEqual([...names].sort(byBytes));
      const sub = r.names.indexOf('sub');
      expect(r.mode[sub] & C.S_IFMT).toBe(C.S_IFDIR);
      if (stat) expect(r.size[r.names.indexOf('a-1')]).toBe(3);
    }
  });

  it('keeps the order when a big directory is examined by several threads, sync and async', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'sorted-big-'));
    const names = Array.from({ length: 9000 }, (_, i) => `f${(i * 7919) % 9000}`);
    for (const n of names) fs.writeFileSync(path.join(d, n), '');
    const expected = [...names].sort(byBytes);
    expect(native.scanDir(d, { xattrPrefix: 'trusted.overlay.', sorted: true }).names).toEqual(expected);
    const [many] = await native.scanDirsAsync([d], { xattrPrefix: 'trusted.overlay.', stat: false, sorted: true });
    expect(many.names).toEqual(expected);
  });
});

describe('scanDir with stat: false (names and types at getdents64 cost)', () => {
  it('examines only dirs and char devices; other entries keep their type and nothing else', () => {
    const d = fs.mkdtempSync(path.join(dir, 'light-'));
    fs.writeFileSync(path.join(d, 'file'), 'abc');
    fs.mkdirSync(path.join(d, 'sub'));
    fs.symlinkSync('file', path.join(d, 'link'));
    if (isRoot) native.mknod(path.join(d, 'wh'), C.S_IFCHR, 0, 0);
    const r = native.scanDir(d, { xattrPrefix: 'trusted.overlay.', stat: false });
    const at = (name) => r.names.indexOf(name);
    expect(r.mode[at('file')]).toBe(C.S_IFREG);
    expect(r.size[at('file')]).toBe(0);
    expect(r.mode[at('link')]).toBe(C.S_IFLNK);
    expect(r.mode[at('sub')]).toBe(fs.lstatSync(path.join(d, 'sub')).mode);
    expect(r.mtimeMs[at('sub')]).toBe(fs.lstatSync(path.join(d, 'sub')).mtimeMs);
    if (isRoot) expect(r.flags[at('wh')] & C.SCAN_WHITEOUT_CHARDEV).toBe(C.SCAN_WHITEOUT_CHARDEV);
  });
});

describe('scanDirs: several directories in one call', () => {
  it('gives each path its DirScan, or its errno when it cannot be read, without failing the call', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'many-'));
    fs.mkdirSync(path.join(d, 'a'));
    fs.writeFileSync(path.join(d, 'a', 'x'), 'x');
    fs.writeFileSync(path.join(d, 'file'), '');
    const opts = { xattrPrefix: 'trusted.overlay.' };
    const paths = [path.join(d, 'a'), path.join(d, 'missing'), path.join(d, 'file'), d];
    const r = native.scanDirs(paths, opts);
    expect(r[0].names).toEqual(['x']);
    expect(r[1]).toEqual({ errno: 2, code: 'ENOENT', syscall: 'open' });
    expect(r[2]).toEqual({ errno: 20, code: 'ENOTDIR', syscall: 'open' });
    expect([...r[3].names].sort()).toEqual(['a', 'file']);
    const again = await native.scanDirsAsync(paths, opts);
    const summary = (list) => list.map((x) => (x.names ? [...x.names].sort() : x.code));
    expect(summary(again)).toEqual(summary(r));
    expect(() => native.scanDirs('x', opts)).toThrow(TypeError);
  });
});

describe('scanDir { beneath, allXattrs }: one dir of a layer, opened beneath its root, with every xattr', () => {
  it('opens the path relative to the root, and gives every xattr of dirs and files (values as bytes), holes elsewhere', async () => {
    const root = makeXattrTempDir();
    const d = path.join(root, 'sub');
    fs.mkdirSync(d);
    fs.mkdirSync(path.join(d, 'dir'));
    fs.writeFileSync(path.join(d, 'file'), 'x');
    fs.writeFileSync(path.join(d, 'bare'), 'y');
    fs.symlinkSync('file', path.join(d, 'link'));
    const binary = Buffer.from([0, 255, 1, 0x80]);
    native.lsetxattr(path.join(d, 'file'), 'user.a', binary, 0);
    native.lsetxattr(path.join(d, 'file'), `${U}opaque`, 'y', 0);
    native.lsetxattr(path.join(d, 'dir'), 'user.big', Buffer.alloc(1000, 0x61), 0);
    const s = await native.scanDirAsync('sub', { xattrPrefix: U, beneath: root, allXattrs: true });
    const at = (name) => s.xattrs[s.names.indexOf(name)];
    expect([...s.names].sort()).toEqual(['bare', 'dir', 'file', 'link']);
    expect(new Map(at('file'))).toEqual(new Map([['user.a', binary], [`${U}opaque`, Buffer.from('y')]]));
    expect(at('dir')).toEqual([['user.big', Buffer.alloc(1000, 0x61)]]);
    expect(at('bare')).toBeUndefined();
    expect(at('link')).toBeUndefined();
    // The same listing as a plain scan of the absolute path, every column alike.
    const plain = native.scanDir(d, { xattrPrefix: U });
    const byName = (scan, name) => scan.mode[scan.names.indexOf(name)];
    for (const name of s.names) expect(byName(s, name)).toBe(byName(plain, name));
    expect(native.scanDir('.', { xattrPrefix: U, beneath: root }).names).toContain('sub');
    expect(native.scanDir(d, { xattrPrefix: U }).xattrs).toBeUndefined();
    removeTempDir(root);
  });

  it('follows no symlink on the way and never leaves the root', async () => {
    const root = subdir();
    fs.mkdirSync(path.join(root, 'real'));
    fs.symlinkSync('real', path.join(root, 'via-link'));
    fs.symlinkSync(dir, path.join(root, 'out'));
    for (const rel of ['via-link', 'out', 'real/../via-link']) {
      expectNativeError(expect, await catchAsync(native.scanDirAsync(rel, { xattrPrefix: T, beneath: root })), { code: 'ELOOP', syscall: 'openat2', path: root, dest: rel });
    }
    expectNativeError(expect, catchSync(() => native.scanDir('..', { xattrPrefix: T, beneath: root })), { code: 'EXDEV', syscall: 'openat2' });
    expectNativeError(expect, catchSync(() => native.scanDir(dir, { xattrPrefix: T, beneath: root })), { code: 'EXDEV', syscall: 'openat2' });
    expectNativeError(expect, catchSync(() => native.scanDir('missing', { xattrPrefix: T, beneath: root })), { code: 'ENOENT', path: root, dest: 'missing' });
    expect(() => native.scanDir('.', { xattrPrefix: T, beneath: '' })).toThrow(/opts\.beneath must be a non-empty path/);
    expect(() => native.scanDir('.', { xattrPrefix: T, beneath: root, allXattrs: 1 })).toThrow(/opts\.allXattrs must be a boolean/);
  });
});
