/**
 * What an overlay's upper layer holds, as the entries of an OCI layer: the rules that turn
 * overlay marks into image-spec marks. No I/O of its own: it asks the view.
 *
 * - a whiteout (either form) → `.wh.<name>`;
 * - an opaque dir → the dir, then `<dir>/.wh..wh..opq`;
 * - a redirected dir (renamed in the merged view: its content lives under another name in
 *   the layers below, which a tar cannot point to) → the dir as opaque with its whole
 *   merged content, from whichever layer holds each entry; whiteouts inside it say nothing
 *   an opaque dir does not already say, so none are written there;
 * - a metacopy file → the upper's metadata with the data layer's content (the view's
 *   dataPath; read by whoever writes the tar).
 * Depth first, each dir's names in byte order, a dir before its content and its opaque mark
 * before its children (an applier that empties the dir on the mark must not empty what this
 * layer puts there): the same layer gives the same list.
 */
import type { MergedEntry, OverlayView } from '../view/types.js';
import type { EntryFeed } from './entry-feed.js';

/** An entry the layer carries; a whiteout of `path` (the name it hides); the opaque mark of the dir `path`. */
export type LayerEntry =
  | { kind: 'entry'; path: string; entry: MergedEntry }
  | { kind: 'opaque'; path: string }
  | { kind: 'whiteout'; path: string };

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARK = '.wh..wh..opq';

function byBytes(a: MergedEntry, b: MergedEntry): number {
  return Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));
}

/** The entries under `root`, in tar order: what the upper contributes, or (`whole`) everything the merged view shows. */
async function collect(view: OverlayView, whole: boolean, onDir?: (path: string) => void, feed?: EntryFeed, from = '/'): Promise<LayerEntry[]> {
  const out: LayerEntry[] = feed?.items ?? [];
  const visit = async (dir: string, whole: boolean): Promise<void> => {
    onDir?.(dir);
    const entries = (await view.readdir(dir, { whiteouts: !whole })).sort(byBytes);
    for (const e of entries) {
      if (!whole && e.layer !== 'upper') continue;
      if (e.type === 'whiteout') {
        out.push({ kind: 'whiteout', path: e.path });
        continue;
      }
      out.push({ kind: 'entry', path: e.path, entry: e });
      if (e.type !== 'dir') continue;
      const redirected = !whole && e.redirect !== undefined;
      if (!whole && (e.opaque || redirected)) out.push({ kind: 'opaque', path: e.path });
      feed?.grew(); // what is in so far stays where it is: a reader may go on with it
      await visit(e.path, whole || redirected);
    }
    feed?.grew();
  };
  await visit(from, whole);
  return out;
}

/** Every entry the upper layer contributes, in tar order; with `feed`, appended to feed.items as found (the caller ends the feed). */
export function upperLayerEntries(view: OverlayView, onDir?: (path: string) => void, feed?: EntryFeed): Promise<LayerEntry[]> {
  return collect(view, false, onDir, feed);
}

/** Every entry of the merged view, in tar order (no whiteouts, no marks): a flattened tree. */
export function mergedTreeEntries(view: OverlayView): Promise<LayerEntry[]> {
  return collect(view, true);
}

/** Every entry of the merged view below the dir `dir` (not the dir itself), in tar order: what a redirected dir of an upper carries. */
export function mergedSubtreeEntries(view: OverlayView, dir: string): Promise<LayerEntry[]> {
  return collect(view, true, undefined, undefined, dir);
}
