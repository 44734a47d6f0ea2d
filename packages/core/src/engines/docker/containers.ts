/**
 * Docker's containers from its data root, never through the daemon:
 *   containers/<id>/config.v2.json            name, image, state, driver
 *   image/overlay2/layerdb/mounts/<id>/mount-id   the container's layer dir under overlay2/
 *   overlay2/<mount-id>/{diff,work,merged,lower}  its upper, work, mount point and lowers
 * dockerd keeps all of this in memory and writes each file with an atomic rename
 * (container.ToDisk, graphdriver/overlay2), except mount-id, a plain write made once when the
 * container is created and before its config.v2.json first appears — so a reader that starts
 * from config.v2.json never sees it half-written, and no lock exists or is needed. A
 * container removed while we read drops out of the list.
 */
import { join } from 'node:path';
import { corrupt } from '../storage-errors.js';
import { objectField, parseJsonObject, readOptionalDir, readOptionalText, stringField } from '../metadata-files.js';
import type { ContainerInfo } from '../types.js';
import { dockerStateWord } from './container-state.js';
import { ShortLinks } from './short-links.js';

const ID = /^[0-9a-f]{64}$/;

/** An image id as ImageInfo.id has it: bare hex, without `sha256:`. */
export function bareImageId(id: string | undefined): string | undefined {
  return id?.startsWith('sha256:') === true ? id.slice('sha256:'.length) : id;
}

async function readContainer(root: string, id: string, links: ShortLinks, mounted: ReadonlySet<string>): Promise<ContainerInfo | undefined> {
  const configFile = join(root, 'containers', id, 'config.v2.json');
  const text = await readOptionalText('docker', configFile);
  if (text === undefined) return undefined;
  const config = parseJsonObject('docker', configFile, text);
  // Other graph drivers (vfs, btrfs, ...) and the containerd image store have no overlay2 layer dir.
  if (config.Driver !== 'overlay2') return undefined;
  const mountIdFile = join(root, 'image', 'overlay2', 'layerdb', 'mounts', id, 'mount-id');
  const mountId = await readOptionalText('docker', mountIdFile);
  if (mountId === undefined) return undefined;
  if (!ID.test(mountId)) throw corrupt('docker', mountIdFile, `'${mountId.slice(0, 80)}' is not a layer id`);
  const home = join(root, 'overlay2');
  const dir = join(home, mountId);
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
    lower: await links.lowerOf(mountId),
    upper: join(dir, 'diff'),
    work: join(dir, 'work'),
    merged,
    ...(created !== undefined && { created }),
    storage: root,
  };
}

/** Every overlay2 container under the data root `root`; [] when there is no such store. */
export async function readDockerContainers(root: string, mounted: ReadonlySet<string>): Promise<ContainerInfo[]> {
  const ids = await readOptionalDir('docker', join(root, 'containers'));
  if (ids === undefined) return [];
  const links = new ShortLinks(join(root, 'overlay2'));
  const all = await Promise.all(ids.filter((n) => ID.test(n)).map((id) => readContainer(root, id, links, mounted)));
  return all.filter((c): c is ContainerInfo => c !== undefined);
}
