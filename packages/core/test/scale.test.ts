/**
 * Limits and load on the real kernel: 500 layers of 200-byte paths mount with the default
 * API; 64 concurrent mounts then unmounts leave the mount table exactly as it was.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { listOverlayMounts, mountOverlay, MAX_LOWER_LAYERS } from '../src/index.js';
import { describeMounting } from './support/privileged.js';
import { makeBase, mountTable, writeTree } from './support/layers.js';
import { cleanupBase } from './support/cleanup.js';

let base: string;
beforeEach(() => {
  base = makeBase('ovl-scale-');
});
afterEach(() => cleanupBase(base));

/** A layer dir whose absolute path is exactly `bytes` long. */
function layerOfLength(parent: string, i: number, bytes: number): string {
  const prefix = join(parent, `${String(i).padStart(3, '0')}-`);
  const p = prefix + 'x'.repeat(bytes - Buffer.byteLength(prefix));
  mkdirSync(p);
  writeFileSync(join(p, `file-${i}`), String(i));
  return p;
}

describeMounting('scale', () => {
  it('500 lower layers, each path 200 bytes, mount with the default API', async () => {
    const lower = Array.from({ length: MAX_LOWER_LAYERS }, (_, i) => layerOfLength(base, i, 200));
    expect(lower.every((p) => Buffer.byteLength(p) === 200)).toBe(true);
    const upper = writeTree(join(base, 'upper'), {});
    const work = writeTree(join(base, 'work'), {});
    const target = writeTree(join(base, 'merged'), {});
    const m = await mountOverlay({ lower, upper, work, target });
    expect(readdirSync(target)).toHaveLength(500);
    const [info] = (await listOverlayMounts()).filter((i) => i.target === target);
    expect(info!.lower).toEqual(lower);
    await m.unmount();
  });

  it('64 concurrent mountOverlay calls, then unmounts, leave the mount table as before', async () => {
    const before = mountTable();
    const fdsBefore = readdirSync('/proc/self/fd').length;
    const specs = Array.from({ length: 64 }, (_, i) => {
      const d = join(base, `m${i}`);
      return {
        lower: [writeTree(join(d, 'lower'), { [`only-in-${i}`]: String(i) })],
        upper: writeTree(join(d, 'upper'), {}),
        work: writeTree(join(d, 'work'), {}),
        target: writeTree(join(d, 'merged'), {}),
      };
    });
    const mounts = await Promise.all(specs.map((s) => mountOverlay(s)));
    const listed = new Set((await listOverlayMounts()).map((i) => i.target));
    specs.forEach((s, i) => {
      expect(listed.has(s.target)).toBe(true);
      expect(readdirSync(s.target)).toEqual([`only-in-${i}`]);
    });
    await Promise.all(mounts.map((m) => m.unmount()));
    expect(mountTable()).toBe(before);
    expect(readdirSync('/proc/self/fd').length).toBe(fdsBefore);
  });
});
