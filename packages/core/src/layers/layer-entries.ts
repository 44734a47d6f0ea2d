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

export type LayerEntry =
  | { kind: 'entry'; path: string; entry: MergedEntry }
  | { kind: 'opaque'; path: string }
  | { kind: 'whiteout'; path: string };

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARK = '.wh..wh..opq';

function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function byBytes(a: MergedEntry, b: MergedEntry): number {
  return Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));
}

/** Every entry the upper layer contributes, in tar order. (`whole`: inside a redirected dir, everything.) */
export async function upperLayerEntries(view: OverlayView, onDir?: (path: string) => void): Promise<LayerEntry[]> {
  const out: LayerEntry[] = [];
  const visit = async (dir: string, whole: boolean): Promise<void> => {
    onDir?.(dir);
    const entries = (await view.readdir(dir, { whiteouts: !whole })).sort(byBytes);
    for (const e of entries) {
      if (!whole && e.layer !== 'upper') continue;
      if (e.type === 'whiteout') {
        out.push({ kind: 'whiteout', path: join(dir, `${WHITEOUT_PREFIX}${e.name}`) });
        continue;
      }
      out.push({ kind: 'entry', path: e.path, entry: e });
      if (e.type !== 'dir') continue;
      const redirected = !whole && e.redirect !== undefined;
      if (!whole && (e.opaque || redirected)) out.push({ kind: 'opaque', path: join(e.path, OPAQUE_MARK) });
      await visit(e.path, whole || redirected);
    }
  };
  await visit('/', false);
  return out;
}
