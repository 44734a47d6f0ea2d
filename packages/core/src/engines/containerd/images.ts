/**
 * containerd's images: each name in meta.db points at a manifest (or an index, whose entry for
 * this machine's platform is taken) in the content store, blobs/sha256/<hex>, checked against
 * its digest; the manifest names the config (rootfs.diff_ids, history). Layer n is unpacked as
 * the snapshot keyed by its chain id. Names sharing a target are one image, its id the target
 * digest (as `ctr images ls` shows it). Only images unpacked for the overlayfs snapshotter
 * are listed: the others have no layer dirs to show.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { chainIds, historyOfLayers } from '../image-history.js';
import { objectField, parseJsonObject, readOptionalText, stringField } from '../metadata-files.js';
import { corrupt } from '../storage-errors.js';
import type { ImageInfo, ImageLayerInfo } from '../types.js';
import type { ContainerdImage } from './metadata.js';
import type { ContainerdStore } from './containers.js';
import { snapshotDirs } from './snapshots.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', ia32: '386' };

/** A content-store blob as a JSON object, checked against its digest; undefined when absent. */
async function readBlob(root: string, digest: string): Promise<Record<string, unknown> | undefined> {
  if (!DIGEST.test(digest)) throw corrupt('containerd', join(root, 'io.containerd.metadata.v1.bolt', 'meta.db'), `'${digest}' is not a sha256 digest`);
  const file = join(root, 'io.containerd.content.v1.content', 'blobs', 'sha256', digest.slice(7));
  const text = await readOptionalText('containerd', file);
  if (text === undefined) return undefined;
  if (`sha256:${createHash('sha256').update(text).digest('hex')}` !== digest) throw corrupt('containerd', file, 'its content does not hash to its name');
  return parseJsonObject('containerd', file, text);
}

/** The manifest for this machine in an index, or the manifest itself. */
async function manifestOf(root: string, digest: string, mediaType: string): Promise<Record<string, unknown> | undefined> {
  const doc = await readBlob(root, digest);
  if (doc === undefined || !(INDEX_TYPES.has(mediaType) || Array.isArray(doc.manifests))) return doc;
  const manifests = (doc.manifests as unknown[]).filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null);
  const arch = GOARCH[process.arch] ?? process.arch;
  const pick = manifests.find((m) => stringField(objectField(m, 'platform'), 'os') === 'linux' && stringField(objectField(m, 'platform'), 'architecture') === arch);
  const d = stringField(pick, 'digest');
  return d === undefined ? undefined : manifestOf(root, d, stringField(pick, 'mediaType') ?? '');
}

async function readImage(store: ContainerdStore, target: ContainerdImage, names: string[]): Promise<ImageInfo | undefined> {
  const manifest = await manifestOf(store.root, target.digest, target.mediaType);
  const configDigest = stringField(objectField(manifest, 'config'), 'digest');
  const config = configDigest === undefined ? undefined : await readBlob(store.root, configDigest);
  if (config === undefined) return undefined;
  const diffIds = objectField(config, 'rootfs')?.diff_ids ?? [];
  if (!Array.isArray(diffIds) || !diffIds.every((d) => typeof d === 'string' && DIGEST.test(d))) return undefined;
  const history = historyOfLayers(config.history, diffIds.length);
  const keys = store.meta.snapshotNames.get(target.namespace);
  const layers: ImageLayerInfo[] = [];
  for (const [i, chain] of chainIds(diffIds as string[]).entries()) {
    const name = keys?.get(chain);
    const dirs = name === undefined ? undefined : snapshotDirs(store.root, store.backend, name, store.backendFile);
    if (dirs === undefined) return undefined;
    layers.push({ id: chain, dir: dirs.fs, size: dirs.size ?? 0, diffId: diffIds[i] as string, ...history[i]! });
  }
  const created = stringField(config, 'created') ?? target.created;
  return {
    engine: 'containerd',
    id: target.digest.slice('sha256:'.length),
    names,
    layers,
    size: layers.reduce((n, l) => n + l.size, 0),
    ...(created !== undefined && { created }),
    storage: store.root,
    namespace: target.namespace,
  };
}

export async function containerdImages(store: ContainerdStore): Promise<ImageInfo[]> {
  const groups = new Map<string, { target: ContainerdImage; names: string[] }>();
  for (const img of store.meta.images) {
    const key = `${img.namespace}\0${img.digest}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { target: img, names: [img.name] });
    else g.names.push(img.name);
  }
  const all = await Promise.all([...groups.values()].map((g) => readImage(store, g.target, g.names)));
  return all.filter((i): i is ImageInfo => i !== undefined);
}
