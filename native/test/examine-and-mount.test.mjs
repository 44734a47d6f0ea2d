// examineAndMount: examinePaths, then the mount only if the caller's plain expectations hold,
// in one call; checkExpectations: that comparison alone, over facts given as data.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { C, catchAsync, catchSync, expectNativeError, inPrivateMountNamespace, isRoot, makeTempDir, mountsUnder, native, removeTempDir } from './helpers.mjs';

const closeAll = (probes) => probes.forEach((p) => p.fd !== undefined && native.close(p.fd));
const openFds = () => fs.readdirSync('/proc/self/fd').length;

let dir;
beforeAll(() => {
  dir = makeTempDir();
  for (const d of ['a', 'b', 'work']) fs.mkdirSync(path.join(dir, d));
  fs.writeFileSync(path.join(dir, 'file'), '');
  fs.symlinkSync('a', path.join(dir, 'a-link'));
});
afterAll(() => removeTempDir(dir));

const at = (...names) => names.map((n) => path.join(dir, n));

describe('checkExpectations', () => {
  /** The facts examinePaths gives for `paths`, fds closed (checkExpectations ignores them). */
  const facts = (paths, listIndex = -1) => {
    const found = native.examinePaths(paths, listIndex, 8, 0);
    closeAll(found.probes);
    return found;
  };

  it('is met by facts that hold every expectation, and names the first that does not', () => {
    const paths = at('a', 'b', 'work');
    const dirs = { fileType: C.S_IFDIR, canonical: true, distinct: true, sameMount: [[1, 2]], listingOnly: ['work', 'index'] };
    expect(native.checkExpectations(paths, facts(paths, 2), dirs)).toBe('');
    expect(native.checkExpectations(paths, facts(paths), {})).toBe('');
    const withFile = at('a', 'file');
    expect(native.checkExpectations(withFile, facts(withFile), { fileType: C.S_IFDIR })).toBe('paths[1]: file type');
    expect(native.checkExpectations(withFile, facts(withFile), {})).toBe(''); // nothing asked of the type
    const missing = at('a', 'missing');
    expect(native.checkExpectations(missing, facts(missing), {})).toBe('paths[1]: not examined');
    const linked = at('b', 'a-link');
    expect(native.checkExpectations(linked, facts(linked), { canonical: true })).toBe('paths[1]: not canonical');
    expect(native.checkExpectations(linked, facts(linked), { distinct: true })).toBe('');
    const twice = at('a', 'b', 'a-link');
    expect(native.checkExpectations(twice, facts(twice), { distinct: true })).toMatch(/^paths\[[02]\]: same inode as another path$/);
  });

  it('checks the listing: made, and only the names allowed', () => {
    fs.writeFileSync(path.join(dir, 'b', 'foreign'), '');
    try {
      const paths = at('a', 'b');
      expect(native.checkExpectations(paths, facts(paths, 1), { listingOnly: ['work'] })).toBe('listing: a name not expected');
      expect(native.checkExpectations(paths, facts(paths, 1), { listingOnly: ['foreign'] })).toBe('');
      expect(native.checkExpectations(paths, facts(paths), { listingOnly: [] })).toBe('listing: not made');
    } finally {
      fs.rmSync(path.join(dir, 'b', 'foreign'));
    }
  });

  it('checks mount pairs by mount id', () => {
    const paths = at('a', 'b');
    const found = facts(paths);
    expect(native.checkExpectations(paths, found, { sameMount: [[0, 1]] })).toBe('');
    const moved = { ...found, probes: [found.probes[0], { ...found.probes[1], mountId: found.probes[0].mountId + 1 }] };
    expect(native.checkExpectations(paths, moved, { sameMount: [[0, 1]] })).toBe('paths[1]: not on the mount of its pair');
  });

  it('checks mount options: listed, known, and holding no needle (unless followed by an excepted byte)', () => {
    const paths = [];
    const probes = [];
    const check = (mounts, optionsExclude, more = {}) => native.checkExpectations(paths, { probes, mounts, ...more }, { optionsExclude });
    const needles = [{ text: '/x/up' }, { text: 'upperdir=', unlessNext: '/' }];
    expect(check([{ options: 'lowerdir=/l,upperdir=/y/up,workdir=/y/w' }], needles)).toBe('');
    expect(check([{ options: 'lowerdir=/l,upperdir=/x/up,workdir=/x/w' }], needles)).toBe('mounts: options hold an excluded text');
    expect(check([{ options: 'lowerdir=l/A,upperdir=abc/diff,workdir=abc/work' }], needles)).toBe('mounts: options hold an excluded text');
    expect(check([{ options: 'lowerdir=/l,upperdir=' }], needles)).toBe('mounts: options hold an excluded text'); // at the end: counts
    expect(check([{ options: 'lowerdir=/l' }], [{ text: '' }])).toBe('mounts: options hold an excluded text'); // "" matches any mount
    expect(check([], [{ text: '' }])).toBe('');
    expect(check([{ options: '' }], [])).toBe('mounts: options unknown');
    expect(check(undefined, [])).toBe('mounts: not listed');
    expect(check(undefined, [], { mountsErrno: 38 })).toBe('mounts: not listed');
    expect(native.checkExpectations(paths, { probes }, {})).toBe(''); // nothing asked of the mounts
  });

  it('refuses bad arguments with TypeError (RangeError for an index beyond the paths)', () => {
    const paths = at('a');
    const found = facts(paths);
    expect(() => native.checkExpectations(paths, found, null)).toThrow(/checkExpectations: expect must be an object/);
    expect(() => native.checkExpectations(paths, found, { canonical: 1 })).toThrow(/expect.canonical must be a boolean/);
    expect(() => native.checkExpectations(paths, found, { sameMount: [[0, 1]] })).toThrow(RangeError);
    expect(() => native.checkExpectations(paths, found, { listingOnly: 'work' })).toThrow(/expect.listingOnly must be an array/);
    expect(() => native.checkExpectations(paths, found, { optionsExclude: [{}] })).toThrow(/expect.optionsExclude\[0\].text must be/);
    expect(() => native.checkExpectations(paths, { probes: [{ errno: 0, mode: 1 }] }, {})).toThrow(TypeError);
    expect(() => native.checkExpectations(paths, { probes: [{ ...found.probes[0], ino: 5 }] }, {})).toThrow(/ino must be a bigint/);
    for (const e of [catchSync(() => native.checkExpectations(paths, found, null))]) expect(e).toBeInstanceOf(TypeError);
  });
});

