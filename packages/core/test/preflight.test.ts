/**
 * Every pre-flight refusal on real directories: the right code, a hint naming the path,
 * nothing mounted, no layer dir touched — through both the sync and the async entry point.
 */
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mountOverlay, mountOverlaySync, OvlError, sys, type OverlaySpec } from '../src/index.js';
import { describeMounting } from './support/privileged.js';
import { makeBase, mountTable, snapshotTree, writeTree } from './support/layers.js';
import { cleanupBase } from './support/cleanup.js';

let base: string;
let l1: string, l2: string, upper: string, work: string, target: string;

beforeEach(() => {
  base = makeBase('ovl-preflight-');
  l1 = writeTree(join(base, 'l1'), { 'a.txt': 'a', sub: { 'b.txt': 'b' } });
  l2 = writeTree(join(base, 'l2'), { 'c.txt': 'c' });
  upper = writeTree(join(base, 'upper'), { 'u.txt': 'u' });
  work = writeTree(join(base, 'work'), {});
  target = writeTree(join(base, 'merged'), {});
});
afterEach(() => cleanupBase(base));

/** Attempt the mount both ways; both must refuse with `code`, mount nothing and change nothing. */
async function expectRefused(spec: OverlaySpec, code: string, namedPath?: string): Promise<OvlError> {
  const before = { table: mountTable(), tree: snapshotTree(base), fds: readdirSync('/proc/self/fd').length };
  let syncErr: unknown;
  try {
    mountOverlaySync(spec);
  } catch (e) {
    syncErr = e;
  }
  const asyncErr = await mountOverlay(spec).then(
    () => undefined,
    (e: unknown) => e,
  );
  for (const err of [syncErr, asyncErr]) {
    expect(err).toBeInstanceOf(OvlError);
    expect((err as OvlError).code).toBe(code);
    expect((err as OvlError).hint).toBeTruthy();
    if (namedPath !== undefined) {
      expect((err as OvlError).path).toBe(namedPath);
      // Control bytes are shown escaped (JSON) rather than sent raw to a terminal.
      const shown = namedPath.includes('\0') ? JSON.stringify(namedPath) : namedPath;
      expect((err as OvlError).hint).toContain(shown);
    }
  }
  expect(mountTable()).toBe(before.table);
  expect(snapshotTree(base)).toBe(before.tree);
  // Every layer opened for the checks was closed again.
  expect(readdirSync('/proc/self/fd').length).toBe(before.fds);
  return syncErr as OvlError;
}

const writable = (over: Partial<OverlaySpec> = {}): OverlaySpec => ({ lower: [l1, l2], upper, work, target, ...over });

