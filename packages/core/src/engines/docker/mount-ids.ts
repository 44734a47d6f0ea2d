/**
 * Each container's layer dir name (layerdb/mounts/<id>/mount-id), kept from one listing to the
 * next while the mounts dir is unchanged. moby writes mount-id once, when it makes the
 * container's layer, before the container's config exists, and never again (a container id is
 * never reused); making or removing a container's layer adds or removes a dir in mounts/,
 * which changes that dir's link count, mtime and ctime. So while mounts/ has the same inode,
 * link count, mtime and ctime as at the last listing, the mount-ids read then are what the
 * files say now, and only ids not seen then are read; otherwise every one is read again.
 * Only the ids listed last time are kept. What this does not see: a mount-id rewritten (in
 * place, or by a rename inside its own dir) by something other than dockerd, with mounts/
 * unchanged — which dockerd itself does not see either (it reads mount-id only when it
 * starts). Interleaved with `docker ps`, 300 containers: median 5.8-6.1 -> 4.7-4.9 ms
 * (bench/docker.bench.mjs conditions, load average 5).
 */
import { dirIdentity } from '../dir-identity.js';
import { MetadataBatch } from '../metadata-batch.js';
import { corrupt } from '../storage-errors.js';
import { KeptPerDir } from '../kept-per-dir.js';
import { HEX_ID } from '../hex-id.js';

interface Kept {
  identity: string;
  byId: Map<string, string>;
}

const kept = new KeptPerDir<Kept>();

/** The mount-ids of one listing: `of(i)` for container ids[i]. */
export interface MountIds {
  /** ids[i]'s mount-id (checked hex); undefined when its file is not there. */
  of(i: number): string | undefined;
  /** Keep what was read for the next listing, for the ids given (the containers listed). */
  keep(ids: Iterable<number>): void;
}

/**
 * Start reading the mount-ids of `ids` from `mountsDir` (through the thread pool, so that this
 * thread can read the configs meanwhile): those kept from the last listing when mounts/ is
 * unchanged, the rest from their files.
 */
export async function readMountIds(mountsDir: string, ids: readonly string[]): Promise<MountIds> {
  // Looked at before anything is read: a change after this shows as another identity next time.
  // No `settled` needed here (dir-identity.ts): a container made or removed adds or removes a
  // subdir, which moves the link count whatever the clock says, and ids not kept are read.
  const identity = dirIdentity('docker', mountsDir)?.key;
  const before = kept.get(mountsDir);
  const reuse = identity !== undefined && before?.identity === identity ? before.byId : undefined;
  const toRead = reuse === undefined ? ids.map((_, i) => i) : ids.flatMap((id, i) => (reuse.has(id) ? [] : [i]));
  const batch = await MetadataBatch.read('docker', mountsDir, toRead.map((i) => `${ids[i]}/mount-id`), 'pool');
  const at = new Map(toRead.map((i, j) => [i, j]));
  const of = (i: number): string | undefined => {
    const j = at.get(i);
    if (j === undefined) return reuse!.get(ids[i]!);
    const mountId = batch.text(j);
    if (mountId !== undefined && !HEX_ID.test(mountId)) throw corrupt('docker', batch.path(j), `'${mountId.slice(0, 80)}' is not a layer id`);
    return mountId;
  };
  return {
    of,
    keep(listed) {
      if (identity === undefined) return kept.forget(mountsDir);
      const byId = new Map<string, string>();
      for (const i of listed) byId.set(ids[i]!, of(i)!);
      kept.keep(mountsDir, { identity, byId });
    },
  };
}