describe('examineAndMount arguments', () => {
  const plan = (params) => ({ plan: { fstype: 'overlay', params, attrs: 0, target: '/nonexistent-ovl-dir' } });

  // Checked before anything runs, so paths that do not exist do as well.
  it.each([
    [[null, -1, 0, 0, null, plan([])], /examineAndMount: expect must be an object, got null/],
    [[null, -1, 0, 0, {}, null], /examineAndMount: mount must be an object, got null/],
    [[null, -1, 0, 0, {}, {}], /examineAndMount: mount.legacy \(or mount.plan\) must be an object, got undefined/],
    [[null, -1, 0, 0, {}, plan([{ type: 'nope', key: 'x' }])], /mount.plan.params\[0\].type must be 'flag', 'string', 'path', 'fd' or 'opened'/],
    [[null, -1, 0, 0, {}, plan([{ type: 'opened', key: 'lowerdir+' }])], /mount.plan.params\[0\].index must be an integer, got undefined/],
    [[null, -1, 0, 0, {}, { legacy: { target: 7 } }], /mount.legacy.target must be a string or Buffer, got number/],
    [['x', -1, 0, 0, {}, plan([])], /examineAndMount: paths must be an array/],
  ].map(([args, message]) => [[['/nonexistent-ovl-dir'], ...args.slice(1)].map((a, i) => (i === 0 && args[0] === 'x' ? 'x' : a)), message]))('TypeError: %#', async (args, message) => {
    const e = catchSync(() => native.examineAndMount(...args));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(message);
    const a = await catchAsync(native.examineAndMountAsync(...args));
    expect(a).toBeInstanceOf(TypeError);
    expect(a.message).toMatch(new RegExp(message.source.replace('examineAndMount:', 'examineAndMountAsync:')));
  });

  it("RangeError for an 'opened' index beyond the paths; fsmountPlan refuses 'opened' altogether", () => {
    expect(() => native.examineAndMount(at('a'), -1, 0, 0, {}, plan([{ type: 'opened', key: 'lowerdir+', index: 1 }]))).toThrow(RangeError);
    expect(() => native.fsmountPlan(plan([{ type: 'opened', key: 'lowerdir+', index: 0 }]).plan)).toThrow(/plan.params\[0\].type must be 'flag', 'string', 'path' or 'fd'/);
  });

  it('mounts nothing when an expectation fails: the facts come back as examinePaths gives them, fds open', async () => {
    const before = openFds();
    for (const r of [
      native.examineAndMount(at('a', 'file'), 0, 8, 0, { fileType: C.S_IFDIR }, plan([{ type: 'opened', key: 'lowerdir+', index: 0 }])),
      await native.examineAndMountAsync(at('a', 'file'), 0, 8, 0, { fileType: C.S_IFDIR }, plan([{ type: 'opened', key: 'lowerdir+', index: 0 }])),
    ]) {
      const alone = native.examinePaths(at('a', 'file'), 0, 8, 0);
      try {
        expect(r.unmet).toBe('paths[1]: file type');
        expect(r).not.toHaveProperty('mounted');
        const { unmet: _, ...found } = r;
        const noFd = (f) => ({ ...f, probes: f.probes.map((p) => ({ ...p, fd: p.fd === undefined ? undefined : 0 })) });
        expect(noFd(found)).toEqual(noFd(alone));
        expect(fs.readlinkSync(`/proc/self/fd/${r.probes[1].fd}`)).toBe(path.join(dir, 'file'));
      } finally {
        closeAll([...r.probes, ...alone.probes]);
      }
    }
    expect(openFds()).toBe(before);
    expect(mountsUnder(dir)).toEqual([]);
  });
});