describeMounting('pre-flight checks refuse before any syscall', () => {
  it('a missing lower, upper or work dir', async () => {
    const missing = join(base, 'nope');
    await expectRefused(writable({ lower: [l1, missing] }), 'ERR_OVL_PATH_MISSING', missing);
    await expectRefused(writable({ upper: missing }), 'ERR_OVL_PATH_MISSING', missing);
    await expectRefused(writable({ work: missing }), 'ERR_OVL_PATH_MISSING', missing);
  });

  it('a layer or target that is not a directory', async () => {
    const file = join(l2, 'c.txt');
    await expectRefused(writable({ lower: [l1, file] }), 'ERR_OVL_NOT_A_DIRECTORY', file);
    await expectRefused(writable({ target: file }), 'ERR_OVL_NOT_A_DIRECTORY', file);
  });

  it('upper without work, work without upper', async () => {
    await expectRefused({ lower: [l1], upper, target }, 'ERR_OVL_UPPER_WITHOUT_WORK', upper);
    await expectRefused({ lower: [l1, l2], work, target }, 'ERR_OVL_WORK_WITHOUT_UPPER', work);
  });

  it('upper and work on different mounts', async () => {
    const other = join(base, 'tmpfs');
    mkdirSync(other);
    sys.mount('tmpfs', other, 'tmpfs', 0, 'size=1m');
    const foreignWork = join(other, 'work');
    mkdirSync(foreignWork);
    await expectRefused(writable({ work: foreignWork }), 'ERR_OVL_CROSS_MOUNT', foreignWork);
  });

  it('work inside upper, upper inside work', async () => {
    const inner = join(upper, 'work');
    mkdirSync(inner);
    await expectRefused(writable({ work: inner }), 'ERR_OVL_WORK_INSIDE_UPPER', inner);
    const upperInWork = join(base, 'w2', 'upper');
    const w2 = join(base, 'w2');
    mkdirSync(upperInWork, { recursive: true });
    await expectRefused(writable({ upper: upperInWork, work: w2 }), 'ERR_OVL_UPPER_INSIDE_WORK', upperInWork);
  });

  it('a layer that is also the target, even through a symlink', async () => {
    await expectRefused(writable({ target: l1 }), 'ERR_OVL_LAYER_IS_TARGET', l1);
    const alias = join(base, 'alias-of-l2');
    symlinkSync(l2, alias);
    await expectRefused(writable({ target: alias }), 'ERR_OVL_LAYER_IS_TARGET', l2);
  });

  it('the same dir twice, also under another name', async () => {
    await expectRefused(writable({ lower: [l1, l1] }), 'ERR_OVL_DUPLICATE_LAYER', l1);
    const alias = join(base, 'l1-link');
    symlinkSync(l1, alias);
    await expectRefused(writable({ lower: [l1, l2, alias] }), 'ERR_OVL_DUPLICATE_LAYER', alias);
    await expectRefused(writable({ lower: [upper] }), 'ERR_OVL_DUPLICATE_LAYER', upper);
  });

  it('nested layers, which the kernel refuses with a bare ELOOP', async () => {
    const nested = join(l1, 'sub');
    await expectRefused(writable({ lower: [l1, nested] }), 'ERR_OVL_LAYERS_OVERLAP', nested);
  });

  it('more than 500 layers, before touching any of them', async () => {
    const lower = Array.from({ length: 501 }, (_, i) => join(base, `never-created-${i}`));
    await expectRefused(writable({ lower }), 'ERR_OVL_TOO_MANY_LAYERS');
  });

  it('a NUL byte in any path', async () => {
    await expectRefused(writable({ lower: [`${l1}\0/etc`] }), 'ERR_OVL_NUL_BYTE', `${l1}\0/etc`);
    await expectRefused(writable({ target: `${target}\0x` }), 'ERR_OVL_NUL_BYTE', `${target}\0x`);
  });

  it('a missing target', async () => {
    const missing = join(base, 'no-such-mountpoint');
    await expectRefused(writable({ target: missing }), 'ERR_OVL_TARGET_MISSING', missing);
  });

  it('a work dir that holds other files, while a used work dir is reusable', async () => {
    writeFileSync(join(work, 'stray.txt'), 'x');
    await expectRefused(writable(), 'ERR_OVL_WORKDIR_NOT_EMPTY', work);
    const reused = join(base, 'work2');
    mkdirSync(join(reused, 'work'), { recursive: true });
    mkdirSync(join(reused, 'index'));
    const m = mountOverlaySync(writable({ work: reused }));
    m.unmountSync();
  });

  it('legacy option data longer than a page, which the kernel would cut silently', async () => {
    const longDir = writeTree(join(base, 'x'.repeat(200)), {});
    const lower = Array.from({ length: 25 }, (_, i) => writeTree(join(longDir, `layer-${i}`), {}));
    const spec = writable({ lower, api: 'legacy' });
    await expectRefused(spec, 'ERR_OVL_OPTIONS_TOO_LONG');
    // The same stack mounts through the new API, which sends each layer on its own.
    const m = await mountOverlay({ ...spec, api: 'new' });
    await m.unmount();
  });
});
