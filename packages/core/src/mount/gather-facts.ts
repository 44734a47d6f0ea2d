/**
 * Facts about a spec's paths, gathered before the mount in one native call (one thread hop
 * when async): every path opened once (O_PATH) and described (statx + its canonical path),
 * a short listing of the work dir read through the fd just opened, and — for a writable
 * overlay that does not allowInUse — the overlays mounted now, the price of refusing a
 * shared upper or work dir. Those come from listmount/statmount (Linux 6.11+: one syscall
 * per overlay and per mount not seen before); older kernels read /proc/self/mountinfo,
 * which formats every mount of the namespace (50–100 µs with 20 mounts).
 * The open fds are what gets mounted (FSCONFIG_SET_FD), so the directory checked is the
 * directory mounted.
 */
import { readFileSync } from 'node:fs';
import { binding, type MountOfType } from '../binding.js';
import { supportsStatmountOptions } from './kernel-features.js';
import { overlayFromStatmount, overlayMountsIn, type OverlayMountInfo } from './mountinfo.js';
import { probeList, type ProbeFacts } from './check-spec.js';
import { call, type Flow } from './effects.js';
import type { NormalizedSpec } from './spec.js';

/** Up to this many work-dir names are enough to tell "empty or reused" from "something else". */
const WORK_LISTING_LIMIT = 8;

/**
 * Examine the filesystem for a spec. The caller must `releaseFacts` — the open fds are what
 * gets mounted, so the directory checked is the directory mounted.
 */
export function* gatherFacts(spec: NormalizedSpec): Flow<ProbeFacts> {
  const list = probeList(spec);
  const workIndex = list.findIndex((e) => e.role === 'work');
  const wantOverlays = spec.upper !== undefined && !spec.allowInUse;
  const magic = wantOverlays && supportsStatmountOptions() ? binding().constants.OVERLAYFS_SUPER_MAGIC : 0;
  const found = yield* call('examinePaths', list.map((e) => e.path), workIndex, WORK_LISTING_LIMIT, magic);
  const { probes } = found;
  let liveOverlays: OverlayMountInfo[] = [];
  if (wantOverlays) {
    const mine = ['upper', 'work'].map((role) => probes[list.findIndex((e) => e.role === role)]?.realpath);
    // An overlay always shows its lowerdir: no options means the kernel could not say.
    const listed = found.mounts?.every((m) => m.options.length > 0) ? found.mounts : undefined;
    liveOverlays = listed !== undefined ? overlaysThatMayShare(mine, listed) : overlaysInMountinfoThatMayShare(mine, readFileSync('/proc/self/mountinfo', 'utf8'));
  }
  // No listing when the work dir could not be listed: checkProbes reports why from its probe.
  return { probes, workEntries: found.listing, liveOverlays };
}

/** Paths that show in mount options as they are: no byte the kernel or overlayfs escapes there. */
const PLAIN_PATH = /^[^\s\\,:=]*$/;

/**
 * Whether options text (a mountinfo table, or one mount's options) could name the upper or
 * work dir: it names one of them as is, or names some upper dir relative to its home
 * (containers/storage long stacks). Parsing costs far more than this look, so only what may
 * matter is parsed.
 */
function mayName(mine: Array<string | undefined>, text: string): boolean {
  return mine.some((p) => p === undefined || !PLAIN_PATH.test(p) || text.includes(p)) || /upperdir=[^/]/.test(text);
}

function overlaysThatMayShare(mine: Array<string | undefined>, mounts: MountOfType[]): OverlayMountInfo[] {
  return mounts.filter((m) => mayName(mine, m.options)).map(overlayFromStatmount);
}

function overlaysInMountinfoThatMayShare(mine: Array<string | undefined>, text: string): OverlayMountInfo[] {
  return mayName(mine, text) ? overlayMountsIn(text) : [];
}

/** Close the fds gatherFacts opened. */
export function releaseFacts(facts: ProbeFacts): void {
  const b = binding();
  for (const p of facts.probes) if (p.fd !== undefined) b.close(p.fd);
}

/** The open fd of every layer, in layerPaths order (lower, data, upper, work). */
export function layerFds(facts: ProbeFacts): number[] {
  return facts.probes.slice(0, -1).map((p) => p.fd!);
}
