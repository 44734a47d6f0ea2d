/**
 * containers-storage's image store: overlay-images/images.json under images.lock (id, names,
 * top layer, created, big-data-names), and each image's config — a "big data" item kept in
 * overlay-images/<id>/<key as a file name>, keyed by the config's digest (sha256:<image id>).
 * The config's history names the command that made each layer: entries marked empty_layer
 * made none, so the others pair, in order, with rootfs.diff_ids — and so with the layers.
 */
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageInfo, ImageLayerInfo } from '../types.js';
import { corrupt, isMissing, storageError } from '../storage-errors.js';
import { idOf, readRecordFiles, readStoreFile, str, strings, underStoreLock } from './locked-json.js';
import { layerChain, overlayPath, type LayerIndex } from './layers.js';
import type { StoreLocation } from './storage-conf.js';

/** containers-storage's makeBigDataBaseName: a key of only [.0-9a-z] is its own name, any other is "=" + base64. */
export function bigDataFileName(key: string): string {
  return /^[.0-9a-z]*$/.test(key) ? key : `=${Buffer.from(key).toString('base64')}`;
}

interface HistoryEntry {
  created_by?: unknown;
  created?: unknown;
  empty_layer?: unknown;
}

/** createdBy/created per layer (bottom-most first), when the history accounts for every layer. */
export function historyPerLayer(config: { history?: unknown; rootfs?: { diff_ids?: unknown } }, layerCount: number): Array<{ createdBy?: string; created?: string }> | undefined {
  if (!Array.isArray(config.history)) return undefined;
  const made = (config.history as HistoryEntry[]).filter((h) => typeof h === 'object' && h !== null && h.empty_layer !== true);
  // A history that does not account for the layers one to one (some builders write none, or
  // squash) would pin commands on the wrong layers: then no layer gets one.
  if (made.length !== layerCount) return undefined;
  return made.map((h) => ({
    ...(typeof h.created_by === 'string' && { createdBy: h.created_by }),
    ...(typeof h.created === 'string' && { created: h.created }),
  }));
}

/** The image's config (the big data item keyed sha256:<id>), or undefined when it keeps none. */
async function readConfig(store: StoreLocation, id: string): Promise<Record<string, unknown> | undefined> {
  const file = join(store.graphroot, 'overlay-images', id, bigDataFileName(`sha256:${id}`));
  const text = await readStoreFile(file);
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw corrupt('podman', file, `the image config is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Bytes of regular files and symlinks under `dir`: a layer's size when the store records none. */
async function measure(dir: string): Promise<number> {
  let total = 0;
  try {
    for await (const e of await opendir(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory()) total += await measure(p);
      else if (e.isFile() || e.isSymbolicLink()) total += (await lstat(p)).size;
    }
  } catch (e) {
    if (!isMissing(e)) throw storageError('podman', dir, e);
  }
  return total;
}

/** Every image of the store, layers bottom-most first. */
export async function readImages(store: StoreLocation, layers: LayerIndex): Promise<ImageInfo[]> {
  const dir = join(store.graphroot, 'overlay-images');
  // The configs are read under the same hold of images.lock as images.json: a writer
  // changes both under its write lock.
  return underStoreLock(join(dir, 'images.lock'), async () => {
    const out: ImageInfo[] = [];
    for (const { file, records } of await readRecordFiles([join(dir, 'images.json')])) {
      out.push(...(await Promise.all(records.map((r) => imageOf(store, layers, file, r)))));
    }
    return out;
  });
}

async function imageOf(store: StoreLocation, layers: LayerIndex, file: string, r: Record<string, unknown>): Promise<ImageInfo> {
  const id = idOf(file, r);
  const top = r.layer === undefined || r.layer === '' ? undefined : idOf(file, r, 'layer');
  const chain = top === undefined ? [] : layerChain(layers, top, file);
  const history = historyPerLayer((await readConfig(store, id)) ?? {}, chain.length) ?? [];
  const imageLayers: ImageLayerInfo[] = await Promise.all(
    chain.map(async (l, i) => {
      const dir = overlayPath(store, l.id, 'diff');
      const h = history[i];
      const created = h?.created ?? l.created;
      return {
        id: l.id,
        dir,
        size: l.size ?? (await measure(dir)),
        ...(l.diffId !== undefined && { diffId: l.diffId }),
        ...(h?.createdBy !== undefined && { createdBy: h.createdBy }),
        ...(created !== undefined && { created }),
      };
    }),
  );
  const created = str(file, r, 'created');
  return {
    engine: 'podman',
    id,
    names: strings(file, r, 'names'),
    layers: imageLayers,
    size: imageLayers.reduce((n, l) => n + l.size, 0),
    ...(created !== undefined && { created }),
    storage: store.graphroot,
  };
}
