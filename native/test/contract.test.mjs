// The exports match index.d.ts: every declared function and constant exists.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { C, native } from './helpers.mjs';

const dts = fs.readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8');
const block = (name) => {
  const start = dts.indexOf(`export interface ${name} {`);
  return dts.slice(start, dts.indexOf('\n}', start));
};
const constantNames = [...block('Constants').matchAll(/readonly ([A-Z_]+): number/g)].map((m) => m[1]);
const functionNames = [...block('NativeBinding').matchAll(/^\s+([a-zA-Z0-9]+)\(/gm)].map((m) => m[1]);

describe('exports', () => {
  it('declares a sensible number of names (parser sanity)', () => {
    expect(constantNames.length).toBeGreaterThan(50);
    expect(functionNames.length).toBeGreaterThan(30);
  });

  it.each(functionNames)('%s is a function', (name) => {
    expect(typeof native[name]).toBe('function');
  });

  it('exports nothing undeclared besides constants', () => {
    const extra = Object.keys(native).filter((k) => k !== 'constants' && !functionNames.includes(k));
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
    });
  });
});
