/**
 * Whether a layer dir is part of a live overlay in this mount namespace: commit and vacuum
 * change layers in place, which under a mounted overlay is undefined behaviour.
 */
import { realpath } from 'node:fs/promises';
import { OvlError } from '../errors.js';
import { listOverlayMounts } from '../mount/mount-table.js';
import { overlayLayerPath } from '../mount/mountinfo.js';

/** @throws OvlError ERR_OVL_LAYER_IN_USE naming the mount, for the first of `dirs` a live overlay uses. */
export async function assertNotMounted(dirs: ReadonlyArray<{ role: string; path: string }>, doing: string): Promise<void> {
  const mounts = await listOverlayMounts();
  for (const d of dirs) {
    const real = await realpath(d.path);
    for (const m of mounts) {
      const layers: Array<[string, string | undefined]> = [['upper', m.upper], ['work', m.work], ...m.lower.map((l, i): [string, string] => [`lower[${i}]`, l])];
      const hit = layers.find(([, p]) => p !== undefined && overlayLayerPath(p, m) === real);
      if (!hit) continue;
      throw new OvlError('ERR_OVL_LAYER_IN_USE', `ovl: cannot ${doing}: ${d.role} '${d.path}' is the ${hit[0]} dir of the overlay mounted on '${m.target}'`, {
        path: d.path,
        hint: `Unmount '${m.target}' first (changing the layers of a mounted overlay is undefined behaviour).`,
      });
    }
  }
}
