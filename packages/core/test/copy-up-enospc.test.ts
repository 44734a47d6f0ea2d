/**
 * An upper layer on a tiny tmpfs (1 MiB) that fills during a copy-up: a write of one byte to
 * a 4 MiB lower file through merged fails with ENOSPC, explainWriteFailure turns that into a
 * SystemError whose hint names the full upper and the size of the copy-up, and nothing is
 * lost: the lower file is intact, merged still shows it whole, and no half-copied file is
 * left in upper or in the work dir.
 */
import { appendFileSync, chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { explainWriteFailure, mountOverlay, openOverlay, SystemError, sys } from '../src/index.js';
import { describeMounting } from './support/privileged.js';
import { makeBase, writeTree } from './support/layers.js';
import { cleanupBase } from './support/cleanup.js';

let base: string;
beforeEach(() => {
  base = makeBase('ovl-enospc-');
});
afterEach(() => cleanupBase(base));

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describeMounting('copy-up into a full upper layer', () => {
  it('fails with ENOSPC explained by a hint, and loses nothing', async () => {
    const big = randomBytes(4 << 20);
    const lower = writeTree(join(base, 'lower'), { d: { 'small.txt': 'small\n' } });
    writeFileSync(join(lower, 'd', 'big.bin'), big);
    const small = join(base, 'small');
    mkdirSync(small);
    sys.mount('tmpfs', small, 'tmpfs', 0, 'size=1m');
    const upper = writeTree(join(small, 'upper'), {});
    const work = writeTree(join(small, 'work'), {});
    const merged = writeTree(join(base, 'merged'), {});
    const m = await mountOverlay({ lower: [lower], upper, work, target: merged });
    try {
      const target = join(merged, 'd', 'big.bin');
      const raw = thrown(() => appendFileSync(target, 'x'));
      expect(raw).toMatchObject({ code: 'ENOSPC' });
      const e = await explainWriteFailure(raw, target);
      expect(e).toBeInstanceOf(SystemError);
      expect(e).toMatchObject({ code: 'ENOSPC', errno: -28, path: target });
      expect((e as SystemError).message).toMatch(/^ENOSPC: no space left on device, (open|write) '/);
      expect((e as SystemError).hint).toContain(`No room in the upper layer: '${upper}' has`);
      expect((e as SystemError).hint).toContain(`writing to '/d/big.bin' first copies the whole file (4.0 MiB) up from lower layer 0`);
      console.log(`enospc: ${(e as SystemError).message}\n  hint: ${(e as SystemError).hint}`);

      // A rename and a chmod copy up too, and fail the same way.
      expect(thrown(() => renameSync(target, join(merged, 'd', 'moved.bin')))).toMatchObject({ code: 'ENOSPC' });
      expect(thrown(() => chmodSync(target, 0o600))).toMatchObject({ code: 'ENOSPC' });

      // Nothing lost, nothing half-visible.
      expect(readFileSync(join(lower, 'd', 'big.bin')).equals(big)).toBe(true);
      expect(readFileSync(target).equals(big)).toBe(true);
      expect(readdirSync(join(merged, 'd')).sort()).toEqual(['big.bin', 'small.txt']);
      expect(readdirSync(join(upper, 'd'))).toEqual([]); // the parent dir was copied up, the file was not
      expect(readdirSync(join(work, 'work'))).toEqual([]);
      const view = await openOverlay(merged);
      expect(await view.stat('/d/big.bin')).toMatchObject({ layer: 0, size: big.length, copiedUp: false });
      expect(await view.changes()).toEqual([{ path: '/d', kind: 'C' }]); // the dir, as podman diff says it

      // The small file still copies up: the overlay keeps working.
      appendFileSync(join(merged, 'd', 'small.txt'), 'more\n');
      expect(readFileSync(join(upper, 'd', 'small.txt'), 'utf8')).toBe('small\nmore\n');

      // Other errors, and paths outside an overlay, pass through unchanged.
      const other = Object.assign(new Error('EACCES'), { code: 'EACCES' });
      expect(await explainWriteFailure(other, target)).toBe(other);
      const outside = Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
      expect(await explainWriteFailure(outside, join(base, 'elsewhere'))).toBe(outside);
    } finally {
      await m.unmount();
    }
  });
});
