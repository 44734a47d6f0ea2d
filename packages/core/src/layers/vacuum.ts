/**
 * vacuum: what an upper layer carries that changes nothing — copy-ups whose content and
 * metadata equal the lower version they shadow (a chmod to the same mode, a file written
 * back as it was), whiteouts that hide nothing, opaque marks on dirs with nothing below to
 * hide, and upper dirs left holding only such things. A report by default; with `apply`,
 * removed (only while no live overlay uses the upper), the merged view unchanged.
 *
 * Left alone: metacopy files (their data is below already: nothing to save), entries inside
 * a renamed (redirected) dir, and hard-linked files (removing one name would split the link
 * the merged view shows).
 */
import { binding } from '../binding.js';
import { publicError } from '../errors.js';
import { isOverlayXattr, overlayXattr } from '../format/overlay-xattrs.js';
import { openOverlay } from '../view/open.js';
import type { MergedEntry, OverlayView } from '../view/types.js';
import { assertNotMounted } from './in-use.js';
import { upperLayerEntries } from './layer-entries.js';
import type { CommitSource } from './commit.js';

export interface VacuumItem {
  path: string;
  /** copy-up: an upper entry equal to what it shadows; whiteout: hides nothing; opaque: a mark with nothing below; dir: an upper dir holding only such things. */
  kind: 'copy-up' | 'whiteout' | 'opaque' | 'dir';
  /** Bytes of content its removal saves (copy-up files). */
  bytes: number;
}

export interface VacuumReport {
  items: VacuumItem[];
  /** Bytes of content the items hold (what removing them frees, blocks aside). */
  bytes: number;
  /** Whether they were removed. */
  applied: boolean;
}

const CHUNK = 1 << 20;

/** Non-overlay xattrs of an entry, read beneath its layer, as comparable text. */
async function xattrsOf(view: OverlayView, e: MergedEntry): Promise<string> {
  const root = e.layer === 'upper' ? view.layers.upper! : view.layers.lower[e.layer]!;
  const rel = e.sourcePath === root ? '.' : e.sourcePath.slice(root.length + 1);
  const st = await binding().statBeneathAsync(root, rel);
  return st.xattrs
    .filter(([n]) => !isOverlayXattr(n))
    .map(([n, v]) => `${n}=${v.toString('hex')}`)
    .sort()
    .join(';');
}

async function sameContent(view: OverlayView, upper: MergedEntry, belowView: OverlayView, lower: MergedEntry): Promise<boolean> {
  for (let offset = 0; offset < upper.size; offset += CHUNK) {
    const length = Math.min(CHUNK, upper.size - offset);
    const [a, b] = await Promise.all([view.readFile(upper, { offset, length }), belowView.readFile(lower, { offset, length })]);
    if (!a.equals(b)) return false;
  }
  return true;
}

/** Whether the upper entry `u` shows exactly what `l` (the entry below it) would. */
async function equalToBelow(view: OverlayView, u: MergedEntry, below: OverlayView, l: MergedEntry | undefined): Promise<boolean> {
  if (l === undefined || l.type !== u.type || u.metacopy || u.redirect !== undefined || u.nlink > 1) return false;
  // Only what the merged view shows over something: under an opaque dir the lower version is hidden, and removing the upper one would remove the name.
  if (u.shadows.length === 0) return false;
  if (u.mode !== l.mode || u.uid !== l.uid || u.gid !== l.gid) return false;
  if (u.type !== 'dir' && (u.size !== l.size || u.mtimeMs !== l.mtimeMs)) return false;
  if ((await xattrsOf(view, u)) !== (await xattrsOf(below, l))) return false;
  if (u.type === 'symlink') return (await view.readFile(u)).equals(await below.readFile(l));
  if (u.type === 'file') return sameContent(view, u, below, l);
  return true;
}

const parentOf = (p: string): string => p.slice(0, Math.max(1, p.lastIndexOf('/')));

