// Shared by the tests: the addon, temp dirs, and the privilege checks.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
export const native = require('../index.js');
/** The addon file index.js loads (build/Release, or build/Asan under OVL_NATIVE_BUILD=Asan). */
export const addonPath = require('../addon-path.js');
export const C = native.constants;

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

// Root-only tests skip elsewhere; in CI (OVL_REQUIRE_PRIVILEGED=1) a skip would hide them, so fail loudly.
if (!isRoot && process.env.OVL_REQUIRE_PRIVILEGED === '1') {
  throw new Error('OVL_REQUIRE_PRIVILEGED=1 but the tests are not running as root');
}

const nativeDir = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const fallbackTmp = path.join(nativeDir, 'test-tmp');

export function makeTempDir(base = os.tmpdir()) {
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, 'ovl-native-'));
}

export function removeTempDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
}

// tmpfs only gained user.* xattrs in Linux 6.6; fall back to a directory on the disk.
export function makeXattrTempDir() {
  const dir = makeTempDir();
  const probe = path.join(dir, 'probe');
  fs.writeFileSync(probe, '');
  try {
    native.lsetxattr(probe, 'user.ovl-probe', 'x', 0);
    fs.rmSync(probe);
    return dir;
  } catch (e) {
    if (e.code !== 'EOPNOTSUPP' && e.code !== 'ENOTSUP') throw e;
    removeTempDir(dir);
    return makeTempDir(fallbackTmp);
  }
}

/**
 * True inside the private mount namespace that scripts/in-private-mount-ns.sh made: it
 * records that namespace's id, so mounts made here cannot leak onto the machine.
 */
export function inPrivateMountNamespace() {
  const made = process.env.OVL_PRIVATE_MNT_NS;
  return Boolean(made) && fs.readlinkSync('/proc/self/ns/mnt') === made;
}

/** Mount points (field 5 of mountinfo) at or below `dir`. */
export function mountsUnder(dir) {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[4])
    .filter((mp) => mp === dir || mp.startsWith(dir + '/'));
}

/** Asserts a NativeError shape with vitest's expect. */
export function expectNativeError(expect, error, fields) {
  expect(error).toBeInstanceOf(Error);
  expect(error).toMatchObject(fields);
  expect(typeof error.errno).toBe('number');
  expect(error.errno).toBeGreaterThan(0);
  expect(typeof error.code).toBe('string');
  expect(typeof error.syscall).toBe('string');
  expect(Array.isArray(error.kernelMessages)).toBe(true);
}

export function catchSync(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}

export async function catchAsync(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}
