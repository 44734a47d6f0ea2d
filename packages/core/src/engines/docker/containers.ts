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
import { eachInSlices, objectField, parseJsonObject, readOptionalDir, readOptionalTextSync, stringField } from '../metadata-files.js';
import { corrupt } from '../storage-errors.js';
import type { ContainerInfo } from '../types.js';
import { dockerStateWord } from './container-state.js';
import { readImage } from './images.js';
import { ShortLinks } from './short-links.js';

const ID = /^[0-9a-f]{64}$/;
const NO_NAMES: ReadonlyMap<string, string[]> = new Map();

/** An image id as ImageInfo.id has it: bare hex, without `sha256:`. */
export function bareImageId(id: string | undefined): string | undefined {
  return id?.startsWith('sha256:') === true ? id.slice('sha256:'.length) : id;
}

type Found = Omit<ContainerInfo, 'lower'> & { mountId: string };

/** What config.v2.json and mount-id say of container `id`; undefined when it is gone or not overlay2. */
function readContainerFiles(root: string, id: string, mounted: ReadonlySet<string>): Found | undefined {
  const configFile = join(root, 'containers', id, 'config.v2.json');
  const text = readOptionalTextSync('docker', configFile);
  if (text === undefined) return undefined;
  const config = parseJsonObject('docker', configFile, text);
  // Other graph drivers (vfs, btrfs, ...) and the containerd image store have no overlay2 layer dir.
  if (config.Driver !== 'overlay2') return undefined;
  const mountIdFile = join(root, 'image', 'overlay2', 'layerdb', 'mounts', id, 'mount-id');
  const mountId = readOptionalTextSync('docker', mountIdFile);
  if (mountId === undefined) return undefined;
  if (!ID.test(mountId)) throw corrupt('docker', mountIdFile, `'${mountId.slice(0, 80)}' is not a layer id`);
  const dir = join(root, 'overlay2', mountId);
  const merged = join(dir, 'merged');
  const name = stringField(config, 'Name')?.replace(/^\//, '');
  const imageId = bareImageId(stringField(config, 'Image'));
  const created = stringField(config, 'Created');
  return {
    engine: 'docker',
    id,
    name: name !== undefined && name !== '' ? name : id,
    image: stringField(objectField(config, 'Config'), 'Image') ?? imageId ?? '',
    ...(imageId !== undefined && { imageId }),
    state: dockerStateWord(objectField(config, 'State')),
    mounted: mounted.has(merged),
    upper: join(dir, 'diff'),
    work: join(dir, 'work'),
    merged,
    ...(created !== undefined && { created }),
    storage: root,
    mountId,
  };
}

/** Every overlay2 container under the data root `root`; [] when there is no such store. */
export async function readDockerContainers(root: string, mounted: ReadonlySet<string>): Promise<ContainerInfo[]> {
  const ids = await readOptionalDir('docker', join(root, 'containers'));
  if (ids === undefined) return [];
  const found = (await eachInSlices(ids.filter((n) => ID.test(n)), (id) => readContainerFiles(root, id, mounted))).filter((c) => c !== undefined);
  // Each image's layer dirs once (top-most first), however many containers use it.
  const imageLowers = new Map<string, Promise<string[] | undefined>>();
  const lowersOf = (imageId: string): Promise<string[] | undefined> => {
    let p = imageLowers.get(imageId);
    if (p === undefined) {
      p = readImage(root, imageId, NO_NAMES).then((img) => img?.layers.map((l) => l.dir).reverse());
      imageLowers.set(imageId, p);
    }
    return p;
  };
  const links = new ShortLinks(join(root, 'overlay2'));
  return Promise.all(
    found.map(async ({ mountId, ...c }) => {
      const image = c.imageId !== undefined && ID.test(c.imageId) ? await lowersOf(c.imageId) : undefined;
      const lower = image !== undefined ? [join(root, 'overlay2', `${mountId}-init`, 'diff'), ...image] : await links.lowerOf(mountId);
      return { ...c, lower };
    }),
  );
}
