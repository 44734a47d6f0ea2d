/**
 * openOverlay: the overlay as data, from a mounted overlay's merged dir (its layers come
 * from the mount table) or from layer dirs alone (no mount, no root: a stopped
 * container's layers, layers copied from another machine).
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { OvlError } from '../errors.js';
import { overlayMountAt } from '../mount/mount-table.js';
import { overlayLayerPath, type OverlayMountInfo } from '../mount/mountinfo.js';
import { LayerStack } from './layer-stack.js';
import { LayerView } from './overlay-view.js';
import type { OverlaySource, OverlayView } from './types.js';

async function assertDir(path: string, role: string): Promise<string> {
  try {
    if (!(await stat(path)).isDirectory()) throw new OvlError('ERR_OVL_NOT_A_DIRECTORY', `ovl: ${role} '${path}' is not a directory`, { path, hint: 'Layers are directories.' });
  } catch (e) {
    if (e instanceof OvlError) throw e;
    throw new OvlError('ERR_OVL_PATH_MISSING', `ovl: ${role} '${path}' cannot be read (${(e as NodeJS.ErrnoException).code})`, { path, hint: `Check that '${path}' exists and is readable.` });
  }
  return resolve(path);
}

async function fromMount(merged: string): Promise<LayerStack> {
  const info = await overlayMountAt(merged);
  if (!info) {
    throw new OvlError('ERR_OVL_NOT_AN_OVERLAY', `ovl: '${merged}' is not the mount point of an overlay in this mount namespace`, {
      path: merged,
      hint: 'Pass the merged dir of a mounted overlay, or the layer dirs themselves: openOverlay({ lower, upper }).',
    });
  }
  return fromMountInfo(merged, info);
}

/** The layers of the overlay `info` describes, mounted on `merged`. */
async function fromMountInfo(merged: string, info: OverlayMountInfo): Promise<LayerStack> {
  // A relative path that does not lead to a dir here was resolved against the wrong base:
  // say so rather than show an empty overlay.
  const relative = (p: string): string => (isAbsolute(p) ? '' : ` (the mount table gives '${p}', relative to the dir the mount was made from)`);
  // The kernel followed symlinks when it mounted (podman's and Docker's lowerdir= name their
  // l/ short links): the layers are the dirs those lead to, as the engines' records name them.
  const layerDir = async (p: string, role: string): Promise<string> => realpath(await assertDir(overlayLayerPath(p, info), role));
  const lower = await Promise.all(info.lower.map((p, i) => layerDir(p, `lower[${i}]${relative(p)} of '${merged}'`)));
  const upper = info.upper === undefined ? undefined : await layerDir(info.upper, `upper${relative(info.upper)} of '${merged}'`);
  // 'off' only stops the kernel making redirects; it still follows them (redirect_always_follow).
  const redirect = info.options.redirect_dir;
  return new LayerStack(lower, upper, { userxattr: info.options.userxattr === true, followRedirects: redirect !== 'nofollow' });
}

/**
 * openOverlay(merged) for a caller that has just found the overlay mounted there
 * (overlayMountAt): the mount table is not read again.
 */
export async function openMountedOverlay(merged: string, info: OverlayMountInfo): Promise<OverlayView> {
  return new LayerView(await fromMountInfo(merged, info));
}

/**
 * The overlay as data. `source` is the merged dir of a mounted overlay, or its layers
 * (`lower` top-most first, optional `upper`, `userxattr` for user.overlay.* xattrs).
 * @throws OvlError ERR_OVL_NOT_AN_OVERLAY, ERR_OVL_PATH_MISSING, ERR_OVL_NOT_A_DIRECTORY, ERR_OVL_NO_LOWER.
 */
export async function openOverlay(source: OverlaySource): Promise<OverlayView> {
  if (typeof source === 'string') return new LayerView(await fromMount(source));
  if (source === null || typeof source !== 'object' || !Array.isArray(source.lower)) {
    throw new TypeError('openOverlay takes a merged dir path or { lower: string[], upper?: string, userxattr?: boolean }.');
  }
  if (source.lower.length === 0 && source.upper === undefined) {
    throw new OvlError('ERR_OVL_NO_LOWER', 'ovl: an overlay view needs at least one layer', { hint: 'Pass lower: [dir, ...] (top-most first) and optionally upper.' });
  }
  const lower = await Promise.all(source.lower.map((p, i) => assertDir(p, `lower[${i}]`)));
  const upper = source.upper === undefined ? undefined : await assertDir(source.upper, 'upper');
  // A mount's own spec (m.spec) carries userxattr among its options.
  const userxattr = source.userxattr === true || source.options?.userxattr === true;
  return new LayerView(new LayerStack(lower, upper, { userxattr, followRedirects: true }));
}
