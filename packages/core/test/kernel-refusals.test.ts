/**
 * What happens when the kernel itself refuses (after the pre-flight checks passed): errors
 * in Node's format with the kernel's own words, silently read-only mounts caught, busy
 * targets explained — and nothing left mounted.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mountOverlay, mountOverlaySync, SystemError, unmount, unmountSync } from '../src/index.js';
import { describeMounting } from './support/privileged.js';
import { articleStack, makeBase, mountTable, writeTree } from './support/layers.js';
import { cleanupBase } from './support/cleanup.js';

let base: string;
let immutable: string | undefined;
beforeEach(() => {
  base = makeBase('ovl-refusal-');
});
afterEach(() => {
  if (immutable !== undefined) spawnSync('chattr', ['-i', immutable]);
  immutable = undefined;
  cleanupBase(base);
});

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describeMounting('kernel refusals', () => {
  it("an option value the kernel rejects: fsconfig 'key' with the fs_context log (new API)", async () => {
    const { lower, upper, work, merged } = articleStack(base);
    const before = mountTable();
    const e = (await failure(mountOverlay({ lower: [lower], upper, work, target: merged, options: { redirect_dir: 'sideways' as 'on' } }))) as SystemError;
    expect(e).toBeInstanceOf(SystemError);
    expect(e.message).toBe("EINVAL: invalid argument, fsconfig 'redirect_dir' 'sideways'");
    expect(e.kernelMessages).toContain("Bad value for 'redirect_dir'");
    expect(e.hint).toBe("The kernel says: Bad value for 'redirect_dir'");
    expect(mountTable()).toBe(before);
  });

  it('the same refusal through legacy mount(2) still carries the kernel log line', () => {
    const { lower, upper, work, merged } = articleStack(base);
    let e: unknown;
    try {
      mountOverlaySync({ lower: [lower], upper, work, target: merged, api: 'legacy', options: { redirect_dir: 'sideways' as 'on' } });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(SystemError);
    expect((e as SystemError).message).toBe(`EINVAL: invalid argument, mount '${merged}'`);
    expect((e as SystemError).kernelMessages.join('\n')).toMatch(/Bad value for 'redirect_dir'/);
  });

  for (const api of ['new', 'legacy'] as const) {
    it(`a mount the kernel makes read-only because the work dir is unusable is refused (${api})`, async () => {
      const { lower, upper, work, merged } = articleStack(base);
      const chattr = spawnSync('chattr', ['+i', work]);
      expect(chattr.status, `chattr +i failed: ${chattr.stderr}`).toBe(0);
      immutable = work;
      const before = mountTable();
      const e = await failure(mountOverlay({ lower: [lower], upper, work, target: merged, api }));
      // one shape on both APIs
      expect(e).toBeInstanceOf(SystemError);
      expect(e).toMatchObject({ code: 'EROFS', step: 'verify', syscall: api === 'new' ? 'fsmount' : 'mount', path: merged });
      expect((e as SystemError).message).toBe(`EROFS: read-only file system, ${api === 'new' ? 'fsmount' : 'mount'} '${merged}'`);
      expect((e as { hint: string }).hint).toContain(`work dir '${work}'`);
      expect((e as { hint: string }).hint).toMatch(/failed to create directory/);
      expect(mountTable()).toBe(before);
      expect(readdirSync(merged)).toEqual([]);
    });
  }

  it('a busy target gives EBUSY with a hint about detach; detach then works', async () => {
    const { lower, upper, work, merged } = articleStack(base);
    await mountOverlay({ lower: [lower], upper, work, target: merged });
    const fd = openSync(join(merged, 'lower.txt'), 'r');
    try {
      const e = (await failure(unmount(merged))) as SystemError;
      expect(e).toBeInstanceOf(SystemError);
      expect(e.message).toBe(`EBUSY: resource busy or locked, umount2 '${merged}'`);
      expect(e.hint).toMatch(/\{ detach: true \}/);
      expect(() => unmountSync(merged)).toThrow(expect.objectContaining({ code: 'EBUSY' }));
      await unmount(merged, { detach: true });
      expect(mountTable()).not.toContain(` ${merged} `);
    } finally {
      closeSync(fd);
    }
  });

  it('unmounting something that is not a mount point says so', async () => {
    const dir = writeTree(join(base, 'plain'), {});
    const e = (await failure(unmount(dir))) as SystemError;
    expect(e).toMatchObject({ code: 'EINVAL', syscall: 'umount2', path: dir });
    expect(e.hint).toMatch(/not a mount point/);
  });
});
