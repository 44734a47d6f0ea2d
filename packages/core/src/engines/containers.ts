/**
 * listContainers / openContainer: a container's overlay by the name people use for it.
 */
import { publicError } from '../errors.js';
import { overlayMountAt } from '../mount/mount-table.js';
import { openMountedOverlay, openOverlay } from '../view/open.js';
import type { OverlayView } from '../view/types.js';
import { readAllContainers, withEngineChanges } from './registry.js';
import { pickByRef } from './refs.js';
import type { ContainerInfo, EngineOptions, OpenContainerOptions } from './types.js';

/**
 * Every container on this machine with its overlay, read from the engines' own metadata
 * (podman/containers-storage, Docker overlay2, containerd). Nothing is spawned or written.
 * @throws OvlError ERR_OVL_STORAGE_UNREADABLE (storage there but not readable), ERR_OVL_ENGINE_METADATA (corrupt metadata).
 */
export async function listContainers(opts?: EngineOptions): Promise<ContainerInfo[]> {
  try {
    return await readAllContainers(opts);
  } catch (e) {
    throw publicError(e, listContainers);
  }
}

/** The container `ref` names among those read (`states`: see EngineReader.containers). */
async function pickContainer(ref: string, opts: OpenContainerOptions | undefined, states: boolean): Promise<ContainerInfo> {
  return pickByRef(
    (await readAllContainers(opts, { states })).map((c) => ({ ...c, names: [c.name] })),
    ref,
    'container',
    opts?.engine,
  );
}

/** The container ref names (a name, a full id or a unique id prefix). */
export async function findContainer(ref: string, opts?: OpenContainerOptions): Promise<ContainerInfo> {
  try {
    return await pickContainer(ref, opts, true);
  } catch (e) {
    throw publicError(e, findContainer);
  }
}

/**
 * The overlay view of a container. One whose rootfs is mounted in this mount namespace opens
 * through its merged dir, like openOverlay(merged); any other (stopped, or mounted in another
 * namespace, as a daemon's mounts are from a private one) opens offline from its layer dirs —
 * never mounted to be looked at. watch() works in both: it watches the upper dir. changes()
 * follows the engine's own diff where it has rules of its own (Docker's naive diff).
 */
export async function openContainer(ref: string, opts?: OpenContainerOptions): Promise<OverlayView> {
  try {
    // Its state is not needed to open it: podman's would cost a read of every container's record.
    const c = await pickContainer(ref, opts, false);
    const mount = c.merged !== undefined && c.mounted ? await overlayMountAt(c.merged) : undefined;
    const view = mount !== undefined ? await openMountedOverlay(c.merged!, mount) : await openOverlay({ lower: c.lower, upper: c.upper, userxattr: c.userxattr === true });
    return withEngineChanges(c.engine, view);
  } catch (e) {
    throw publicError(e, openContainer);
  }
}
