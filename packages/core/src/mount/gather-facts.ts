/**
 * Facts about a spec's paths, gathered before the mount: every path opened once (O_PATH)
 * and described by one native call (statx + realpath), and a short listing of the work
 * dir — a few microseconds, on the hot path. The open fds are what gets mounted
 * (FSCONFIG_SET_FD), so the directory checked is the directory mounted. For a writable
 * overlay also the overlays mounted now, from the mount table: reading it is the price of
 * refusing a shared upper or work dir (50–60 µs per mount with 20 mounts, measured in a
 * mount/unmount cycle; allowInUse skips it).
 */
import { readFileSync } from 'node:fs';
import { binding, type PathProbe } from '../binding.js';
import { overlayMountsIn, type OverlayMountInfo } from './mountinfo.js';
import { probeList, type ProbeFacts } from './check-spec.js';
import { call, type Flow } from './effects.js';
import type { NormalizedSpec } from './spec.js';

/** Up to this many work-dir names are enough to tell "empty or reused" from "something else". */
const WORK_LISTING_LIMIT = 8;

/**
 * Examine the filesystem for a spec: every path opened once (O_PATH) and described, and a
 * short listing of the work dir. The caller must `releaseFacts` — the open fds are what
 * gets mounted, so the directory checked is the directory mounted.
 */
export function* gatherFacts(spec: NormalizedSpec): Flow<ProbeFacts> {
  const probes = yield* call('openPaths', probeList(spec).map((e) => e.path));
  let workEntries: string[] | undefined;
  if (spec.work !== undefined && probes[probes.length - 2]?.errno === 0) {
    try {
      workEntries = yield* call('listDir', spec.work, WORK_LISTING_LIMIT);
    } catch {
      workEntries = undefined; // not a readable dir: checkProbes reports why from the probe
    }
  }
  const liveOverlays = spec.upper !== undefined && !spec.allowInUse ? overlaysThatMayShare(spec, probes, readFileSync('/proc/self/mountinfo', 'utf8')) : [];
  return { probes, workEntries, liveOverlays };
}

/** Paths that show in mountinfo as they are: no byte the kernel or overlayfs escapes there. */
const PLAIN_PATH = /^[^\s\\,:=]*$/;

/**
 * The live overlays that could share this spec's upper or work dir, from the mount table's
 * text. Parsing it costs ~40 µs on a quiet machine, as much again as reading it, so it is
 * parsed only when it could matter: when the upper or work dir (as realpath) appears in it,
 * or some overlay names its upper dir relative to its home (containers/storage long stacks).
 */
function overlaysThatMayShare(spec: NormalizedSpec, probes: PathProbe[], text: string): OverlayMountInfo[] {
  const list = probeList(spec);
  const mine = ['upper', 'work'].map((role) => probes[list.findIndex((e) => e.role === role)]?.realpath);
  const mayMatch = mine.some((p) => p === undefined || !PLAIN_PATH.test(p) || text.includes(p)) || /upperdir=[^/]/.test(text);
  return mayMatch ? overlayMountsIn(text) : [];
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
