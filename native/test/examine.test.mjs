// examinePaths: openPaths + a listing through one of the fds + the mounts of one type, in one call.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { C, inPrivateMountNamespace, isRoot, makeTempDir, mountsUnder, native, removeTempDir } from './helpers.mjs';

const PROC_SUPER_MAGIC = 0x9fa0;
const closeAll = (probes) => probes.forEach((p) => p.fd !== undefined && native.close(p.fd));

/** mountinfo lines as [mount id, mount point (unescaped), fstype, super options]. */
function mountinfo() {
  const unescape = (s) => s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).map((line) => {
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    return { mountId: Number(f[0]), mountPoint: unescape(f[4]), fstype: f[sep + 1], superOptions: f.slice(sep + 3).join(' ') };
  });
}

let dir;
beforeAll(() => {
  dir = makeTempDir();
  fs.mkdirSync(path.join(dir, 'sub'));
  for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(dir, 'sub', `f${i}`), '');
  fs.writeFileSync(path.join(dir, 'file'), '');
});
afterAll(() => removeTempDir(dir));

describe('examinePaths', () => {
  it('opens and describes every path as openPaths does', () => {
    const paths = [path.join(dir, 'sub'), path.join(dir, 'file'), path.join(dir, 'missing')];
    const { probes } = native.examinePaths(paths, -1, 0, 0);
    const alone = native.openPaths(paths);
    try {
      expect(probes.map((p) => ({ ...p, fd: 0 }))).toEqual(alone.map((p) => ({ ...p, fd: 0 })));
      expect(fs.readlinkSync(`/proc/self/fd/${probes[0].fd}`)).toBe(fs.realpathSync(paths[0]));
      expect(probes[2]).toEqual({ errno: 2 });
    } finally {
      closeAll([...probes, ...alone]);
    }
  });

  it('lists up to listMax names of the dir at listIndex, through the fd it opened', () => {
    const sub = path.join(dir, 'sub');
    const all = native.examinePaths([dir, sub], 1, Infinity, 0);
    const two = native.examinePaths([sub], 0, 2, 0);
    try {
      expect(all.listing.sort()).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
      expect(two.listing).toHaveLength(2);
      expect(all).not.toHaveProperty('mounts'); // none asked for
    } finally {
      closeAll([...all.probes, ...two.probes]);
    }
  });

  it('reports a listing that failed as fields, and lists nothing for a path it could not open', () => {
    const onFile = native.examinePaths([path.join(dir, 'file')], 0, 8, 0);
    const onMissing = native.examinePaths([path.join(dir, 'missing')], 0, 8, 0);
    try {
      expect(onFile).toMatchObject({ listErrno: 20, listSyscall: 'openat' }); // ENOTDIR
      expect(onFile).not.toHaveProperty('listing');
      expect(onMissing).toEqual({ probes: [{ errno: 2 }] });
    } finally {
      closeAll(onFile.probes);
    }
  });

  it('lists the mounts of one type as mountinfo shows them, and again from what it remembers', () => {
    const expected = mountinfo().filter((m) => m.fstype === 'proc');
    for (const round of [1, 2]) {
      const { mounts, probes } = native.examinePaths([], -1, 0, PROC_SUPER_MAGIC);
      expect(probes).toEqual([]);
      expect(mounts.map((m) => [m.mountId, m.mountPoint, m.options]), `round ${round}`).toEqual(
        expected.map((m) => [m.mountId, m.mountPoint, m.superOptions.replace(/^r[wo],?/, '')]),
      );
      for (const m of mounts) expect(m.uniqueMountId).toBeGreaterThanOrEqual(2 ** 31);
    }
  });

  it('has an async form that resolves to the same facts', async () => {
    const sub = path.join(dir, 'sub');
    const a = native.examinePaths([sub], 0, 8, PROC_SUPER_MAGIC);
    const b = await native.examinePathsAsync([sub], 0, 8, PROC_SUPER_MAGIC);
    try {
      expect({ ...b, probes: [{ ...b.probes[0], fd: 0 }] }).toEqual({ ...a, probes: [{ ...a.probes[0], fd: 0 }] });
    } finally {
      closeAll([...a.probes, ...b.probes]);
    }
  });

  it('refuses bad arguments: TypeError for types, RangeError for a listIndex beyond the paths', async () => {
    expect(() => native.examinePaths('x', -1, 0, 0)).toThrow(/examinePaths: paths must be an array/);
    expect(() => native.examinePaths([dir], 1, 0, 0)).toThrow(RangeError);
    expect(() => native.examinePaths([dir], -2, 0, 0)).toThrow(RangeError);
    expect(() => native.examinePaths([dir], 0, '8', 0)).toThrow(TypeError);
    expect(() => native.examinePaths([dir], 0, 8, null)).toThrow(/mountsOfType must be/);
    await expect(native.examinePathsAsync([dir], 5, 0, 0)).rejects.toThrow(RangeError);
  });
});

const privileged = isRoot && inPrivateMountNamespace();

describe.runIf(privileged)('examinePaths on overlays (root, private mount namespace)', () => {
  let base;
  let target;
  afterEach(() => {
    if (mountsUnder(base).length > 0) native.umount2(target, C.MNT_DETACH);
    removeTempDir(base);
  });

  it('finds an overlay mounted just now, its options escaped as mountinfo has them, its mount point as bytes', async () => {
    base = makeTempDir();
    let lower, upper, work;
    [lower, upper, work, target] = ['lower', 'up per,x', 'work\\y', 'merged dir'].map((n) => {
      fs.mkdirSync(path.join(base, n));
      return path.join(base, n);
    });
    native.fsmountPlan({
      fstype: 'overlay',
      params: [{ type: 'path', key: 'lowerdir+', value: lower }, { type: 'path', key: 'upperdir', value: upper }, { type: 'path', key: 'workdir', value: work }],
      attrs: 0,
      target,
    });
    const line = mountinfo().find((m) => m.mountPoint === target);
    const { mounts } = await native.examinePathsAsync([], -1, 0, C.OVERLAYFS_SUPER_MAGIC);
    const ours = mounts.filter((m) => m.mountPoint === target);
    expect(ours).toEqual([{ mountId: line.mountId, uniqueMountId: expect.any(Number), mountPoint: target, options: line.superOptions.replace(/^rw,/, ''), readonly: false }]);
    expect(ours[0].options).toContain('\\054'); // the comma of the upper dir, escaped as in mountinfo
  });
});
