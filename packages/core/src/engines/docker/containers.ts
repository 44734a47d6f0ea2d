/**
 * Docker's containers from its data root, never through the daemon:
 *   containers/<id>/config.v2.json                 name, image, state, driver
 *   image/overlay2/layerdb/mounts/<id>/mount-id    the container's layer dir under overlay2/
 *   overlay2/<mount-id>/{diff,work,merged}          its upper, work dir and mount point
 * Its lower layers are its init layer, overlay2/<mount-id>-init (moby layer_store.go names it
 * so), over its image's layers (read once per image, images.ts); when the image is gone
 * they come from overlay2/<mount-id>/lower and the l/ short links (short-links.ts) instead.
 * dockerd keeps all of this in memory and writes each file with an atomic rename
 * (container.toDisk, graphdriver/overlay2), except mount-id, a plain write made once when the
 * container is created and before its config.v2.json first appears (daemon/create.go makes
 * the layer, then the container dir) — so a reader that starts from config.v2.json never sees
 * it half-written, and no lock exists or is needed. A container removed while we read drops
 * out of the list.
 */
import { join } from 'node:path';
import { objectField, parseJsonObject, readMetadataFiles, readOptionalDir, stringField } from '../metadata-files.js';
import { corrupt } from '../storage-errors.js';
import type { ContainerInfo } from '../types.js';
import { dockerStateWord } from './container-state.js';
import { readImages } from './images.js';
import { ShortLinks } from './short-links.js';

const ID = /^[0-9a-f]{64}$/;
const NO_NAMES: ReadonlyMap<string, string[]> = new Map();

/** An image id as ImageInfo.id has it: bare hex, without `sha256:`. */
export function bareImageId(id: string | undefined): string | undefined {
  return id?.startsWith('sha256:') === true ? id.slice('sha256:'.length) : id;
}

type Found = Omit<ContainerInfo, 'lower'> & { mountId: string };

/**
 * What config.v2.json and mount-id say of container `id`; undefined when it is gone or not
 * overlay2. Paths are put together by hand, not with join: `base` (the data root) is
 * normalised once and ids are checked hex, and join was a tenth of a listing's time.
 */
function containerOf(root: string, base: string, id: string, configFile: string, config: string | undefined, mountIdFile: string, mountId: string | undefined, mounted: ReadonlySet<string>): Found | undefined {
  if (config === undefined) return undefined;
  const parsed = parseJsonObject('docker', configFile, config);
  // Other graph drivers (vfs, btrfs, ...) and the containerd image store have no overlay2 layer dir.
  if (parsed.Driver !== 'overlay2') return undefined;
  if (mountId === undefined) return undefined;
  if (!ID.test(mountId)) throw corrupt('docker', mountIdFile, `'${mountId.slice(0, 80)}' is not a layer id`);
  const dir = `${base}/overlay2/${mountId}`;
  const merged = `${dir}/merged`;
  const name = stringField(parsed, 'Name')?.replace(/^\//, '');
  const imageId = bareImageId(stringField(parsed, 'Image'));
  const created = stringField(parsed, 'Created');
  return {
    engine: 'docker',
    id,
    name: name !== undefined && name !== '' ? name : id,
    image: stringField(objectField(parsed, 'Config'), 'Image') ?? imageId ?? '',
    ...(imageId !== undefined && { imageId }),
    state: dockerStateWord(objectField(parsed, 'State')),
    mounted: mounted.has(merged),
    upper: `${dir}/diff`,
    work: `${dir}/work`,
    merged,
    ...(created !== undefined && { created }),
    storage: root,
    mountId,
  };
}

/** Every overlay2 container under the data root `root`; [] when there is no such store. */
export async function readDockerContainers(root: string, mounted: ReadonlySet<string>): Promise<ContainerInfo[]> {
  const base = join(root);
  const containersDir = `${base}/containers`;
  const mountsDir = `${base}/image/overlay2/layerdb/mounts`;
  const ids = (await readOptionalDir('docker', containersDir))?.filter((n) => ID.test(n));
  if (ids === undefined) return [];
  const configRels = ids.map((id) => `${id}/config.v2.json`);
  const mountIdRels = ids.map((id) => `${id}/mount-id`);
  const [configs, mountIds] = await Promise.all([readMetadataFiles('docker', containersDir, configRels), readMetadataFiles('docker', mountsDir, mountIdRels)]);
  const found: Found[] = [];
  for (let i = 0; i < ids.length; i++) {
    const c = containerOf(root, base, ids[i]!, `${containersDir}/${configRels[i]}`, configs.text(i), `${mountsDir}/${mountIdRels[i]}`, mountIds.text(i), mounted);
    if (c !== undefined) found.push(c);
  }
  // Each image's layer dirs once (top-most first), however many containers use it.
  const imageIds = [...new Set(found.map((c) => c.imageId).filter((id): id is string => id !== undefined && ID.test(id)))];
  const images = await readImages(root, imageIds, NO_NAMES);
  const imageLowers = new Map(imageIds.map((id, i) => [id, images[i]?.layers.map((l) => l.dir).reverse()]));
  // Only a container whose image is gone needs its lower file and short links read.
  const links = new ShortLinks(`${base}/overlay2`);
  const orphans = found.filter((c) => c.imageId === undefined || imageLowers.get(c.imageId) === undefined);
  const orphanLowers = new Map(await Promise.all(orphans.map(async (c) => [c.mountId, await links.lowerOf(c.mountId)] as const)));
  return found.map(({ mountId, ...c }) => {
    const image = c.imageId !== undefined ? imageLowers.get(c.imageId) : undefined;
    return { ...c, lower: image !== undefined ? [`${base}/overlay2/${mountId}-init/diff`, ...image] : orphanLowers.get(mountId)! };
  });
}
