/**
 * containers-storage's layer store and the overlay driver's dirs:
 * - overlay-layers/layers.json (+ volatile-layers.json there or under the run root) under
 *   overlay-layers/layers.lock, held while the records that name layers are read (withLayers):
 *   id, parent, diff-digest, diff-size per layer;
 * - <runroot>/overlay-layers/mountpoints.json under mountpoints.lock: where podman mounted a layer;
 * - overlay/<id>/{diff,work,merged,lower} and overlay/l/<short> → ../<id>/diff: `lower` lists
 *   the short links of the layers below, top-most first, colon-separated (the order of
 *   lowerdir=); the base layer has none.
 */
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { corrupt, isMissing, storageError } from '../storage-errors.js';
import { idOf, readRecordFiles, readRecordsLocked, readStoreFile, str, underStoreLock } from './locked-json.js';
import type { StoreLocation } from './storage-conf.js';

export interface LayerRecord {
  id: string;
  parent?: string;
  diffId?: string;
  /** Uncompressed size, when recorded. */
  size?: number;
  created?: string;
}

export type LayerIndex = Map<string, LayerRecord>;

/** The layer store's lock: containers-storage takes it before the image and container stores' locks. */
function layersLock(store: StoreLocation): string {
  return join(store.graphroot, 'overlay-layers', 'layers.lock');
}

/**
 * Run `read` with every layer of the store by id, holding the layer store's read lock
 * throughout. containers-storage creates a container's layer and then its record, and
 * deletes both, with the layer lock held all along (and always takes it before the image
 * and container locks); so a reader that holds it while it reads containers.json or
 * images.json — taking those locks after it, in the same order — never sees a record whose
 * layer is not (yet, or any more) in layers.json, and cannot deadlock with a writer.
 */
export function withLayers<T>(store: StoreLocation, read: (index: LayerIndex) => Promise<T>): Promise<T> {
  return underStoreLock(layersLock(store), async () => read(await readLayerIndex(store)));
}

async function readLayerIndex(store: StoreLocation): Promise<LayerIndex> {
  const dir = join(store.graphroot, 'overlay-layers');
  const files = [join(dir, 'layers.json'), join(dir, 'volatile-layers.json')];
  if (store.runroot !== undefined) files.push(join(store.runroot, 'overlay-layers', 'volatile-layers.json'));
  const index: LayerIndex = new Map();
  for (const { file, records } of await readRecordFiles(files)) {
    for (const r of records) {
      const id = idOf(file, r);
      const parent = r.parent === undefined || r.parent === '' ? undefined : idOf(file, r, 'parent');
      const size = r['diff-size'];
      if (size !== undefined && (typeof size !== 'number' || !(size >= 0))) throw corrupt('podman', file, `'diff-size' of layer ${id} is not a size`);
      const diffId = str(file, r, 'diff-digest');
      const created = str(file, r, 'created');
      index.set(id, { id, ...(parent !== undefined && { parent }), ...(diffId && { diffId }), ...(size !== undefined && { size }), ...(created && { created }) });
    }
  }
  return index;
}

/** Layer id → the path podman mounted it on (mountpoints.json), when the run root is known. */
export async function readMountpoints(store: StoreLocation): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (store.runroot === undefined) return out;
  const dir = join(store.runroot, 'overlay-layers');
  for (const { file, records } of await readRecordsLocked(join(dir, 'mountpoints.lock'), [join(dir, 'mountpoints.json')])) {
    for (const r of records) {
      const path = str(file, r, 'path');
      if (path !== undefined && path !== '') out.set(idOf(file, r), path);
    }
  }
  return out;
}

/** A layer's ids from the bottom-most (base) up to `top`, through the parent links. */
export function layerChain(index: LayerIndex, top: string, file: string): LayerRecord[] {
  const chain: LayerRecord[] = [];
  const seen = new Set<string>();
  for (let id: string | undefined = top; id !== undefined; id = index.get(id)?.parent) {
    const layer = index.get(id);
    if (layer === undefined) throw corrupt('podman', file, `layer ${id} is named but not in layers.json`);
    if (seen.has(id)) throw corrupt('podman', file, `the parent links of layer ${top} loop`);
    seen.add(id);
    chain.push(layer);
  }
  return chain.reverse();
}

