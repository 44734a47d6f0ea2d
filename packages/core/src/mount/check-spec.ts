/**
 * The verdict on a spec, from facts about its paths gathered before any mount syscall
 * (gather-facts.ts). The kernel refuses most bad specs with a bare EINVAL and writes the
 * reason only to its own log, so each case here gets its own code and a hint that names
 * the path. Pure: facts in, verdict out — every refusal is testable without root
 * (check-probes.test.ts).
 */
import { constants as osConstants } from 'node:os';
import type { PathProbe } from '../binding.js';
import { OvlError, SystemError } from '../errors.js';
import { isDirMode } from '../format/file-types.js';
import { overlayLayerPath, type OverlayMountInfo } from './mountinfo.js';
import { layerPaths, type NormalizedSpec } from './spec.js';

/** Names the kernel itself leaves in a work dir it has used (work/, index/, incompat/volatile). */
export const KERNEL_WORK_ENTRIES: readonly string[] = ['work', 'index', 'incompat'];
const REUSABLE_WORK_ENTRIES = new Set(KERNEL_WORK_ENTRIES);
const { ENOENT, EACCES } = osConstants.errno;

export interface ProbeFacts {
  /** In the order of probeList(spec). */
  probes: PathProbe[];
  /** A few names in the work dir (undefined when there is no work dir). */
  workEntries: string[] | undefined;
  /** The overlays mounted now (read only for a writable spec that does not allowInUse). */
  liveOverlays: OverlayMountInfo[];
}

/** The paths to examine, in a fixed order: every layer, then the target. */
export function probeList(spec: NormalizedSpec): Array<{ role: string; path: string }> {
  return [...layerPaths(spec), { role: 'target', path: spec.target }];
}

function isInside(child: string, parent: string): boolean {
  return parent === '/' ? child !== '/' : child.startsWith(`${parent}/`);
}

/** Throw the first problem found; order: existence, type, identity, placement, work contents. */
export function checkProbes(spec: NormalizedSpec, facts: ProbeFacts): void {
  const list = probeList(spec);
  const items = list.map((entry, i) => ({ ...entry, probe: facts.probes[i]! }));

  for (const { role, path, probe } of items) {
    if (probe.errno === 0) continue;
    if (probe.errno === ENOENT) {
      if (role === 'target') {
        throw new OvlError('ERR_OVL_TARGET_MISSING', `ovl: mount target '${path}' does not exist`, {
          path,
          hint: `Create the directory first (mkdir -p '${path}'): a mount point must exist.`,
        });
      }
      throw new OvlError('ERR_OVL_PATH_MISSING', `ovl: ${role} '${path}' does not exist`, {
        path,
        hint: `Every layer must be an existing directory; check the spelling of '${path}', or create it.`,
      });
    }
    throw new SystemError({
      errno: probe.errno,
      syscall: 'statx',
      path,
      hint: probe.errno === EACCES ? `ovl cannot look at ${role} '${path}': permission denied on it or a directory above it.` : `ovl cannot examine ${role} '${path}'.`,
    });
  }

  for (const { role, path, probe } of items) {
    if (!isDirMode(probe.mode ?? 0)) {
      throw new OvlError('ERR_OVL_NOT_A_DIRECTORY', `ovl: ${role} '${path}' is not a directory`, {
        path,
        hint: role === 'target' ? `'${path}' is a file or device: mount onto a directory.` : `Layers are directories, and '${path}' is not one: pass the directory that holds the files.`,
      });
    }
  }

  const identity = (p: PathProbe): string => `${p.devMajor}:${p.devMinor}:${p.ino}`;
  const targetItem = items[items.length - 1]!;
  const layers = items.slice(0, -1);
  const seen = new Map<string, { role: string; path: string }>();
  for (const item of layers) {
    const id = identity(item.probe);
    const earlier = seen.get(id);
    if (earlier) {
      throw new OvlError('ERR_OVL_DUPLICATE_LAYER', `ovl: ${item.role} '${item.path}' is the same directory as ${earlier.role} '${earlier.path}'`, {
        path: item.path,
        hint: `'${item.path}' and '${earlier.path}' name one directory (a symlink or a repeat): give each layer once.`,
      });
    }
    seen.set(id, item);
  }
  const asTarget = seen.get(identity(targetItem.probe));
  if (asTarget) {
    throw new OvlError('ERR_OVL_LAYER_IS_TARGET', `ovl: ${asTarget.role} '${asTarget.path}' is also the mount target`, {
      path: asTarget.path,
      hint: `Mounting onto '${asTarget.path}' would hide that layer from everyone else and from later mounts: mount onto a separate empty directory.`,
    });
  }

  const upper = items.find((i) => i.role === 'upper');
  const work = items.find((i) => i.role === 'work');
  if (upper && work) {
    if (upper.probe.mountId !== work.probe.mountId) {
      throw new OvlError('ERR_OVL_CROSS_MOUNT', `ovl: upper '${upper.path}' and work '${work.path}' are on different mounts`, {
        path: work.path,
        hint: `The kernel renames files from the work dir into the upper dir, which only works within one mount (a bind mount counts as another): put '${work.path}' beside '${upper.path}'.`,
      });
    }
  }
  const placement = placementProblem(layers.map(({ role, path, probe }) => ({ role, path, real: probe.realpath ?? path })));
  if (placement) throw placement;

  if (upper && work) checkNotInUse(upper, work, facts.liveOverlays);

  const extra = (facts.workEntries ?? []).filter((n) => !REUSABLE_WORK_ENTRIES.has(n));
  if (work && extra.length > 0) {
    throw new OvlError('ERR_OVL_WORKDIR_NOT_EMPTY', `ovl: work '${work.path}' holds '${extra[0]}', so it is neither empty nor a previous overlay work dir`, {
      path: work.path,
      hint: `Use an empty directory as the work dir: '${work.path}' holds other files (the kernel deletes what it finds in its work/ subdir at mount time).`,
    });
  }
}

