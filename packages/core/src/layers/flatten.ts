/**
 * flatten: the merged view of an overlay as one plain dir tree — what `cp -a merged/ out/`
 * would give through a mount, made from the layer dirs (no mount, reads beneath each layer
 * root, hard links within a layer kept).
 */
import { publicError } from '../errors.js';
import { openOverlay } from '../view/open.js';
import { writeRecords, type DirWriteResult } from './dir-writer.js';
import { isView, type LayerSource } from './export-layer.js';
import { mergedTreeEntries } from './layer-entries.js';
import { layerRecords } from './layer-records.js';
import { emptyTargetDir } from './target-dir.js';

/**
 * Write the merged tree of `source` into `outDir` (made when missing; must be empty when there).
 * @throws OvlError ERR_OVL_NOT_EMPTY, ERR_OVL_CHANGED_WHILE_READING; SystemError.
 */
export async function flatten(source: LayerSource, outDir: string): Promise<DirWriteResult> {
  try {
    const view = isView(source) ? source : await openOverlay(source);
    await emptyTargetDir(outDir, 'the flatten target');
    return await writeRecords(layerRecords(view, await mergedTreeEntries(view)), outDir, { as: 'tree' });
  } catch (e) {
    throw publicError(e, flatten);
  }
}
