/**
 * What tells that a store dir's entries may have changed: its dev, inode, link count, mtime and
 * ctime. Adding or removing an entry moves mtime and ctime; adding or removing a subdir also
 * moves the link count, which the clock cannot hide. Timestamps are taken from the kernel's
 * coarse clock (one tick, at most 10 ms, behind), so two changes within one tick can leave
 * them as they were: an identity is proof only once its ctime is well before the moment the
 * names were read (`settled`).
 */
import { statSync } from 'node:fs';
import { isMissing, storageError } from './storage-errors.js';
import type { EngineName } from './types.js';

export interface DirIdentity {
  key: string;
  ctimeNs: bigint;
}

/** `dir`'s identity; undefined when it is not there. */
export function dirIdentity(engine: EngineName, dir: string): DirIdentity | undefined {
  try {
    const st = statSync(dir, { bigint: true });
    return { key: `${st.dev}:${st.ino}:${st.nlink}:${st.mtimeNs}:${st.ctimeNs}`, ctimeNs: st.ctimeNs };
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw storageError(engine, dir, e);
  }
}

/**
 * A ctime 100 ms (ten ticks at HZ=100) before `atMs` (Date.now() taken before the stat):
 * no later change can leave it as it is. A ctime on a whole second is taken as from a file
 * system keeping seconds only (ext4 with 128-byte inodes; FAT keeps two): two seconds there.
 * The native readManyBeneath trusts its keys by the same rule.
 */
export function settled(ctimeNs: bigint, atMs: number): boolean {
  const marginMs = ctimeNs % 1_000_000_000n === 0n ? 2000 : 100;
  return Number(ctimeNs / 1_000_000n) + marginMs < atMs;
}
