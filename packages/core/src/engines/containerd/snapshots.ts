/**
 * The overlayfs snapshotter's dirs: a snapshot's own dir is snapshots/<id>/fs (its upper when
 * active, its layer when committed) and snapshots/<id>/work; its layers below come from the
 * parent chain, nearest first — the order containerd puts in lowerdir= (plugins/snapshots/
 * overlay mounts()).
 */
import { join } from 'node:path';
import { corrupt } from '../storage-errors.js';
import type { BackendSnapshot } from './metadata.js';

export const SNAPSHOTTER_DIR = 'io.containerd.snapshotter.v1.overlayfs';
/** overlayfs refuses more than 500 lower layers; a longer chain is a loop. */
const MAX_CHAIN = 500;

export interface SnapshotDirs {
  fs: string;
  work: string;
  /** The parents' fs dirs, nearest (top-most) first. */
  lower: string[];
  size?: number;
}

/** The dirs of the snapshot the snapshotter calls `name`; undefined when it has no such snapshot. */
export function snapshotDirs(root: string, backend: ReadonlyMap<string, BackendSnapshot>, name: string, dbFile: string): SnapshotDirs | undefined {
  const self = backend.get(name);
  if (self === undefined) return undefined;
  const dir = (s: BackendSnapshot): string => join(root, SNAPSHOTTER_DIR, 'snapshots', s.id);
  if (!/^\d+$/.test(self.id)) throw corrupt('containerd', dbFile, `snapshot '${name}' has id '${self.id}'`);
  const lower: string[] = [];
  for (let parent = self.parent; parent !== undefined; parent = backend.get(parent)!.parent) {
    const p = backend.get(parent);
    if (p === undefined) throw corrupt('containerd', dbFile, `snapshot '${name}' has parent '${parent}', which it does not list`);
    if (lower.length >= MAX_CHAIN) throw corrupt('containerd', dbFile, `snapshot '${name}' has a parent chain longer than ${MAX_CHAIN} (a loop)`);
    lower.push(join(dir(p), 'fs'));
  }
  return { fs: join(dir(self), 'fs'), work: join(dir(self), 'work'), lower, ...(self.size !== undefined && { size: self.size }) };
}
