/**
 * Docker (overlay2 graph driver) read from its data root; see containers.ts and images.ts
 * for the files and why no lock is taken. A running container's rootfs is mounted in
 * dockerd's mount namespace, so `mounted` looks there too (daemon-mounts.ts).
 */
import { overlayTargetsSeenBy, pidFromFile, pidsNamed } from '../daemon-mounts.js';
import { withTreeDiffChanges } from '../tree-diff.js';
import type { EngineReader } from '../types.js';
import { readDockerContainers } from './containers.js';
import { dockerPlaces } from './data-root.js';
import { readDockerImages } from './images.js';

const DAEMON = ['dockerd'];

async function dockerdPids(pidFile: string): Promise<number[]> {
  const pid = await pidFromFile(pidFile, DAEMON);
  return pid !== undefined ? [pid] : pidsNamed(DAEMON);
}

export const dockerReader: EngineReader = {
  engine: 'docker',
  containers: async (roots) => {
    const places = await dockerPlaces(roots);
    const mounted = await overlayTargetsSeenBy(await dockerdPids(places.pidFile));
    return (await Promise.all(places.roots.map((r) => readDockerContainers(r, mounted)))).flat();
  },
  images: async (roots) => (await Promise.all((await dockerPlaces(roots)).roots.map(readDockerImages))).flat(),
  withEngineChanges: withTreeDiffChanges,
};
