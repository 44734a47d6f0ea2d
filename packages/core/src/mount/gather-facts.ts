/**
 * Facts about a spec's paths, gathered before the mount: every path opened once (O_PATH)
 * and described by one native call (statx + realpath), and a short listing of the work
 * dir — a few microseconds, on the hot path. The open fds are what gets mounted
 * (FSCONFIG_SET_FD), so the directory checked is the directory mounted. For a writable
 * overlay also the overlays mounted now (the mount table: 40–500 µs with 20–500 mounts,
 * the price of refusing a shared upper or work dir; allowInUse skips it).
 */
import { readFileSync } from 'node:fs';
import { binding } from '../binding.js';
import { overlayMountsIn } from './mountinfo.js';
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
  const liveOverlays = spec.upper !== undefined && !spec.allowInUse ? overlayMountsIn(readFileSync('/proc/self/mountinfo', 'utf8')) : [];
  return { probes, workEntries, liveOverlays };
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
