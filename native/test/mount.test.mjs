// Real overlay mounts. Runs only as root inside a private mount namespace, e.g.
//   unshare --mount --propagation private npx vitest run
// (the repo's scripts/in-private-mount-ns.sh does that for the whole test run).
// Set OVL_REQUIRE_PRIVILEGED=1 to make a missing privilege a failure instead of a skip.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  C, catchAsync, catchSync, expectNativeError, inPrivateMountNamespace, isRoot, makeTempDir,
  mountsUnder, native, removeTempDir,
} from './helpers.mjs';

const privileged = isRoot && inPrivateMountNamespace();
const required = process.env.OVL_REQUIRE_PRIVILEGED === '1';

if (!privileged && required) {
  throw new Error(`OVL_REQUIRE_PRIVILEGED=1 but this process cannot mount safely (root: ${isRoot}, private mount namespace: ${inPrivateMountNamespace()})`);
}

describe.runIf(privileged)('overlay mounts (root, private mount namespace)', () => {
  let dir;
  let lower1, lower2, upper, work, target;

  beforeEach(() => {
    dir = makeTempDir();
    [lower1, lower2, upper, work, target] = ['lower1', 'lower2', 'upper', 'work', 'target'].map((d) => {
      fs.mkdirSync(path.join(dir, d));
      return path.join(dir, d);
    });
    fs.writeFileSync(path.join(lower1, 'top.txt'), 'from lower1');
    fs.writeFileSync(path.join(lower2, 'bottom.txt'), 'from lower2');
    fs.writeFileSync(path.join(lower2, 'top.txt'), 'hidden by lower1');
    fs.writeFileSync(path.join(upper, 'upper.txt'), 'from upper');
  });

  afterEach(() => {
    // Innermost first; detach so a busy mount cannot survive the test.
    for (const mp of mountsUnder(dir).reverse()) {
      try {
        native.umount2(mp, C.MNT_DETACH);
      } catch {}
    }
    expect(mountsUnder(dir)).toEqual([]);
    removeTempDir(dir);
  });

  const layerParams = () => [
    { type: 'path', key: 'lowerdir+', value: lower1 },
    { type: 'path', key: 'lowerdir+', value: lower2 },
    { type: 'path', key: 'upperdir', value: upper },
    { type: 'path', key: 'workdir', value: work },
  ];

  function expectMerged() {
    expect(fs.readFileSync(path.join(target, 'top.txt'), 'utf8')).toBe('from lower1');
    expect(fs.readFileSync(path.join(target, 'bottom.txt'), 'utf8')).toBe('from lower2');
    expect(fs.readFileSync(path.join(target, 'upper.txt'), 'utf8')).toBe('from upper');
    expect(native.statfs(target).type).toBe(C.OVERLAYFS_SUPER_MAGIC);
  }

  it('fsmountPlan mounts with fd layers; refuseReadonly accepts a writable mount; it returns the mount\'s ids', () => {
    const ids = native.fsmountPlan({ fstype: 'overlay', params: layerParams(), attrs: 0, target, refuseReadonly: true });
    expect(mountsUnder(dir)).toEqual([target]);
    // the ids statx gives for the target now: the mount in front of it is the one just made
    const [probe] = native.probePaths([target], false);
    expect(ids).toEqual({ mountId: probe.mountId, uniqueMountId: probe.uniqueMountId });
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).toMatch(new RegExp(`^${ids.mountId} `, 'm'));
    expectMerged();
    fs.writeFileSync(path.join(target, 'new.txt'), 'written');
    expect(fs.readFileSync(path.join(upper, 'new.txt'), 'utf8')).toBe('written');
    native.umount2(target, 0);
    expect(mountsUnder(dir)).toEqual([]);
  });

  it('fsmountPlanAsync with flags, strings, a caller fd and MOUNT_ATTR_RDONLY', async () => {
    const workFd = fs.openSync(work, 'r');
    try {
      await native.fsmountPlanAsync({
        fstype: 'overlay',
        params: [
          ...layerParams().slice(0, 3),
          { type: 'fd', key: 'workdir', fd: workFd },
          { type: 'string', key: 'redirect_dir', value: 'nofollow' },
          { type: 'flag', key: 'userxattr' },
        ],
        attrs: C.MOUNT_ATTR_RDONLY | C.MOUNT_ATTR_NODEV,
        target,
        refuseReadonly: true,
      });
    } finally {
      fs.closeSync(workFd);
    }
    expectMerged();
    expect(native.statfs(target).flags & C.ST_RDONLY).toBe(C.ST_RDONLY);
    await native.umount2Async(target, 0);
    expect(mountsUnder(dir)).toEqual([]);
  });

  it('refuseReadonly rejects a mount that came up read-only and never attaches it', () => {
    // Without an upper layer overlayfs is read-only by nature.
    const e = catchSync(() => native.fsmountPlan({
      fstype: 'overlay', params: layerParams().slice(0, 2), attrs: 0, target, refuseReadonly: true,
    }));
    expectNativeError(expect, e, { errno: 30, code: 'EROFS', syscall: 'fstatvfs', step: 'verify' });
    expect(mountsUnder(dir)).toEqual([]);
  });

  it('a missing target fails at move_mount with the path', async () => {
    const missing = path.join(dir, 'no-target');
    const e = await catchAsync(native.fsmountPlanAsync({ fstype: 'overlay', params: layerParams(), attrs: 0, target: missing }));
    expectNativeError(expect, e, { code: 'ENOENT', syscall: 'move_mount', step: 'move_mount', path: missing });
    expect(mountsUnder(dir)).toEqual([]);
  });

  it('mount(2) with an option string, then umount2Async', async () => {
    const data = `lowerdir=${lower1}:${lower2},upperdir=${upper},workdir=${work}`;
    await native.mountAsync('overlay', target, 'overlay', 0, data);
    expectMerged();
    await native.umount2Async(target, 0);
    native.mount(Buffer.from('overlay'), Buffer.from(target), 'overlay', C.MS_RDONLY, Buffer.from(data));
    expect(native.statfs(target).flags & C.ST_RDONLY).toBe(C.ST_RDONLY);
    native.umount2(target, C.MNT_DETACH);
    expect(mountsUnder(dir)).toEqual([]);
  });

  it('mount(2) errors carry the target as path', () => {
    const e = catchSync(() => native.mount('overlay', target, 'overlay', 0, `lowerdir=${path.join(dir, 'nope')}`));
    expectNativeError(expect, e, { code: 'ENOENT', syscall: 'mount', path: target });
  });

  it('mountLegacy mounts, verifies and returns the ids of the mount now on the target; its async twin too', async () => {
    const data = `lowerdir=${lower1}:${lower2},upperdir=${upper},workdir=${work}`;
    const ids = native.mountLegacy('overlay', target, 'overlay', 0, data, true);
    const [probe] = native.probePaths([target], false);
    expect(ids).toEqual({ mountId: probe.mountId, uniqueMountId: probe.uniqueMountId });
    expectMerged();
    native.umount2(target, 0);
    const again = await native.mountLegacyAsync(Buffer.from('overlay'), Buffer.from(target), 'overlay', C.MS_RDONLY, Buffer.from(data), true);
    expect(again.uniqueMountId).toBeGreaterThan(ids.uniqueMountId); // a new mount: unique ids are never reused
    expect(native.statfs(target).flags & C.ST_RDONLY).toBe(C.ST_RDONLY); // asked for: not refused
    native.umount2(target, 0);
    expect(mountsUnder(dir)).toEqual([]);
  });

  it('mountLegacy with refuseReadonly undoes a mount that came up read-only: EROFS at step verify', async () => {
    // Without an upper layer overlayfs is read-only by nature.
    const data = `lowerdir=${lower1}:${lower2}`;
    const e = catchSync(() => native.mountLegacy('overlay', target, 'overlay', 0, data, true));
    expectNativeError(expect, e, { errno: 30, code: 'EROFS', syscall: 'mount', step: 'verify', path: target });
    expect(mountsUnder(dir)).toEqual([]);
    const e2 = await catchAsync(native.mountLegacyAsync('overlay', target, 'overlay', 0, data, true));
    expectNativeError(expect, e2, { code: 'EROFS', step: 'verify' });
    expect(mountsUnder(dir)).toEqual([]);
    // Not asked to refuse: the read-only overlay stays.
    native.mountLegacy('overlay', target, 'overlay', 0, data, false);
    expect(mountsUnder(dir)).toEqual([target]);
  });

  it('mountLegacy errors of mount(2) itself carry the target as path and no step', async () => {
    const e = await catchAsync(native.mountLegacyAsync('overlay', target, 'overlay', 0, `lowerdir=${path.join(dir, 'nope')}`, true));
    expectNativeError(expect, e, { code: 'ENOENT', syscall: 'mount', path: target });
    expect(e.step).toBeUndefined();
  });

  it('the raw new-mount-API calls compose into a mount', () => {
    const fsfd = native.fsopen('overlay', C.FSOPEN_CLOEXEC);
    let mfd = -1;
    try {
      native.fsconfig(fsfd, C.FSCONFIG_SET_STRING, 'lowerdir', `${lower1}:${lower2}`, 0);
      native.fsconfig(fsfd, C.FSCONFIG_SET_STRING, 'upperdir', upper, 0);
      native.fsconfig(fsfd, C.FSCONFIG_SET_STRING, 'workdir', work, 0);
      native.fsconfig(fsfd, C.FSCONFIG_CMD_CREATE, null, null, 0);
      mfd = native.fsmount(fsfd, C.FSMOUNT_CLOEXEC, C.MOUNT_ATTR_NOSUID);
      native.moveMount(mfd, '', C.AT_FDCWD, target, C.MOVE_MOUNT_F_EMPTY_PATH);
    } finally {
      if (mfd >= 0) native.close(mfd);
      native.close(fsfd);
    }
    expectMerged();
    expect(catchSync(() => native.umount2(lower1, 0)).code).toBe('EINVAL');
    native.umount2(target, 0);
  });
});
