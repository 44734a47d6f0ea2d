/**
 * containerd's metadata (io.containerd.metadata.v1.bolt/meta.db), schema v1 (containerd
 * core/metadata/buckets.go):
 *   v1/<namespace>/containers/<id>/{image, snapshotter, snapshotKey, createdat, labels/}
 *   v1/<namespace>/images/<name>/{target/{digest, mediatype, size}, createdat}
 *   v1/<namespace>/snapshots/<snapshotter>/<key>/{name, parent}   name = the snapshotter's own key
 * and the overlayfs snapshotter's own db (io.containerd.snapshotter.v1.overlayfs/metadata.db,
 * core/snapshots/storage/bolt.go):
 *   v1/snapshots/<name>/{id (uvarint), kind (1 view, 2 active, 3 committed), parent (name), size (varint)}
 * whose dirs are snapshots/<id>/fs and snapshots/<id>/work. Pure over parsed buckets.
 */
import type { BoltBucket } from '../bolt/pages.js';
import { goTime, uvarint, varint } from './go-encoding.js';

export interface ContainerdContainer {
  namespace: string;
  id: string;
  image?: string;
  snapshotter?: string;
  snapshotKey?: string;
  created?: string;
}

export interface ContainerdImage {
  namespace: string;
  name: string;
  digest: string;
  mediaType: string;
  created?: string;
}

export interface BackendSnapshot {
  id: string;
  kind: number;
  parent?: string;
  size?: number;
}

export interface ContainerdMeta {
  containers: ContainerdContainer[];
  images: ContainerdImage[];
  /** namespace → key → the overlayfs snapshotter's name for it. */
  snapshotNames: Map<string, Map<string, string>>;
}

const text = (b: Buffer | undefined): string | undefined => b?.toString('utf8');

/** Every namespace's containers, images and overlayfs snapshot keys. */
export function readMeta(root: BoltBucket): ContainerdMeta {
  const meta: ContainerdMeta = { containers: [], images: [], snapshotNames: new Map() };
  for (const ns of root.bucket('v1')?.entries() ?? []) {
    if (ns.bucket === undefined) continue;
    const namespace = ns.key.toString('utf8');
    for (const c of ns.bucket.bucket('containers')?.entries() ?? []) {
      if (c.bucket === undefined) continue;
      const image = text(c.bucket.get('image'));
      const snapshotter = text(c.bucket.get('snapshotter'));
      const snapshotKey = text(c.bucket.get('snapshotKey'));
      const created = goTime(c.bucket.get('createdat'));
      meta.containers.push({ namespace, id: c.key.toString('utf8'), ...(image && { image }), ...(snapshotter && { snapshotter }), ...(snapshotKey && { snapshotKey }), ...(created && { created }) });
    }
    for (const i of ns.bucket.bucket('images')?.entries() ?? []) {
      const target = i.bucket?.bucket('target');
      const digest = text(target?.get('digest'));
      if (i.bucket === undefined || digest === undefined) continue;
      const created = goTime(i.bucket.get('createdat'));
      meta.images.push({ namespace, name: i.key.toString('utf8'), digest, mediaType: text(target?.get('mediatype')) ?? '', ...(created && { created }) });
    }
    const names = new Map<string, string>();
    for (const s of ns.bucket.bucket('snapshots')?.bucket('overlayfs')?.entries() ?? []) {
      const name = text(s.bucket?.get('name'));
      if (name !== undefined) names.set(s.key.toString('utf8'), name);
    }
    meta.snapshotNames.set(namespace, names);
  }
  return meta;
}

/** The overlayfs snapshotter's snapshots by name. */
export function readBackendSnapshots(root: BoltBucket): Map<string, BackendSnapshot> {
  const out = new Map<string, BackendSnapshot>();
  for (const s of root.bucket('v1')?.bucket('snapshots')?.entries() ?? []) {
    if (s.bucket === undefined) continue;
    const id = uvarint(s.bucket.get('id'));
    if (id === undefined) continue;
    const parent = text(s.bucket.get('parent'));
    const size = varint(s.bucket.get('size'));
    out.set(s.key.toString('utf8'), { id: String(id), kind: s.bucket.get('kind')?.[0] ?? 0, ...(parent && { parent }), ...(size !== undefined && { size: Number(size) }) });
  }
  return out;
}
