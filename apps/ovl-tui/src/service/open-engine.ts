/**
 * Sessions on a container or an image, by the engine's own name, id or unique id prefix.
 * A container whose rootfs is mounted here opens through its merged dir (the live panel
 * follows its writes, and writes go through the mount as for any attached overlay); any
 * other opens offline from its layer dirs, read-only. An image opens as its layers merged,
 * with a layer list whose entries open as that layer over the layers below it. Engine
 * storage is never written: image and offline container views are read-only.
 */
import { findContainer, openContainer, openImage, overlayMountAt, type EngineOptions, type ImageInfo, type ImageView } from '@ovl/core';
import { formatSize } from '../lib/format.js';
import { CoreService } from './core-service.js';
import { layersOf } from './layers-of.js';
import { containerSubject, imageName, imageSubject } from './subjects.js';
import type { EngineName, HeaderInfo, ImageLayers, OverlayService } from './types.js';

type Ref = { ref: string; engine?: EngineName };

/** Open a container's view. @throws OvlError ERR_OVL_CONTAINER_NOT_FOUND / _AMBIGUOUS / ERR_OVL_STORAGE_UNREADABLE from core. */
export async function openContainerSession(request: Ref, opts: EngineOptions): Promise<OverlayService> {
  const c = await findContainer(request.ref, { ...opts, ...(request.engine !== undefined && { engine: request.engine }) });
  const view = await openContainer(c.id, { ...opts, engine: c.engine });
  const info = c.mounted && c.merged !== undefined ? await overlayMountAt(c.merged) : undefined;
  const subject = containerSubject(c);
  const header: HeaderInfo = {
    target: info?.target ?? `${c.engine} container ${c.name}: offline view of its layer dirs (read-only)`,
    mode: 'container',
    layers: layersOf(view),
    options: info?.options ?? {},
    writable: info !== undefined && info.upper !== undefined && info.readonly !== true,
    canRevert: false,
    notes: [],
    subject,
  };
  return new CoreService({ view, header, ...(info !== undefined && { merged: info.target }), userxattr: c.userxattr === true });
}

function layerHeader(image: ImageInfo, view: ImageView, index: number, layerView: Awaited<ReturnType<ImageView['layerView']>>): HeaderInfo {
  const layer = image.layers[index]!;
  return {
    target: `${imageName(image)}  layer ${index} of ${image.layers.length - 1} (0 = base): what it added, changed and deleted`,
    mode: 'image',
    layers: layersOf(layerView),
    options: {},
    writable: false,
    canRevert: false,
    notes: [`  made by: ${layer.createdBy ?? '(not recorded)'}   ${formatSize(layer.size)}`],
    subject: imageSubject(view.image),
  };
}

/** Open an image's view (its layers merged) and its layer list. @throws OvlError ERR_OVL_IMAGE_NOT_FOUND / _AMBIGUOUS from core. */
export async function openImageSession(request: Ref, opts: EngineOptions): Promise<OverlayService> {
  const view = await openImage(request.ref, { ...opts, ...(request.engine !== undefined && { engine: request.engine }) });
  const image = view.image;
  const layers: ImageLayers = {
    rows: image.layers.map((l, index) => ({ index, id: l.id, size: l.size, ...(l.createdBy !== undefined && { createdBy: l.createdBy }), ...(l.created !== undefined && { created: l.created }) })),
    open: async (index) => {
      const lv = await view.layerView(index);
      return new CoreService({ view: lv, header: layerHeader(image, view, index, lv), unchanging: true });
    },
    changes: (index) => view.layerChanges(index),
  };
  const header: HeaderInfo = {
    target: `${imageName(image)}: all ${image.layers.length} layers merged (read-only)`,
    mode: 'image',
    layers: layersOf(view),
    options: {},
    writable: false,
    canRevert: false,
    notes: [],
    subject: imageSubject(image),
  };
  return new CoreService({ view, header, image: layers, unchanging: true });
}
