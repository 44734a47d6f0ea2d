/** The live mount table: reads /proc/self/mountinfo (this process's mount namespace). */
import { readFile } from 'node:fs/promises';
import { overlayMountsIn, type OverlayMountInfo } from './mountinfo.js';

/** Every overlay mounted in this process's mount namespace, in table order. */
export async function listOverlayMounts(): Promise<OverlayMountInfo[]> {
  // Paths are shown as UTF-8 strings; bytes that are not valid UTF-8 come out as U+FFFD.
  return overlayMountsIn(await readFile('/proc/self/mountinfo', 'utf8'));
}
