// The exports match index.d.ts: every declared function and constant exists.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { C, native } from './helpers.mjs';

const dts = fs.readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8');
// An interface's body: from its line to the closing brace at the same indentation.
const block = (name) => {
  const match = new RegExp(`^( *)export interface ${name} \\{`, 'm').exec(dts);
  if (!match) throw new Error(`index.d.ts declares no interface ${name}`);
  return dts.slice(match.index, dts.indexOf(`\n${match[1]}}`, match.index));
};
const constantNames = [...block('Constants').matchAll(/readonly ([A-Z_]+): number/g)].map((m) => m[1]);
const functionNames = [...block('NativeBinding').matchAll(/^\s+([a-zA-Z0-9]+)\(/gm)].map((m) => m[1]);
// Classes are declared as `readonly Name: NameConstructor;`, their instances as `interface Name`.
const classNames = [...block('NativeBinding').matchAll(/^\s+readonly ([A-Z][a-zA-Z0-9]+): \1Constructor;/gm)].map((m) => m[1]);
const methodNames = (cls) => [...block(cls).matchAll(/^\s+([a-zA-Z0-9]+)\(/gm)].map((m) => m[1]);

describe('exports', () => {
  it('declares a sensible number of names (parser sanity)', () => {
    expect(constantNames.length).toBeGreaterThan(50);
    expect(functionNames.length).toBeGreaterThan(30);
    expect(classNames).toEqual(['InotifyWatcher']);
  });

  it.each(functionNames)('%s is a function', (name) => {
    expect(typeof native[name]).toBe('function');
  });

  it.each(classNames)('%s is a class with the declared methods', (name) => {
    expect(typeof native[name]).toBe('function');
    const methods = methodNames(name);
    expect(methods.length).toBeGreaterThan(0);
    for (const method of methods) expect(typeof native[name].prototype[method]).toBe('function');
  });

  it('exports nothing undeclared besides constants', () => {
    const declared = [...functionNames, ...classNames];
    const extra = Object.keys(native).filter((k) => k !== 'constants' && !declared.includes(k));
    expect(extra).toEqual([]);
  });
});

describe('constants', () => {
  it.each(constantNames)('%s is a number', (name) => {
    expect(typeof C[name]).toBe('number');
    expect(Number.isInteger(C[name])).toBe(true);
  });

  it('is frozen and has only integer values', () => {
    expect(Object.isFrozen(C)).toBe(true);
    for (const [, value] of Object.entries(C)) expect(Number.isInteger(value)).toBe(true);
  });

  it('has the kernel values', () => {
    expect(C).toMatchObject({
      MS_RDONLY: 1, MS_NOSUID: 2, MS_NODEV: 4, MS_NOEXEC: 8, MS_REMOUNT: 32, MS_BIND: 4096,
      MS_MOVE: 8192, MS_REC: 16384, MS_SILENT: 32768, MS_PRIVATE: 1 << 18, MS_SLAVE: 1 << 19,
      MS_SHARED: 1 << 20, MS_RELATIME: 1 << 21, MS_NOUSER: 2 ** 31, MS_MGC_VAL: 0xc0ed0000,
      MNT_FORCE: 1, MNT_DETACH: 2, MNT_EXPIRE: 4, UMOUNT_NOFOLLOW: 8,
      MOUNT_ATTR_RDONLY: 1, MOUNT_ATTR_NOSUID: 2, MOUNT_ATTR_NODEV: 4, MOUNT_ATTR_NOEXEC: 8,
      MOUNT_ATTR__ATIME: 0x70, MOUNT_ATTR_RELATIME: 0, MOUNT_ATTR_NOATIME: 0x10,
      MOUNT_ATTR_STRICTATIME: 0x20, MOUNT_ATTR_NODIRATIME: 0x80, MOUNT_ATTR_IDMAP: 0x100000,
      MOUNT_ATTR_NOSYMFOLLOW: 0x200000,
      FSOPEN_CLOEXEC: 1, FSMOUNT_CLOEXEC: 1,
      FSCONFIG_SET_FLAG: 0, FSCONFIG_SET_STRING: 1, FSCONFIG_SET_BINARY: 2, FSCONFIG_SET_PATH: 3,
      FSCONFIG_SET_PATH_EMPTY: 4, FSCONFIG_SET_FD: 5, FSCONFIG_CMD_CREATE: 6,
      FSCONFIG_CMD_RECONFIGURE: 7,
      MOVE_MOUNT_F_EMPTY_PATH: 4, AT_FDCWD: -100,
      S_IFMT: 0o170000, S_IFREG: 0o100000, S_IFDIR: 0o040000, S_IFLNK: 0o120000,
      S_IFCHR: 0o020000, S_IFBLK: 0o060000, S_IFIFO: 0o010000, S_IFSOCK: 0o140000,
      XATTR_CREATE: 1, XATTR_REPLACE: 2, ST_RDONLY: 1, OVERLAYFS_SUPER_MAGIC: 0x794c7630,
      SCAN_WHITEOUT_CHARDEV: 1, SCAN_XATTR_WHITEOUT: 2, SCAN_OPAQUE: 4, SCAN_OPAQUE_X: 8,
      SCAN_REDIRECT: 16, SCAN_METACOPY: 32, SCAN_HAS_XATTRS: 64, SCAN_FULL: 128,
      IN_ACCESS: 0x1, IN_MODIFY: 0x2, IN_ATTRIB: 0x4, IN_CLOSE_WRITE: 0x8, IN_CLOSE_NOWRITE: 0x10,
      IN_CLOSE: 0x18, IN_OPEN: 0x20, IN_MOVED_FROM: 0x40, IN_MOVED_TO: 0x80, IN_MOVE: 0xc0,
      IN_CREATE: 0x100, IN_DELETE: 0x200, IN_DELETE_SELF: 0x400, IN_MOVE_SELF: 0x800,
      IN_UNMOUNT: 0x2000, IN_Q_OVERFLOW: 0x4000, IN_IGNORED: 0x8000, IN_ONLYDIR: 0x1000000,
      IN_DONT_FOLLOW: 0x2000000, IN_EXCL_UNLINK: 0x4000000, IN_MASK_CREATE: 0x10000000,
      IN_MASK_ADD: 0x20000000, IN_ISDIR: 0x40000000, IN_ONESHOT: 2 ** 31, IN_ALL_EVENTS: 0xfff,
    });
  });
});
