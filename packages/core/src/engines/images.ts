/**
 * listImages / openImage: an image's layers merged, and what each layer changed — the view
 * dive gives, from the engines' own layer dirs.
 */
import { publicError } from '../errors.js';
import { openOverlay } from '../view/open.js';
import type { OverlayView } from '../view/types.js';
import { readAllImages, withEngineChanges } from './registry.js';
import { pickByRef } from './refs.js';
import type { EngineOptions, ImageInfo, ImageView, OpenContainerOptions } from './types.js';

/** Every image of the engines found, layers bottom-most first. */
export async function listImages(opts?: EngineOptions): Promise<ImageInfo[]> {
  try {
    return await readAllImages(opts);
  } catch (e) {
    throw publicError(e, listImages);
  }
}

/** The image ref names (repo:tag with or without registry and :latest, a full id or a unique id prefix). */
export async function findImage(ref: string, opts?: OpenContainerOptions): Promise<ImageInfo> {
  try {
    return pickByRef(await readAllImages(opts), ref, 'image', opts?.engine);
  } catch (e) {
    throw publicError(e, findImage);
  }
}

/** The layer dirs at or below `index`, top-most first (lowerdir= order). */
function dirsUpTo(image: ImageInfo, index: number): string[] {
  return image.layers.slice(0, index + 1).map((l) => l.dir).reverse();
}

function checkIndex(image: ImageInfo, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= image.layers.length) {
    throw new RangeError(`layer index ${index} is out of range: image ${image.id.slice(0, 12)} has ${image.layers.length} layers (0 = base)`);
  }
}

/**
 * An image as an overlay view (every layer a lower, no upper), with each layer's own view
 * and changes. An image with no layers (scratch) is an error: there is nothing to show.
 * @throws OvlError ERR_OVL_IMAGE_NOT_FOUND, ERR_OVL_IMAGE_AMBIGUOUS, ERR_OVL_NO_LOWER.
 */
export async function openImage(ref: string, opts?: OpenContainerOptions): Promise<ImageView> {
  try {
    const image = await findImage(ref, opts);
    const merged = await openOverlay({ lower: dirsUpTo(image, image.layers.length - 1) });
    const layerView = async (index: number): Promise<OverlayView> => {
      checkIndex(image, index);
      return withEngineChanges(image.engine, await openOverlay({ lower: dirsUpTo(image, index - 1), upper: image.layers[index]!.dir }));
    };
    return Object.assign(merged, {
      image,
      layerView,
      layerChanges: async (index: number) => (await layerView(index)).changes({ ignore: [] }),
    });
  } catch (e) {
    throw publicError(e, openImage);
  }
}
