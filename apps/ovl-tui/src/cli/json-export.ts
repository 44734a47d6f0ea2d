/**
 * `ovl-tui --json`: the merged tree with provenance and the upper layer's changes, for
 * scripts and CI. Whiteout ghosts are included (type 'whiteout': what upper deleted).
 * A container's or an image's adds `subject` (engine, name, id, image, state); an image's
 * adds `imageLayers`: each layer with what it changed over the layers below it.
 */
import type { Change, HeaderInfo, ImageLayerRow, MergedEntry, OverlayService, Subject } from '../service/types.js';

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

export interface JsonExport {
  target: string;
  mode: HeaderInfo['mode'];
  subject?: Subject;
  layers: HeaderInfo['layers'];
  options: HeaderInfo['options'];
  entries: JsonEntry[];
  changes: Change[];
  imageLayers?: Array<ImageLayerRow & { changes: Change[] }>;
}

/** Everything below '/', dirs read a few at a time, sorted by path. */
export async function exportJson(service: OverlayService): Promise<JsonExport> {
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
  const image = service.image;
  let imageLayers: JsonExport['imageLayers'];
  if (image) {
    imageLayers = [];
    // One layer at a time: an image can have a hundred, each a tree to walk.
    for (const row of image.rows) imageLayers.push({ ...row, changes: await image.changes(row.index) });
  }
  return {
    target: h.target, mode: h.mode, ...(h.subject && { subject: h.subject }), layers: h.layers, options: h.options, entries, changes: await service.changes(),
    ...(imageLayers && { imageLayers }),
  };
}