/** A layer as placement sees it: its role, the path given, and the path it really is. */
export interface PlacedLayer {
  role: string;
  path: string;
  real: string;
}

/**
 * Where layers sit relative to each other, from their real paths alone: the work dir inside
 * the upper dir or the other way round, or any layer inside another. The error for the first
 * problem, or undefined. Pure: mount-expectations.ts asks it of the paths as given, up front.
 */
export function placementProblem(layers: PlacedLayer[]): OvlError | undefined {
  const upper = layers.find((l) => l.role === 'upper');
  const work = layers.find((l) => l.role === 'work');
  if (upper && work) {
    if (isInside(work.real, upper.real)) {
      return new OvlError('ERR_OVL_WORK_INSIDE_UPPER', `ovl: work '${work.path}' is inside upper '${upper.path}'`, {
        path: work.path,
        hint: `'${work.path}' must not be inside the upper dir (its temporary files would show in the overlay): use a sibling directory of '${upper.path}'.`,
      });
    }
    if (isInside(upper.real, work.real)) {
      return new OvlError('ERR_OVL_UPPER_INSIDE_WORK', `ovl: upper '${upper.path}' is inside work '${work.path}'`, {
        path: upper.path,
        hint: `The kernel clears the work dir at mount time: keep '${upper.path}' out of '${work.path}', as a sibling directory.`,
      });
    }
  }
  // The kernel refuses nested layers with ELOOP ("overlapping ... path") and says why only in
  // its log. Sorted with a trailing '/', a dir sorts right before the first path inside it,
  // so comparing neighbours finds any nesting in O(n log n) — 500 layers stay cheap.
  const byPath = layers.map((l) => ({ l, key: `${l.real}/`.replace(/\/\/$/, '/') })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (let i = 1; i < byPath.length; i++) {
    const outer = byPath[i - 1]!;
    const inner = byPath[i]!;
    if (inner.key.startsWith(outer.key)) {
      return new OvlError('ERR_OVL_LAYERS_OVERLAP', `ovl: ${inner.l.role} '${inner.l.path}' is inside ${outer.l.role} '${outer.l.path}'`, {
        path: inner.l.path,
        hint: `Layers must be separate directory trees: move '${inner.l.path}' out of '${outer.l.path}'.`,
      });
    }
  }
  return undefined;
}

/** Refuse an upper or work dir that a live overlay already uses as its upper or work dir. */
function checkNotInUse(upper: { path: string; probe: PathProbe }, work: { path: string; probe: PathProbe }, live: OverlayMountInfo[]): void {
  for (const mine of [{ role: 'upper', ...upper }, { role: 'work', ...work }]) {
    const real = mine.probe.realpath ?? mine.path;
    for (const m of live) {
      const theirs = [['upper', m.upper], ['work', m.work]].find(([, p]) => p !== undefined && overlayLayerPath(p, m) === real);
      if (!theirs) continue;
      throw new OvlError('ERR_OVL_LAYER_IN_USE', `ovl: ${mine.role} '${mine.path}' is the ${theirs[0]} dir of the overlay mounted on '${m.target}' (mount id ${m.mountId})`, {
        path: mine.path,
        hint: `Two live overlays sharing an upper or work dir is undefined behaviour (the kernel only warns in its log): give this mount its own, unmount '${m.target}' first, or pass allowInUse: true if you know what you are doing.`,
      });
    }
  }
}