const privileged = isRoot && inPrivateMountNamespace();

describe.runIf(privileged)('examineAndMount (root, private mount namespace)', () => {
  let base;
  afterEach(() => {
    for (const mp of mountsUnder(base).reverse()) native.umount2(mp, C.MNT_DETACH);
    removeTempDir(base);
  });

  /** Two lower dirs with a file each, an upper and work dir, a target; paths in layer order, then the target. */
  function stack() {
    base = makeTempDir();
    const [l0, l1, upper, work, target] = ['l0', 'l1', 'upper', 'work', 'merged'].map((n) => {
      fs.mkdirSync(path.join(base, n));
      return path.join(base, n);
    });
    fs.writeFileSync(path.join(l0, 'from-l0'), '');
    fs.writeFileSync(path.join(l1, 'from-l1'), '');
    return { l0, l1, upper, work, target, paths: [l0, l1, upper, work, target] };
  }
  const expectations = { fileType: C.S_IFDIR, canonical: true, distinct: true, sameMount: [[2, 3]], listingOnly: ['work', 'index'], optionsExclude: [] };

  for (const form of ['sync', 'async']) {
    it(`${form}: mounts the layers through the fds it examined ('opened'), closes them, and says the new mount's ids`, async () => {
      const s = stack();
      // The plan names the lower dirs in the other order than `paths`: 'opened' follows the index, not the position.
      const params = [
        { type: 'opened', key: 'lowerdir+', index: 1 }, { type: 'opened', key: 'lowerdir+', index: 0 },
        { type: 'opened', key: 'upperdir', index: 2 }, { type: 'opened', key: 'workdir', index: 3 },
      ];
      const mount = { plan: { fstype: 'overlay', params, attrs: 0, target: s.target, refuseReadonly: true } };
      const before = openFds();
      const args = [s.paths, 3, 8, C.OVERLAYFS_SUPER_MAGIC, expectations, mount];
      const r = form === 'sync' ? native.examineAndMount(...args) : await native.examineAndMountAsync(...args);
      expect(openFds()).toBe(before);
      expect(Object.keys(r)).toEqual(['mounted']);
      expect(r.mounted.mountId).toBe(native.probePaths([s.target], false)[0].mountId);
      expect(fs.readdirSync(s.target).sort()).toEqual(['from-l0', 'from-l1']);
      fs.writeFileSync(path.join(s.target, 'new'), '');
      expect(fs.readdirSync(s.upper)).toEqual(['new']);
      // A second mount of the same upper: the first one's options now name it, so that expectation fails.
      const again = native.examineAndMount(s.paths, 3, 8, C.OVERLAYFS_SUPER_MAGIC, { ...expectations, listingOnly: undefined, optionsExclude: [{ text: s.upper }] }, mount);
      try {
        expect(again.unmet).toBe('mounts: options hold an excluded text');
        expect(mountsUnder(base)).toEqual([s.target]);
      } finally {
        closeAll(again.probes);
      }
    });
  }

  it('legacy: mount(2) with the data given, only when the expectations hold', async () => {
    const s = stack();
    const data = `lowerdir=${s.l0}:${s.l1},upperdir=${s.upper},workdir=${s.work}`;
    const mount = { legacy: { source: 'overlay', target: s.target, fstype: 'overlay', flags: 0, data, refuseReadonly: true } };
    fs.writeFileSync(path.join(s.work, 'foreign'), '');
    const refused = await native.examineAndMountAsync(s.paths, 3, 8, C.OVERLAYFS_SUPER_MAGIC, expectations, mount);
    closeAll(refused.probes);
    expect(refused.unmet).toBe('listing: a name not expected');
    expect(mountsUnder(base)).toEqual([]);
    expect(fs.readdirSync(s.work)).toEqual(['foreign']); // nothing touched it
    fs.rmSync(path.join(s.work, 'foreign'));
    const r = await native.examineAndMountAsync(s.paths, 3, 8, C.OVERLAYFS_SUPER_MAGIC, expectations, mount);
    expect(r.mounted.mountId).toBe(native.probePaths([s.target], false)[0].mountId);
    expect(fs.readdirSync(s.target).sort()).toEqual(['from-l0', 'from-l1']);
  });

  it('a mount the kernel refuses fails as fsmountPlan does: step, key, kernel messages; every fd closed, nothing mounted', async () => {
    const s = stack();
    const params = [
      { type: 'opened', key: 'lowerdir+', index: 0 }, { type: 'opened', key: 'upperdir', index: 2 }, { type: 'opened', key: 'workdir', index: 3 },
      { type: 'string', key: 'redirect_dir', value: 'nonsense' },
    ];
    const before = openFds();
    const e = await catchAsync(native.examineAndMountAsync(s.paths, 3, 8, C.OVERLAYFS_SUPER_MAGIC, expectations, { plan: { fstype: 'overlay', params, attrs: 0, target: s.target } }));
    expectNativeError(expect, e, { code: 'EINVAL', syscall: 'fsconfig', step: 'fsconfig', key: 'redirect_dir', paramIndex: 3 });
    expect(e.kernelMessages.join('\n')).toMatch(/redirect_dir/);
    expect(openFds()).toBe(before);
    expect(mountsUnder(base)).toEqual([]);
  });
});