/** Find what the upper carries for nothing. */
async function survey(view: OverlayView, userxattr: boolean): Promise<VacuumItem[]> {
  const below = view.layers.lower.length > 0 ? await openOverlay({ lower: view.layers.lower, userxattr }) : undefined;
  const items = await upperLayerEntries(view);
  // Inside a renamed dir the upper's entries stand for a whole moved tree: left alone.
  const redirected = items.filter((i) => i.kind === 'entry' && i.entry.redirect !== undefined).map((i) => `${i.path}/`);
  const considered = items.filter((i) => !redirected.some((r) => i.path.startsWith(r)) && (i.kind !== 'entry' || i.entry.layer === 'upper'));
  const found = below ? await below.statMany(considered.map((i) => i.path)) : considered.map(() => undefined);
  const out: VacuumItem[] = [];
  const useless = new Set<string>();
  // Children before parents, so that a dir knows whether everything in it goes.
  const order = considered.map((item, i) => ({ item, lower: found[i] })).reverse();
  const keptUnder = new Set<string>();
  for (const { item, lower } of order) {
    let kind: VacuumItem['kind'] | undefined;
    let bytes = 0;
    if (item.kind === 'whiteout') kind = lower === undefined ? 'whiteout' : undefined;
    else if (item.kind === 'opaque') kind = lower?.type !== 'dir' || (below !== undefined && (await below.readdir(item.path)).length === 0) ? 'opaque' : undefined;
    else if (item.entry.type === 'dir') kind = !keptUnder.has(item.path) && !item.entry.opaque && below !== undefined && (await equalToBelow(view, item.entry, below, lower)) ? 'dir' : undefined;
    else if (below !== undefined && (await equalToBelow(view, item.entry, below, lower))) {
      kind = 'copy-up';
      bytes = item.entry.type === 'file' ? item.entry.size : 0;
    }
    // An opaque mark is not an entry: a dir whose mark goes may still go itself.
    if (kind === undefined && item.kind !== 'opaque') keptUnder.add(parentOf(item.path));
    if (kind === undefined) continue;
    if (kind === 'dir' && keptUnder.has(item.path)) continue;
    useless.add(item.path);
    out.push({ path: item.path, kind, bytes });
  }
  // A dir that goes takes its opaque mark with it: report the dir only.
  return out.filter((i) => !(i.kind === 'opaque' && out.some((d) => d.kind === 'dir' && d.path === i.path))).reverse();
}

/**
 * Report (and with `apply`, remove) what the upper layer of `source` carries for nothing.
 * @throws OvlError ERR_OVL_LAYER_IN_USE (apply while a live overlay uses the upper); SystemError.
 */
export async function vacuum(source: CommitSource, opts: { apply?: boolean } = {}): Promise<VacuumReport> {
  try {
    if (source === null || typeof source !== 'object' || typeof source.upper !== 'string' || !Array.isArray(source.lower)) {
      throw new TypeError('vacuum takes the layers of an overlay: { lower: string[], upper: string }.');
    }
    const userxattr = source.userxattr === true;
    const view = await openOverlay(source);
    const items = await survey(view, userxattr);
    const bytes = items.reduce((n, i) => n + i.bytes, 0);
    if (!opts.apply || items.length === 0) return { items, bytes, applied: false };
    await assertNotMounted([{ role: 'upper', path: view.layers.upper! }], 'vacuum');
    const opaque = overlayXattr('opaque', { userxattr });
    await binding().writeBeneathAsync(
      view.layers.upper!,
      [...items].reverse().map((i) => (i.kind === 'opaque' ? { kind: 'unsetxattrs' as const, rel: i.path.slice(1), xattrs: [[opaque, ''] as [string, string]] } : { kind: 'remove' as const, rel: i.path.slice(1) })),
    );
    return { items, bytes, applied: true };
  } catch (e) {
    throw publicError(e, vacuum);
  }
}
