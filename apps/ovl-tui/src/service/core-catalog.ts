/**
 * The picker's catalog from @ovl/core: the overlay mounts of this mount namespace and each
 * engine's containers and images, each engine read on its own, so one engine whose storage
 * cannot be read (Docker's, as a user) is one problem line, not an empty picker.
 */
import { listContainers, listImages, listOverlayMounts, type EngineName, type EngineOptions } from '@ovl/core';
import { openSession } from './open-session.js';
import type { Catalog, CatalogListing } from './types.js';

export function coreCatalog(opts: EngineOptions & { engines: readonly EngineName[] }): Catalog {
  return {
    async list(): Promise<CatalogListing> {
      const problems: CatalogListing['problems'] = [];
      const settle = <T>(source: string, p: Promise<T[]>): Promise<T[]> =>
        p.catch((error: unknown) => {
          problems.push({ source, error });
          return [];
        });
      const one = (e: EngineName): EngineOptions => ({ ...opts, engines: [e] });
      const [overlays, containers, images] = await Promise.all([
        settle('overlay mounts', listOverlayMounts()),
        Promise.all(opts.engines.map((e) => settle(`${e} containers`, listContainers(one(e))))),
        Promise.all(opts.engines.map((e) => settle(`${e} images`, listImages(one(e))))),
      ]);
      problems.sort((a, b) => a.source.localeCompare(b.source));
      return { overlays, containers: containers.flat(), images: images.flat(), problems };
    },
    open: (request) => openSession(request, opts),
  };
}
