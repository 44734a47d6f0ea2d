/**
 * commit: fold an overlay's upper layer into a new layer dir, or into its top lower — with
 * any number of lowers, redirects (written out whole), metacopy files (their data copied in)
 * and hard links kept. Only on a stack no live overlay uses (in this mount namespace).
 *
 * - into 'new-layer': `dir` becomes a self-contained overlay layer holding the upper's
 *   changes; the stack [dir, ...lower] shows what [upper over lower] showed.
 * - into 'top-lower': the changes are written into lower[0] itself: a whiteout deletes what
 *   it hid there and stays (as a 0/0 char device) only where a layer further down still holds
 *   the name; an opaque dir is emptied and keeps its mark only where one further down holds
 *   a dir. The upper is read first (through a layer tar next to lower[0]) because the
 *   changes' content may live in lower[0] itself (a renamed dir, a metacopy file's data).
 * The upper is left as it was unless `clearUpper` (then emptied): over the new stack it shows
 * the same tree either way.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { binding } from '../binding.js';
import { OvlError, publicError } from '../errors.js';
import { openOverlay } from '../view/open.js';
import type { OverlayView } from '../view/types.js';
import { applyLayerTo, type FoldMarks } from './apply-layer.js';
import { writeRecords } from './dir-writer.js';
import { exportLayer } from './export-layer.js';
import { assertNotMounted } from './in-use.js';
import { upperLayerEntries, type LayerEntry } from './layer-entries.js';
import { layerRecords } from './layer-records.js';
import { emptyTargetDir } from './target-dir.js';

export interface CommitSource {
  lower: string[];
  upper: string;
  userxattr?: boolean;
}

export type CommitOptions = ({ into: 'new-layer'; dir: string } | { into: 'top-lower' }) & {
  /** Empty the upper once its changes are in the new place. Default false. */
  clearUpper?: boolean;
};

export interface CommitResult {
  /** The stack's lowers now, top-most first. */
  lower: string[];
  upper: string;
  /** Marks written (whiteouts, opaque dirs) and entries. */
  entries: number;
}

const relKey = (path: string): string => Buffer.from(path.slice(1)).toString('latin1');

/**
 * The marks that must stay in lower[0] to keep hiding what the layers further down hold: the
 * upper's whiteouts and opaque dirs where something is still below, and — the case the upper
 * carries no mark for — an upper dir that stood over a non-dir or a whiteout in lower[0]:
 * the kernel stops there, so once that dir is folded into lower[0] it must be opaque to
 * keep a dir further down from merging in.
 */
async function marksNeededBelow(items: LayerEntry[], top: string, below: OverlayView | undefined, userxattr: boolean): Promise<FoldMarks> {
  const whiteouts = new Set<string>();
  const opaque = new Set<string>();
  if (below === undefined) return { whiteouts, opaque };
  const marks = items.filter((i) => i.kind !== 'entry');
  const dirs = items.filter((i) => i.kind === 'entry' && i.entry.type === 'dir' && !marks.some((m) => m.kind === 'opaque' && m.path === i.path));
  const inTop = await (await openOverlay({ lower: [top], userxattr })).statMany(dirs.map((d) => d.path), { whiteouts: true });
  const stopped = dirs.filter((_, i) => inTop[i] !== undefined && inTop[i]!.type !== 'dir');
  const candidates = [...marks, ...stopped.map((d) => ({ kind: 'opaque' as const, path: d.path }))];
  const found = await below.statMany(candidates.map((m) => m.path));
  candidates.forEach((m, i) => {
    const there = found[i];
    if (m.kind === 'whiteout' && there !== undefined) whiteouts.add(relKey(m.path));
    if (m.kind === 'opaque' && there?.type === 'dir') opaque.add(relKey(m.path));
  });
  return { whiteouts, opaque };
}

/**
 * @throws OvlError ERR_OVL_LAYER_IN_USE (a live overlay uses the upper or the lower written to), ERR_OVL_NOT_EMPTY, ERR_OVL_NO_LOWER; SystemError.
 */
export async function commit(source: CommitSource, opts: CommitOptions): Promise<CommitResult> {
  try {
    if (source === null || typeof source !== 'object' || typeof source.upper !== 'string' || !Array.isArray(source.lower)) {
      throw new TypeError('commit takes the layers of an unmounted overlay: { lower: string[], upper: string }.');
    }
    if (opts?.into !== 'new-layer' && opts?.into !== 'top-lower') throw new TypeError("commit needs { into: 'new-layer', dir } or { into: 'top-lower' }.");
    const view = await openOverlay(source);
    const top = view.layers.lower[0];
    if (opts.into === 'top-lower' && top === undefined) throw new OvlError('ERR_OVL_NO_LOWER', 'ovl: there is no lower layer to commit into', { hint: "Use into: 'new-layer'." });
    await assertNotMounted([{ role: 'upper', path: view.layers.upper! }, ...(opts.into === 'top-lower' ? [{ role: 'lower[0]', path: top! }] : [])], 'commit');
    const items = await upperLayerEntries(view);
    let lower: string[];
    let entries: number;
    if (opts.into === 'new-layer') {
      await emptyTargetDir(opts.dir, 'the new layer dir');
      const opaqueDirs = new Set(items.filter((i) => i.kind === 'opaque').map((i) => i.path));
      entries = (await writeRecords(layerRecords(view, items), opts.dir, { as: 'layer', userxattr: source.userxattr === true, opaqueDirs })).entries;
      lower = [opts.dir, ...view.layers.lower];
    } else {
      const below = view.layers.lower.length > 1 ? await openOverlay({ lower: view.layers.lower.slice(1), userxattr: source.userxattr === true }) : undefined;
      const fold = await marksNeededBelow(items, top!, below, source.userxattr === true);
      const tar = join(dirname(top!), `.ovl-commit-${randomBytes(6).toString('hex')}.tar`);
      try {
        await exportLayer(view, tar);
        entries = (await applyLayerTo(tar, top!, { as: 'layer', devices: 'create', xattrs: 'all', keepSetid: true, userxattr: source.userxattr === true }, fold)).entries;
      } finally {
        await rm(tar, { force: true });
      }
      lower = view.layers.lower;
    }
    if (opts.clearUpper) await binding().writeBeneathAsync(view.layers.upper!, [{ kind: 'empty', rel: '.' }]);
    return { lower, upper: view.layers.upper!, entries };
  } catch (e) {
    throw publicError(e, commit);
  }
}
