/**
 * containerd (overlayfs snapshotter) read from its root: meta.db and the snapshotter's
 * metadata.db (both bbolt, held open by containerd: bolt/while-open.ts), the content store's
 * manifests and configs, and the mount table of containerd and its shims for running tasks.
 */
import { join } from 'node:path';
import { readBoltWhileOpen } from '../bolt/while-open.js';
import { overlayTargetsSeenBy, pidsNamed } from '../daemon-mounts.js';
import { withTreeDiffChanges } from '../tree-diff.js';
import type { EngineReader } from '../types.js';
import { containerdContainers, type ContainerdStore } from './containers.js';
import { containerdImages } from './images.js';
import { readBackendSnapshots, readMeta } from './metadata.js';
import { containerdPlaces } from './places.js';
import { SNAPSHOTTER_DIR } from './snapshots.js';

// comm is cut at 15 bytes: containerd-shim-runc-v2 shows as 'containerd-shim'.
const DAEMONS = ['containerd', 'containerd-shim'];

/** One root's dbs; undefined when it has no metadata db (no containerd there). */
async function openStore(root: string, state: string): Promise<ContainerdStore | undefined> {
  const metaFile = join(root, 'io.containerd.metadata.v1.bolt', 'meta.db');
  const backendFile = join(root, SNAPSHOTTER_DIR, 'metadata.db');
  const meta = await readBoltWhileOpen('containerd', metaFile);
  if (meta === undefined) return undefined;
  const backend = await readBoltWhileOpen('containerd', backendFile);
  return { root, state, metaFile, backendFile, meta: readMeta(meta.root), backend: backend === undefined ? new Map() : readBackendSnapshots(backend.root) };
}

async function stores(roots: readonly string[] | undefined): Promise<ContainerdStore[]> {
  const places = await containerdPlaces(roots);
  const all = await Promise.all(places.roots.map((r) => openStore(r, places.state)));
  return all.filter((s): s is ContainerdStore => s !== undefined);
}

export const containerdReader: EngineReader = {
  engine: 'containerd',
  containers: async (roots) => {
    const found = await stores(roots);
    if (found.length === 0) return [];
    const mounted = await overlayTargetsSeenBy(await pidsNamed(DAEMONS));
    return (await Promise.all(found.map((s) => containerdContainers(s, mounted)))).flat();
  },
  images: async (roots) => (await Promise.all((await stores(roots)).map(containerdImages))).flat(),
  // containerd's own diff is the tree diff too (tree-diff.ts), checked against `ctr snapshots diff`.
  withEngineChanges: withTreeDiffChanges,
};
