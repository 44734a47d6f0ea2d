/**
 * Whiteouts and opaque dirs made in layer dirs with @ovl/core, checked on disk and then
 * through a real mount: the kernel must hide what they say is gone.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createWhiteout, isOpaque, isWhiteout, mountOverlay, setOpaque, SystemError, sys } from '../src/index.js';
import { describeMounting, describeRoot } from './support/privileged.js';
import { makeBase, writeTree } from './support/layers.js';
import { cleanupBase } from './support/cleanup.js';

let base: string;
beforeEach(() => {
  base = makeBase('ovl-whiteout-');
});
afterEach(() => cleanupBase(base));

describeRoot('whiteouts and opaque dirs on disk', () => {
  it('createWhiteout makes a 0/0 character device that isWhiteout recognises', async () => {
    const p = join(base, 'gone.txt');
    await createWhiteout(p);
    const st = lstatSync(p);
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.rdev).toBe(0);
    expect(await isWhiteout(p)).toBe(true);
  });

  it('isWhiteout knows the 6.7+ xattr form and refuses look-alikes', async () => {
    const xw = join(base, 'xattr-whiteout');
    writeFileSync(xw, '');
    sys.lsetxattr(xw, 'trusted.overlay.whiteout', '', 0);
    expect(await isWhiteout(xw)).toBe(true);
    const userForm = join(base, 'user-whiteout');
    writeFileSync(userForm, '');
    sys.lsetxattr(userForm, 'user.overlay.whiteout', '', 0);
    // the namespace the overlay reads, as the view and isOpaque do: user.* only with userxattr
    expect(await isWhiteout(userForm, { userxattr: true })).toBe(true);
    expect(await isWhiteout(userForm)).toBe(false);
    expect(await isWhiteout(xw, { userxattr: true })).toBe(false);
    const plainEmpty = join(base, 'empty');
    writeFileSync(plainEmpty, '');
    expect(await isWhiteout(plainEmpty)).toBe(false);
    const nonEmpty = join(base, 'non-empty');
    writeFileSync(nonEmpty, 'x');
    sys.lsetxattr(nonEmpty, 'trusted.overlay.whiteout', '', 0);
    expect(await isWhiteout(nonEmpty)).toBe(false);
    const otherDev = join(base, 'null-like');
    sys.mknod(otherDev, sys.constants.S_IFCHR | 0o600, 1, 3);
    expect(await isWhiteout(otherDev)).toBe(false);
    expect(await isWhiteout(join(base, 'missing'))).toBe(false);
  });

  it("setOpaque writes overlay.opaque='y' in the chosen namespace; isOpaque reads exactly 'y'", async () => {
    const d = join(base, 'dir');
    mkdirSync(d);
    expect(await isOpaque(d)).toBe(false);
    await setOpaque(d);
    expect(sys.lgetxattr(d, 'trusted.overlay.opaque').toString()).toBe('y');
    expect(await isOpaque(d)).toBe(true);
    expect(await isOpaque(d, { userxattr: true })).toBe(false);
    const u = join(base, 'userdir');
    mkdirSync(u);
    await setOpaque(u, { userxattr: true });
    expect(await isOpaque(u, { userxattr: true })).toBe(true);
    const x = join(base, 'x-marked');
    mkdirSync(x);
    sys.lsetxattr(x, 'trusted.overlay.opaque', 'x', 0);
    expect(await isOpaque(x)).toBe(false);
  });

  it('errors name the path and the syscall', async () => {
    const p = join(base, 'exists');
    writeFileSync(p, 'x');
    await expect(createWhiteout(p)).rejects.toMatchObject({ code: 'EEXIST', syscall: 'mknod', path: p });
    await expect(setOpaque(join(base, 'nope'))).rejects.toBeInstanceOf(SystemError);
  });
});

describeMounting('the kernel honours them', () => {
  it('a whiteout hides a lower file and an opaque dir hides a lower dir', async () => {
    const lower = writeTree(join(base, 'lower'), { 'hide-me.txt': 'x', 'keep.txt': 'k', dir: { 'old.txt': 'o' } });
    const upper = writeTree(join(base, 'upper'), { dir: { 'new.txt': 'n' } });
    const work = writeTree(join(base, 'work'), {});
    const merged = writeTree(join(base, 'merged'), {});
    await createWhiteout(join(upper, 'hide-me.txt'));
    await setOpaque(join(upper, 'dir'));
    const m = await mountOverlay({ lower: [lower], upper, work, target: merged });
    expect(readdirSync(merged).sort()).toEqual(['dir', 'keep.txt']);
    expect(readdirSync(join(merged, 'dir'))).toEqual(['new.txt']);
    expect(existsSync(join(merged, 'hide-me.txt'))).toBe(false);
    await m.unmount();
  });
});
