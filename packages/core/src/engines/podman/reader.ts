/**
 * The podman reader: containers and images of every containers-storage store found
 * (storage-conf.ts) or given in `roots`, overlay driver only, read from the store's own
 * files under the store's own read locks, with state from libpod's database. A store that
 * is not there gives nothing; one that is there but cannot be read throws
 * ERR_OVL_STORAGE_UNREADABLE naming it.
 */
import { stat } from 'node:fs/promises';
import { listOverlayMounts } from '../../mount/mount-table.js';
import { isMissing, storageError } from '../storage-errors.js';
import type { ContainerInfo, EngineReader, ImageInfo } from '../types.js';
import { readContainers } from './containers.js';
import { readImages } from './images.js';
import { readMountpoints, withLayers } from './layers.js';
import { readLibpodState } from './state.js';
import { defaultStores, type StoreLocation } from './storage-conf.js';

/** The store at `graphroot` if it is there (its owner tells rootless from rootful); undefined when absent. */
async function present(store: StoreLocation): Promise<StoreLocation | undefined> {
  try {
    const st = await stat(store.graphroot);
    return st.isDirectory() ? store : undefined;
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw storageError('podman', store.graphroot, e);
  }
}

/** The stores to read: `roots` as graph roots (their run roots from libpod's db), else the machine's. */
async function storesFor(roots: readonly string[] | undefined): Promise<StoreLocation[]> {
  const wanted = roots === undefined ? defaultStores() : await Promise.all(roots.map(async (graphroot) => ({ graphroot, rootless: await ownedByUser(graphroot) })));
  return (await Promise.all(wanted.map(present))).filter((s) => s !== undefined);
}

async function ownedByUser(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).uid !== 0;
  } catch {
    return false;
  }
}

async function containersOf(store: StoreLocation, overlayTargets: Set<string>, states: boolean): Promise<ContainerInfo[]> {
  const state = await readLibpodState(store.graphroot, states);
  // libpod records the run root it used with this store; storage.conf's is the fallback.
  const located: StoreLocation = { ...store, ...(state.runroot !== undefined && { runroot: state.runroot }) };
  const mountpoints = await readMountpoints(located);
  return withLayers(located, (layers) => readContainers(located, { layers, mountpoints, states: state.states, overlayTargets }));
}

function imagesOf(store: StoreLocation): Promise<ImageInfo[]> {
  return withLayers(store, (layers) => readImages(store, layers));
}

export const podmanReader: EngineReader = {
  engine: 'podman',
  async containers(roots, opts) {
    const stores = await storesFor(roots);
    if (stores.length === 0) return [];
    const targets = new Set((await listOverlayMounts()).map((m) => m.target));
    return (await Promise.all(stores.map((s) => containersOf(s, targets, opts?.states !== false)))).flat();
  },
  async images(roots) {
    return (await Promise.all((await storesFor(roots)).map(imagesOf))).flat();
  },
};
