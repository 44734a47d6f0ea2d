/**
 * containers-storage's container store: overlay-containers/containers.json (+
 * volatile-containers.json there or under the run root) under containers.lock. Each record
 * names the container's own layer, whose overlay dirs are its rootfs: overlay/<layer>/diff
 * (upper), work, merged, and the `lower` file (the image's layers).
 */
import { join } from 'node:path';
import type { ContainerInfo } from '../types.js';
import { corrupt } from '../storage-errors.js';
import { idOf, readRecordsLocked, str, strings } from './locked-json.js';
import { LowerResolver, overlayPath, type LayerIndex } from './layers.js';
import type { StoreLocation } from './storage-conf.js';

export interface ContainerSources {
  layers: LayerIndex;
  /** Layer id → where podman mounted it (mountpoints.json). */
  mountpoints: Map<string, string>;
  /** Container id → libpod's state. */
  states: Map<string, string>;
  /** Mount points of the overlays in this process's mount namespace. */
  overlayTargets: Set<string>;
}

/** podman's per-container metadata: a JSON string inside the record. */
function metadataOf(file: string, id: string, raw: string | undefined): { 'image-name'?: unknown; name?: unknown } {
  if (raw === undefined || raw === '') return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return typeof v === 'object' && v !== null ? v : {};
  } catch {
    throw corrupt('podman', file, `the metadata of container ${id} is not JSON`);
  }
}

/** Every container of the store with its overlay dirs. */
export async function readContainers(store: StoreLocation, src: ContainerSources): Promise<ContainerInfo[]> {
  const dir = join(store.graphroot, 'overlay-containers');
  const files = [join(dir, 'containers.json'), join(dir, 'volatile-containers.json')];
  if (store.runroot !== undefined) files.push(join(store.runroot, 'overlay-containers', 'volatile-containers.json'));
  const lowers = new LowerResolver(store, src.layers);
  const read = await readRecordsLocked(join(dir, 'containers.lock'), files);
  const out: Array<Promise<ContainerInfo>> = [];
  for (const { file, records } of read) {
    for (const r of records) {
      const id = idOf(file, r);
      const layer = idOf(file, r, 'layer');
      const imageId = r.image === undefined || r.image === '' ? undefined : idOf(file, r, 'image');
      const meta = metadataOf(file, id, str(file, r, 'metadata'));
      const created = str(file, r, 'created');
      out.push(
        (async (): Promise<ContainerInfo> => {
          if (!src.layers.has(layer)) throw corrupt('podman', file, `container ${id}'s layer ${layer} is not in layers.json`);
          const lower = await lowers.lowerOf(layer);
          const merged = src.mountpoints.get(layer) ?? overlayPath(store, layer, 'merged');
          return {
            engine: 'podman',
            id,
            name: strings(file, r, 'names')[0] ?? (typeof meta.name === 'string' ? meta.name : id),
            image: typeof meta['image-name'] === 'string' && meta['image-name'] !== '' ? meta['image-name'] : (imageId ?? ''),
            ...(imageId !== undefined && { imageId }),
            state: src.states.get(id) ?? 'unknown',
            mounted: src.overlayTargets.has(merged),
            lower,
            upper: overlayPath(store, layer, 'diff'),
            work: overlayPath(store, layer, 'work'),
            merged,
            ...(store.rootless && { userxattr: true }),
            ...(created !== undefined && { created }),
            storage: store.graphroot,
          };
        })(),
      );
    }
  }
  return Promise.all(out);
}
