/**
 * `ovl-tui --json`: the merged tree with provenance and the upper layer's changes, for
 * scripts and CI. Whiteout ghosts are included (type 'whiteout': what upper deleted).
 */
import type { HeaderInfo, MergedEntry, OverlayService } from '../service/types.js';

export interface JsonEntry {
  path: string;
  type: MergedEntry['type'];
  layer: MergedEntry['layer'];
  shadows: MergedEntry['shadows'];
  size: number;
  mode: string;
  copiedUp: boolean;
  opaque: boolean;
  metacopy: boolean;
  redirect?: string;
  sourcePath: string;
}

const toJson = (e: MergedEntry): JsonEntry => ({
  path: e.path,
  type: e.type,
  layer: e.layer,
  shadows: e.shadows,
  size: e.size,
  mode: (e.mode & 0o7777).toString(8).padStart(4, '0'),
  copiedUp: e.copiedUp,
  opaque: e.opaque,
  metacopy: e.metacopy,
  ...(e.redirect !== undefined && { redirect: e.redirect }),
  sourcePath: e.sourcePath,
});

/** Everything below '/', dirs read a few at a time, sorted by path. */
export async function exportJson(service: OverlayService): Promise<{ target: string; mode: HeaderInfo['mode']; layers: HeaderInfo['layers']; options: HeaderInfo['options']; entries: JsonEntry[]; changes: Array<{ path: string; kind: string }> }> {
  const h = service.describe();
  const entries: JsonEntry[] = [];
  const pending = ['/'];
  while (pending.length > 0) {
    const batch = pending.splice(0, 8);
    for (const list of await Promise.all(batch.map((p) => service.readdir(p)))) {
      for (const e of list) {
        entries.push(toJson(e));
        if (e.type === 'dir') pending.push(e.path);
      }
    }
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { target: h.target, mode: h.mode, layers: h.layers, options: h.options, entries, changes: await service.changes() };
}
