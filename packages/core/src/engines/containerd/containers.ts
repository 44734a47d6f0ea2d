/**
 * containerd's containers (overlayfs snapshotter only) from its two bbolt dbs, read while
 * containerd runs (bolt/while-open.ts). A container whose task runs has its rootfs mounted on
 * <state>/io.containerd.runtime.v2.task/<namespace>/<id>/rootfs by its shim, in the shim's
 * mount namespace; `mounted` looks there (daemon-mounts.ts). The state word: 'running' when
 * that rootfs is mounted and the task's init process (runc's state.json) is alive, 'stopped'
 * when mounted and it is not (a task not yet deleted), 'created' when there is no task.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerInfo } from '../types.js';
import type { BackendSnapshot, ContainerdContainer, ContainerdMeta } from './metadata.js';
import { snapshotDirs } from './snapshots.js';

async function initAlive(state: string, c: ContainerdContainer): Promise<boolean> {
  const text = await readFile(join(state, 'runc', c.namespace, c.id, 'state.json'), 'utf8').catch(() => undefined);
  let pid: unknown;
  try {
    pid = text === undefined ? undefined : (JSON.parse(text) as { init_process_pid?: unknown }).init_process_pid;
  } catch {
    // runc writes state.json with a rename, so this is damage: no pid to trust.
    return false;
  }
  if (typeof pid !== 'number' || pid <= 0) return false;
  return readFile(`/proc/${pid}/stat`, 'utf8').then((s) => !/^\d+ \(.*\) Z /.test(s), () => false);
}

export interface ContainerdStore {
  root: string;
  state: string;
  meta: ContainerdMeta;
  backend: ReadonlyMap<string, BackendSnapshot>;
  metaFile: string;
  backendFile: string;
}

export async function containerdContainers(store: ContainerdStore, mounted: ReadonlySet<string>): Promise<ContainerInfo[]> {
  const out: ContainerInfo[] = [];
  for (const c of store.meta.containers) {
    if (c.snapshotter !== 'overlayfs' || c.snapshotKey === undefined) continue;
    const name = store.meta.snapshotNames.get(c.namespace)?.get(c.snapshotKey);
    const dirs = name === undefined ? undefined : snapshotDirs(store.root, store.backend, name, store.backendFile);
    // No snapshot (removed, or never prepared): nothing to show.
    if (dirs === undefined) continue;
    const merged = join(store.state, 'io.containerd.runtime.v2.task', c.namespace, c.id, 'rootfs');
    const isMounted = mounted.has(merged);
    out.push({
      engine: 'containerd',
      id: c.id,
      name: c.id,
      image: c.image ?? '',
      state: isMounted ? ((await initAlive(store.state, c)) ? 'running' : 'stopped') : 'created',
      mounted: isMounted,
      lower: dirs.lower,
      upper: dirs.fs,
      work: dirs.work,
      merged,
      ...(c.created !== undefined && { created: c.created }),
      storage: store.root,
      namespace: c.namespace,
    });
  }
  return out;
}
