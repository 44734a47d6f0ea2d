/** The live mount table: reads /proc/self/mountinfo (this process's mount namespace). */
import { readFileSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { overlayMountsIn, type OverlayMountInfo } from './mountinfo.js';

/** Every overlay mounted in this process's mount namespace, in table order. */
export async function listOverlayMounts(): Promise<OverlayMountInfo[]> {
  // Paths are shown as UTF-8 strings; bytes that are not valid UTF-8 come out as U+FFFD.
  // Read on this thread: procfs gives no size, so readFile takes a thread-pool round trip for
  // open, fstat, each 64 KiB chunk and close, each far dearer than the read itself (the kernel
  // writes the table as it is read; thousands of mounts are a few hundred KiB).
  return overlayMountsIn(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/**
 * The overlay mounted on `path` (the one in front when several are stacked there: the last
 * in the table), or undefined when no overlay is mounted on it. Symlinks in `path` are
 * resolved first, as the table holds real paths.
 */
export async function overlayMountAt(path: string): Promise<OverlayMountInfo | undefined> {
  const target = await realpath(path).catch(() => resolve(path));
  return (await listOverlayMounts()).filter((m) => m.target === target).at(-1);
}
