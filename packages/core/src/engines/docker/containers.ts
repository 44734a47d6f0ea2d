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
import type { ContainerInfo } from '../types.js';
import { containerIds } from './container-ids.js';
import { readConfigFacts, type ConfigFacts } from './config-facts.js';
import { readMountIds, type MountIds } from './mount-ids.js';
import { readImages } from './images.js';
import { pathBase } from './data-root.js';
import { ShortLinks } from './short-links.js';
import { HEX_ID } from '../hex-id.js';

const NO_NAMES: ReadonlyMap<string, string[]> = new Map();

/** An image id as ImageInfo.id has it: bare hex, without `sha256:`. */
export function bareImageId(id: string | undefined): string | undefined {
  return id?.startsWith('sha256:') === true ? id.slice('sha256:'.length) : id;
}

/** A container to list: what its config says, and its layer dir under overlay2/. */
interface Found {
  id: string;
  /** Its index in the listing's ids. */
  i: number;
  facts: ConfigFacts;
  imageId: string | undefined;
  mountId: string;
}

/** Container `ids[i]` when its config says overlay2 and its mount-id is there; undefined when it is gone or on another driver. */
function foundOf(ids: readonly string[], facts: ReadonlyArray<ConfigFacts | undefined>, mountIds: MountIds, i: number): Found | undefined {
  const f = facts[i];
  if (f === undefined) return undefined;
  const mountId = mountIds.of(i);
  if (mountId === undefined) return undefined;
  return { id: ids[i]!, i, facts: f, imageId: bareImageId(f.imageRef), mountId };
}

/**
 * The container as listed. Paths are put together by hand, not with join: `base` (the data
 * root) is normalised once and ids are checked hex, and join was a tenth of a listing's time.
 */
function containerOf(root: string, base: string, { id, facts, imageId, mountId }: Found, lower: string[], mounted: ReadonlySet<string>): ContainerInfo {
  const dir = `${base}/overlay2/${mountId}`;
  const merged = `${dir}/merged`;
  return {
    engine: 'docker',
    id,
    name: facts.name !== '' ? facts.name : id,
    image: facts.image ?? imageId ?? '',
    ...(imageId !== undefined && { imageId }),
    state: facts.state,
    mounted: mounted.has(merged),
    upper: `${dir}/diff`,
    work: `${dir}/work`,
    merged,
    ...(facts.created !== undefined && { created: facts.created }),
    storage: root,
    lower,
  };
}

/** Every overlay2 container under the data root `root`; [] when there is no such store. */
export async function readDockerContainers(root: string, mounted: ReadonlySet<string>): Promise<ContainerInfo[]> {
  const base = pathBase(root);
  const containersDir = `${base}/containers`;
  const mountsDir = `${base}/image/overlay2/layerdb/mounts`;
  const ids = containerIds(containersDir);
  if (ids === undefined) return [];
  // The mount-ids through the pool while this thread reads the configs: two cores, where there
  // are two free (the pool's read starts first; the other is read here before it returns).
  const [mountIds, facts] = await Promise.all([readMountIds(mountsDir, ids), readConfigFacts(containersDir, ids)]);
  const found: Found[] = [];
  for (let i = 0; i < ids.length; i++) {
    const f = foundOf(ids, facts, mountIds, i);
    if (f !== undefined) found.push(f);
  }
  mountIds.keep(found.map((f) => f.i));
  // Each image's layer dirs once (top-most first), however many containers use it.
  const imageIds = [...new Set(found.map((f) => f.imageId).filter((id): id is string => id !== undefined && HEX_ID.test(id)))];
  const images = await readImages(root, imageIds, NO_NAMES);
  const imageLowers = new Map(imageIds.map((id, i) => [id, images[i]?.layers.map((l) => l.dir).reverse()]));
  const imageLowerOf = (f: Found): string[] | undefined => (f.imageId !== undefined ? imageLowers.get(f.imageId) : undefined);
  // Only a container whose image is gone needs its lower file and short links read.
  const links = new ShortLinks(`${base}/overlay2`);
  const orphans = found.filter((f) => imageLowerOf(f) === undefined);
  const orphanLowers = new Map(await Promise.all(orphans.map(async (f) => [f.mountId, await links.lowerOf(f.mountId)] as const)));
  return found.map((f) => {
    const image = imageLowerOf(f);
    return containerOf(root, base, f, image !== undefined ? [`${base}/overlay2/${f.mountId}-init/diff`, ...image] : orphanLowers.get(f.mountId)!, mounted);
  });
}
