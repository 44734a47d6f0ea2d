/**
 * The addon's argument checks as a property (fast-check): the read-only raw calls (`sys`: the
 * addon through the guarded binding) given anything at all — wrong types, strings and Buffers
 * with NUL bytes, negative, fractional, huge and non-finite numbers, odd option objects, real
 * paths to a file, a dir, a FIFO, a symlink — return, or fail with a TypeError or a
 * SystemError (or OvlError), sync and async, and never crash the process. Under
 * `npm run test:asan` this drives args.cc and every call's Parse with ASan and UBSan watching.
 * Calls that change the system (mount, xattr and tree writes, close of an fd, fsconfig) are
 * left out, and openReadLocked never waits (a lock someone holds would block the case).
 * Seeds and replay: support/property.ts.
 */
import { closeSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sys } from '../src/index.js';
import { isPublicError } from '../src/errors.js';
import { makeBase, removeBase } from './support/layers.js';
import { propertyParams } from './support/property.js';

let base: string;
beforeAll(() => {
  base = makeBase('ovl-test-hardening-sanitizers-args-');
  mkdirSync(join(base, 'dir'));
  writeFileSync(join(base, 'dir', 'file'), 'content');
  symlinkSync('/etc/passwd', join(base, 'dir', 'link'));
  expect(spawnSync('mkfifo', [join(base, 'dir', 'fifo')]).status).toBe(0);
});
afterAll(() => removeBase(base));

const pathLike = () =>
  fc.oneof(
    fc.constantFrom('/', '/proc/self', '/dev/null', '', '.', '/nonexistent', 'dir', 'file', 'fifo', 'link', '../dir', '/proc/self/fd/0', 'proc/kcore', 'proc/self/mem'),
    fc.constantFrom('dir', 'dir/file', 'dir/fifo', 'dir/link', 'dir/..', 'dir/../../..').map((p) => join(base, p)),
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }).map((s) => `${base}/${s}`),
    fc.string({ maxLength: 10 }).map((s) => `${base}\0${s}`),
    fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b)),
  );
const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 63), Number.NaN, Infinity, -Infinity, 0.5),
  fc.bigInt(),
);
const anything = fc.oneof(fc.anything(), number, pathLike(), fc.array(pathLike(), { maxLength: 4 }));
const scanOptions = fc.oneof(
  anything,
  fc.record(
    { xattrPrefix: fc.oneof(fc.constantFrom('user.overlay.', 'trusted.overlay.', ''), fc.string()), stat: anything, sorted: anything, cascade: anything, xattrs: anything },
    { requiredKeys: [] },
  ),
);

/** Facts as examinePaths gives them, every field sometimes of another type or missing. */
const examinedFacts = fc.record(
  {
    probes: fc.array(
      fc.record({ errno: fc.oneof(fc.constant(0), number), mode: number, devMajor: number, devMinor: number, ino: fc.oneof(fc.bigInt(), number), mountId: number, realpath: pathLike() }, { requiredKeys: [] }),
      { maxLength: 4 },
    ),
    listing: fc.oneof(fc.array(pathLike(), { maxLength: 4 }), anything),
    mounts: fc.oneof(fc.array(fc.record({ options: fc.oneof(fc.string(), anything) }, { requiredKeys: [] }), { maxLength: 3 }), anything),
    mountsErrno: number,
  },
  { requiredKeys: [] },
);
/** What checkExpectations (and examineAndMount) is told to expect. */
const mountExpectations = fc.record(
  {
    fileType: number, canonical: fc.oneof(fc.boolean(), anything), distinct: fc.oneof(fc.boolean(), anything),
    sameMount: fc.oneof(fc.array(fc.tuple(number, number), { maxLength: 3 }), anything),
    listingOnly: fc.oneof(fc.array(pathLike(), { maxLength: 3 }), anything),
    optionsExclude: fc.oneof(fc.array(fc.record({ text: pathLike(), unlessNext: fc.oneof(fc.string(), anything) }, { requiredKeys: [] }), { maxLength: 3 }), anything),
  },
  { requiredKeys: [] },
);

/** Each call with arbitraries for its arguments (plus the chance of any value in each place). */
const calls: Record<string, fc.Arbitrary<unknown>[]> = {
  lgetxattr: [pathLike(), fc.string()],
  llistxattr: [pathLike()],
  probePaths: [fc.array(pathLike(), { maxLength: 4 }), fc.boolean()],
  openPaths: [fc.array(pathLike(), { maxLength: 4 })],
  listDir: [pathLike(), number],
  readBeneath: [pathLike(), pathLike(), number, number, fc.boolean()],
  statBeneath: [pathLike(), pathLike()],
  statManyBeneath: [pathLike(), fc.array(pathLike(), { maxLength: 4 }), number],
  readManyBeneath: [pathLike(), fc.array(pathLike(), { maxLength: 4 }), number],
  openReadLocked: [pathLike(), fc.constantFrom('record', 'flock', 'other'), fc.constant(false)],
  statfs: [pathLike()],
  scanDir: [pathLike(), scanOptions],
  scanNames: [pathLike(), fc.array(pathLike(), { maxLength: 4 }), scanOptions],
  scanDirs: [fc.array(pathLike(), { maxLength: 4 }), scanOptions],
  scanNamesMany: [fc.array(pathLike(), { maxLength: 3 }), fc.array(fc.array(pathLike(), { maxLength: 3 }), { maxLength: 3 }), scanOptions],
  fsopen: [fc.oneof(fc.constantFrom('overlay', 'tmpfs', 'nonexistent-fs', ''), fc.string()), number],
  checkExpectations: [fc.array(pathLike(), { maxLength: 4 }), examinedFacts, mountExpectations],
};

/** Closes whatever fds a successful call handed back (openPaths' O_PATH fds, fsopen's context). */
function closeReturnedFds(result: unknown): void {
  const fds = typeof result === 'number' ? [result] : Array.isArray(result) ? result.map((p: { fd?: number }) => p?.fd) : [];
  for (const fd of fds) if (typeof fd === 'number' && fd > 2) closeSync(fd);
}

const expectPublic = (e: unknown) => {
  if (!isPublicError(e)) throw new Error(`not a public error: ${String(e)}`, { cause: e });
};

describe('raw calls given any arguments (property)', () => {
  for (const [name, argArbs] of Object.entries(calls)) {
    const args = fc.tuple(...argArbs.map((a) => fc.oneof({ weight: 4, arbitrary: a }, { weight: 1, arbitrary: anything })));
    const anyArgs = fc.oneof({ weight: 6, arbitrary: args }, { weight: 1, arbitrary: fc.array(anything, { maxLength: 6 }) });
    const argLists = name === 'openReadLocked' ? anyArgs.map((list) => [...list.slice(0, 2), false]) : anyArgs;
    it(`${name} and ${name}Async return or throw a TypeError or SystemError`, async () => {
      const call = (sys as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
      const callAsync = (sys as unknown as Record<string, (...a: unknown[]) => unknown>)[`${name}Async`];
      await fc.assert(
        fc.asyncProperty(argLists, async (list) => {
          try {
            closeReturnedFds(call(...list));
          } catch (e) {
            expectPublic(e);
          }
          if (callAsync === undefined) return;
          try {
            closeReturnedFds(await callAsync(...list));
          } catch (e) {
            expectPublic(e);
          }
        }),
        propertyParams(`sys.${name} arguments`, 150),
      );
    });
  }
});
