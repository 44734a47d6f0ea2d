/**
 * Facts about a spec's paths, gathered before the mount in one native call: every path
 * opened once (O_PATH) and described (statx + its canonical path), a short listing of the
 * work dir read through the fd just opened, and — for a writable overlay that does not
 * allowInUse — the overlays mounted now, the price of refusing a shared upper or work dir.
 * Those come from listmount/statmount (Linux 6.11+: one syscall per overlay and per mount
 * not seen before); older kernels read /proc/self/mountinfo, which formats every mount of
 * the namespace (50–100 µs with 20 mounts).
 * The open fds are what gets mounted (FSCONFIG_SET_FD), so the directory checked is the
 * directory mounted. The native call is examineAndMount (mount.ts), or examinePaths where no
 * expectations can stand in for the checks (mount-expectations.ts); this module says what to
 * examine and turns what was found into the facts checkProbes reads.
 */
import { readFileSync } from 'node:fs';
import { binding, type ExaminedPaths, type MountOfType } from '../binding.js';
import { supportsStatmountOptions } from './kernel-features.js';
import { overlayFromStatmount, overlayMountsIn, type OverlayMountInfo } from './mountinfo.js';
import { probeList, type ProbeFacts } from './check-spec.js';
import type { NormalizedSpec } from './spec.js';

/** Up to this many work-dir names are enough to tell "empty or reused" from "something else". */
const WORK_LISTING_LIMIT = 8;

/** What to examine for a spec: the arguments of examinePaths / examineAndMount. */
export interface Examination {
  /** Every layer, then the target (probeList). */
  list: Array<{ role: string; path: string }>;
  paths: string[];
  /** Index of the work dir in `paths` (listed), -1 when there is none. */
  workIndex: number;
  listMax: number;
  /** The live overlays matter (a writable spec that does not allowInUse). */
  wantOverlays: boolean;
  /** OVERLAYFS_SUPER_MAGIC when the addon can list the overlays with their options (6.11+); 0: read mountinfo. */
  magic: number;
}

export function examinationOf(spec: NormalizedSpec): Examination {
  const list = probeList(spec);
  const wantOverlays = spec.upper !== undefined && !spec.allowInUse;
  return {
    list,
    paths: list.map((e) => e.path),
    workIndex: list.findIndex((e) => e.role === 'work'),
    listMax: WORK_LISTING_LIMIT,
    wantOverlays,
    magic: wantOverlays && supportsStatmountOptions() ? (binding().constants.OVERLAYFS_SUPER_MAGIC ?? 0) : 0,
  };
}

/**
 * The facts checkProbes reads, from what examinePaths (or an examineAndMount that did not
 * mount) found. The caller must `releaseFacts`. `readMountinfo` is called only where the
 * addon could not list the overlays with their options.
 */
export function factsFrom(exam: Examination, found: ExaminedPaths, readMountinfo: () => string = () => readFileSync('/proc/self/mountinfo', 'utf8')): ProbeFacts {
  const { probes } = found;
  let liveOverlays: OverlayMountInfo[] = [];
  if (exam.wantOverlays) {
    const mine = ['upper', 'work'].map((role) => probes[exam.list.findIndex((e) => e.role === role)]?.realpath);
    // An overlay always shows its lowerdir: no options means the kernel could not say.
    const listed = found.mounts?.every((m) => m.options.length > 0) ? found.mounts : undefined;
    liveOverlays = listed !== undefined ? overlaysThatMayShare(mine, listed) : overlaysInMountinfoThatMayShare(mine, readMountinfo());
  }
  // No listing when the work dir could not be listed: checkProbes reports why from its probe.
  return { probes, workEntries: found.listing, liveOverlays };
}

/**
 * Paths that show in mount options as they are: no byte the kernel or overlayfs escapes there.
 * Nor U+FFFD or a surrogate: the addon compares bytes, this file decoded text, and only those
 * could make the two disagree (invalid bytes in options decode to U+FFFD).
 */
const PLAIN_PATH = /^[^\s\\,:=\uFFFD\uD800-\uDFFF]*$/;

/** A text in mount options; an occurrence followed by a char of `unlessNext` does not count. */
export interface OptionsNeedle {
  text: string;
  unlessNext?: string;
}

/**
 * What in an overlay's options text could name the upper or work dir (`mine`): either of
 * them as is, or some upper dir relative to its home (containers/storage long stacks:
 * `upperdir=` not followed by '/'). A dir whose name mount options would escape (or an
 * unknown one) could hide in any text: the empty needle, found everywhere. Parsing costs far
 * more than this look, so only what may matter is parsed. The same needles are what
 * examineAndMount must find in no live overlay's options before it mounts (mount-expectations.ts).
 */
export function sharingNeedles(mine: Array<string | undefined>): OptionsNeedle[] {
  return [...mine.map((p) => ({ text: p !== undefined && PLAIN_PATH.test(p) ? p : '' })), { text: 'upperdir=', unlessNext: '/' }];
}

/** Whether `text` holds the needle (a JS twin of the addon's comparison; the property test holds them together). */
function holds(text: string, n: OptionsNeedle): boolean {
  for (let at = text.indexOf(n.text); at !== -1; at = text.indexOf(n.text, at + 1)) {
    const next = text[at + n.text.length];
    if (next === undefined || !(n.unlessNext ?? '').includes(next)) return true;
  }
  return false;
}

function mayName(mine: Array<string | undefined>, text: string): boolean {
  return sharingNeedles(mine).some((n) => holds(text, n));
}

function overlaysThatMayShare(mine: Array<string | undefined>, mounts: MountOfType[]): OverlayMountInfo[] {
  return mounts.filter((m) => mayName(mine, m.options)).map(overlayFromStatmount);
}

function overlaysInMountinfoThatMayShare(mine: Array<string | undefined>, text: string): OverlayMountInfo[] {
  return mayName(mine, text) ? overlayMountsIn(text) : [];
}

/** Close the fds the examination opened. */
export function releaseFacts(facts: ProbeFacts): void {
  const b = binding();
  for (const p of facts.probes) if (p.fd !== undefined) b.close(p.fd);
}

/** The open fd of every layer, in layerPaths order (lower, data, upper, work). */
export function layerFds(facts: ProbeFacts): number[] {
  return facts.probes.slice(0, -1).map((p) => p.fd!);
}
