/**
 * Docker's images from its data root, never through the daemon:
 *   image/overlay2/imagedb/content/sha256/<id>   the image config (its name is its sha256)
 *   image/overlay2/repositories.json             repo:tag and repo@digest → image id
 *   image/overlay2/layerdb/sha256/<chain-id>/{cache-id,size}  each layer's dir and size
 * The config's rootfs.diff_ids give the layers bottom first; layer n's chain id is
 * sha256("<chain n-1> <diff n>") (OCI image-spec config.md), its dir overlay2/<cache-id>/diff.
 * dockerd writes the config and repositories.json with an atomic rename and each layerdb dir
 * whole (written in a temp dir, then renamed into place), so no lock is needed; a config
 * whose bytes do not hash to its name is half-written or corrupt. The configs and layer files
 * are read as the containers' files are (MetadataBatch: batched, no symlink followed).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { chainIds, historyOfLayers } from '../image-history.js';
import { MetadataBatch } from '../metadata-batch.js';
import { objectField, parseJsonObject, readOptionalDir, readOptionalText, stringField } from '../metadata-files.js';
import { corrupt } from '../storage-errors.js';
import type { ImageInfo, ImageLayerInfo } from '../types.js';
import { pathBase } from './data-root.js';
import { HEX_ID } from '../hex-id.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** image id → every name repositories.json gives it. */
async function namesById(imageRoot: string): Promise<Map<string, string[]>> {
  const file = join(imageRoot, 'repositories.json');
  const text = await readOptionalText('docker', file);
  const names = new Map<string, string[]>();
  if (text === undefined) return names;
  const repos = objectField(parseJsonObject('docker', file, text), 'Repositories') ?? {};
  for (const refs of Object.values(repos)) {
    if (typeof refs !== 'object' || refs === null) throw corrupt('docker', file, 'a repository is not an object');
    for (const [ref, id] of Object.entries(refs as Record<string, unknown>)) {
      if (typeof id !== 'string' || !DIGEST.test(id)) throw corrupt('docker', file, `'${ref}' does not name an image id`);
      const bare = id.slice('sha256:'.length);
      names.set(bare, [...(names.get(bare) ?? []), ref]);
    }
  }
  return names;
}

/** An image config as read: its layers' chain ids and diff ids, bottom first, and what else ImageInfo says. */
interface ImageConfig {
  id: string;
  diffIds: string[];
  chains: string[];
  history: ReturnType<typeof historyOfLayers>;
  created: string | undefined;
}

function parseImageConfig(file: string, id: string, text: string): ImageConfig {
  if (sha256(text) !== id) throw corrupt('docker', file, 'its content does not hash to its name (half-written or damaged)');
  const config = parseJsonObject('docker', file, text);
  const diffIds = objectField(config, 'rootfs')?.diff_ids ?? [];
  if (!Array.isArray(diffIds) || !diffIds.every((d) => typeof d === 'string' && DIGEST.test(d))) throw corrupt('docker', file, 'rootfs.diff_ids is not a list of sha256 digests');
  return { id, diffIds: diffIds as string[], chains: chainIds(diffIds as string[]), history: historyOfLayers(config.history, diffIds.length), created: stringField(config, 'created') };
}

/**
 * The images `ids` (checked hex) under the data root `root`, names from `names`; undefined for
 * each that is not there. Two batched reads (MetadataBatch) however many images and layers:
 * every config, then every layer's cache-id and size, each chain once.
 */
export async function readImages(root: string, ids: readonly string[], names: ReadonlyMap<string, string[]>): Promise<Array<ImageInfo | undefined>> {
  const base = pathBase(root);
  const contentDir = `${base}/image/overlay2/imagedb/content/sha256`;
  const texts = await MetadataBatch.read('docker', contentDir, ids);
  const configs = ids.map((id, i) => {
    const text = texts.text(i);
    return text === undefined ? undefined : parseImageConfig(texts.path(i), id, text);
  });
  const layerDir = `${base}/image/overlay2/layerdb/sha256`;
  const chainAt = new Map<string, number>();
  for (const c of configs) for (const chain of c?.chains ?? []) if (!chainAt.has(chain)) chainAt.set(chain, chainAt.size);
  const rels = [...chainAt.keys()].flatMap((chain) => [`${chain.slice('sha256:'.length)}/cache-id`, `${chain.slice('sha256:'.length)}/size`]);
  const files = await MetadataBatch.read('docker', layerDir, rels);
  const layerOf = (chain: string, diffId: string): Omit<ImageLayerInfo, 'createdBy' | 'created'> => {
    const at = 2 * chainAt.get(chain)!;
    const cacheIdFile = files.path(at);
    const cacheId = files.text(at);
    if (cacheId === undefined) throw corrupt('docker', cacheIdFile, `layer ${diffId} of an image has no layer record`);
    if (!HEX_ID.test(cacheId)) throw corrupt('docker', cacheIdFile, `'${cacheId.slice(0, 80)}' is not a layer id`);
    const bytes = Number(files.text(at + 1) ?? '0');
    return { id: cacheId, dir: `${base}/overlay2/${cacheId}/diff`, size: Number.isFinite(bytes) ? bytes : 0, diffId };
  };
  return configs.map((c) => {
    if (c === undefined) return undefined;
    const layers = c.chains.map((chain, i) => ({ ...layerOf(chain, c.diffIds[i]!), ...c.history[i]! }));
    return {
      engine: 'docker' as const,
      id: c.id,
      names: names.get(c.id) ?? [],
      layers,
      size: layers.reduce((n, l) => n + l.size, 0),
      ...(c.created !== undefined && { created: c.created }),
      storage: root,
    };
  });
}

/** Every image under the data root `root`; [] when there is no such store. */
export async function readDockerImages(root: string): Promise<ImageInfo[]> {
  const imageRoot = join(root, 'image', 'overlay2');
  const ids = await readOptionalDir('docker', join(imageRoot, 'imagedb', 'content', 'sha256'));
  if (ids === undefined) return [];
  const names = await namesById(imageRoot);
  return (await readImages(root, ids.filter((n) => HEX_ID.test(n)), names)).filter((i): i is ImageInfo => i !== undefined);
}
