/**
 * Docker's images from its data root, never through the daemon:
 *   image/overlay2/imagedb/content/sha256/<id>   the image config (its name is its sha256)
 *   image/overlay2/repositories.json             repo:tag and repo@digest → image id
 *   image/overlay2/layerdb/sha256/<chain-id>/{cache-id,size}  each layer's dir and size
 * The config's rootfs.diff_ids give the layers bottom first; layer n's chain id is
 * sha256("<chain n-1> <diff n>") (OCI image-spec config.md), its dir overlay2/<cache-id>/diff.
 * dockerd writes the config and repositories.json with an atomic rename and each layerdb dir
 * whole (written in a temp dir, then renamed into place), so no lock is needed; a config
 * whose bytes do not hash to its name is half-written or corrupt.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { chainIds, historyOfLayers } from '../image-history.js';
import { objectField, parseJsonObject, readOptionalDir, readOptionalText, stringField } from '../metadata-files.js';
import { corrupt } from '../storage-errors.js';
import type { ImageInfo, ImageLayerInfo } from '../types.js';

const HEX64 = /^[0-9a-f]{64}$/;
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

async function readLayer(root: string, chainId: string, diffId: string): Promise<Omit<ImageLayerInfo, 'createdBy' | 'created'>> {
  const dir = join(root, 'image', 'overlay2', 'layerdb', 'sha256', chainId.slice('sha256:'.length));
  const [cacheId, size] = await Promise.all([readOptionalText('docker', join(dir, 'cache-id')), readOptionalText('docker', join(dir, 'size'))]);
  if (cacheId === undefined) throw corrupt('docker', join(dir, 'cache-id'), `layer ${diffId} of an image has no layer record`);
  if (!HEX64.test(cacheId)) throw corrupt('docker', join(dir, 'cache-id'), `'${cacheId.slice(0, 80)}' is not a layer id`);
  const bytes = Number(size ?? '0');
  return { id: cacheId, dir: join(root, 'overlay2', cacheId, 'diff'), size: Number.isFinite(bytes) ? bytes : 0, diffId };
}

/** The image `id` under the data root `root` (names from `names`), or undefined when it is not there. */
export async function readImage(root: string, id: string, names: ReadonlyMap<string, string[]>): Promise<ImageInfo | undefined> {
  const file = join(root, 'image', 'overlay2', 'imagedb', 'content', 'sha256', id);
  const text = await readOptionalText('docker', file);
  if (text === undefined) return undefined;
  if (sha256(text) !== id) throw corrupt('docker', file, 'its content does not hash to its name (half-written or damaged)');
  const config = parseJsonObject('docker', file, text);
  const diffIds = objectField(config, 'rootfs')?.diff_ids ?? [];
  if (!Array.isArray(diffIds) || !diffIds.every((d) => typeof d === 'string' && DIGEST.test(d))) throw corrupt('docker', file, 'rootfs.diff_ids is not a list of sha256 digests');
  const history = historyOfLayers(config.history, diffIds.length);
  const chains = chainIds(diffIds as string[]);
  const layers = await Promise.all(
    chains.map(async (chain, i) => ({ ...(await readLayer(root, chain, diffIds[i] as string)), ...history[i]! })),
  );
  const created = stringField(config, 'created');
  return {
    engine: 'docker',
    id,
    names: names.get(id) ?? [],
    layers,
    size: layers.reduce((n, l) => n + l.size, 0),
    ...(created !== undefined && { created }),
    storage: root,
  };
}

/** Every image under the data root `root`; [] when there is no such store. */
export async function readDockerImages(root: string): Promise<ImageInfo[]> {
  const imageRoot = join(root, 'image', 'overlay2');
  const ids = await readOptionalDir('docker', join(imageRoot, 'imagedb', 'content', 'sha256'));
  if (ids === undefined) return [];
  const names = await namesById(imageRoot);
  const all = await Promise.all(ids.filter((n) => HEX64.test(n)).map((id) => readImage(root, id, names)));
  return all.filter((i): i is ImageInfo => i !== undefined);
}