/** overlay/<id>/<name> of a store. */
export function overlayPath(store: StoreLocation, id: string, name: 'diff' | 'work' | 'merged' | 'lower' | 'link'): string {
  // Three paths per container of a listing: the store's part is joined (normalised) once.
  // `id` is 64 hex digits (idOf) and `name` a plain word, so plain concatenation is join's answer.
  let dir = overlayDirs.get(store.graphroot);
  if (dir === undefined) {
    if (overlayDirs.size >= 64) overlayDirs.clear(); // a machine has a few stores; tests make many
    overlayDirs.set(store.graphroot, (dir = join(store.graphroot, 'overlay')));
  }
  return `${dir}/${id}/${name}`;
}

/** graphroot → its overlay dir, joined. */
const overlayDirs = new Map<string, string>();

/**
 * Resolves the overlay driver's `lower` and `link` files. The driver writes a new layer's
 * `lower` as its parent's short link followed by the parent's own `lower` (getLower in
 * drivers/overlay), so a layer's lower dirs are found from its parent's two files — read once
 * per parent (an image's top layer, shared by every container made from it) instead of once
 * per container. The short links (overlay/l/<name>) are read once per store.
 */
export class LowerResolver {
  private readonly links = new Map<string, Promise<string>>();
  private readonly below = new Map<string, Promise<string[]>>();

  constructor(
    private readonly store: StoreLocation,
    private readonly layers: LayerIndex,
  ) {}

  /** Lower dirs of layer `id`, top-most first, absolute: its parent and the parent's lower dirs. */
  lowerOf(id: string): Promise<string[]> {
    const parent = this.layers.get(id)?.parent;
    if (parent === undefined) return Promise.resolve([]);
    let p = this.below.get(parent);
    if (p === undefined) {
      p = this.parentAndBelow(parent);
      this.below.set(parent, p);
    }
    return p;
  }

  private async parentAndBelow(parent: string): Promise<string[]> {
    const linkFile = overlayPath(this.store, parent, 'link');
    const lowerFile = overlayPath(this.store, parent, 'lower');
    const [link, lower] = await Promise.all([readStoreFile(linkFile), readStoreFile(lowerFile)]);
    // A layer with no link file (made by an old driver) is named by its diff dir.
    const self = link === undefined ? overlayPath(this.store, parent, 'diff') : await this.resolve(`l/${link.trim()}`, linkFile);
    if (self !== overlayPath(this.store, parent, 'diff')) throw corrupt('podman', linkFile, `the short link of layer ${parent} leads to ${self}, not to its diff dir`);
    const entries = lower === undefined || lower.trim() === '' ? [] : lower.trim().split(':');
    return [self, ...(await Promise.all(entries.map((entry) => this.resolve(entry, lowerFile))))];
  }

  private resolve(entry: string, file: string): Promise<string> {
    // An additional image store's layer is named by its absolute path.
    if (entry.startsWith('/')) return Promise.resolve(entry);
    if (!/^l\/[A-Za-z0-9]+$/.test(entry)) return Promise.reject(corrupt('podman', file, `'${entry}' is not a short link (l/NAME)`));
    let p = this.links.get(entry);
    if (p === undefined) {
      p = this.readLink(entry, file);
      this.links.set(entry, p);
    }
    return p;
  }

  private async readLink(entry: string, file: string): Promise<string> {
    const link = join(this.store.graphroot, 'overlay', entry);
    let target: string;
    try {
      // Synchronously, as the store's files are read (readStoreFile): one syscall, no thread hop.
      target = readlinkSync(link);
    } catch (e) {
      if (isMissing(e)) throw corrupt('podman', file, `its short link ${link} is missing`);
      throw storageError('podman', link, e);
    }
    const m = /^\.\.\/([0-9a-f]{64})\/diff$/.exec(target);
    if (m === null) throw corrupt('podman', link, `points to '${target}', not ../<layer id>/diff`);
    return overlayPath(this.store, m[1]!, 'diff');
  }
}
