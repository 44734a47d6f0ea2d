/**
 * Every engine reader, and the lists they give together. Engines whose storage is absent
 * give nothing; an engine whose storage is there but cannot be read throws (with a hint
 * naming the path), so that "no containers" never hides "not allowed to look".
 */
import { containerdReader } from './containerd/reader.js';
import { dockerReader } from './docker/reader.js';
import { podmanReader } from './podman/reader.js';
import type { OverlayView } from '../view/types.js';
import { ENGINE_NAMES, type ContainerInfo, type EngineName, type EngineOptions, type EngineReader, type ImageInfo } from './types.js';

const READERS: Record<EngineName, EngineReader> = { podman: podmanReader, docker: dockerReader, containerd: containerdReader };

function chosen(opts: EngineOptions | undefined): Array<{ reader: EngineReader; roots: readonly string[] | undefined }> {
  const engines = opts?.engines ?? ENGINE_NAMES;
  for (const e of engines) if (!(e in READERS)) throw new TypeError(`unknown engine '${String(e)}': one of ${ENGINE_NAMES.join(', ')}`);
  return engines.map((e) => {
    const r = opts?.roots?.[e];
    return { reader: READERS[e], roots: r === undefined ? undefined : typeof r === 'string' ? [r] : r };
  });
}

/** `view` (of one of `engine`'s containers or image layers) with changes() as that engine's diff says. */
export function withEngineChanges<V extends OverlayView>(engine: EngineName, view: V): V {
  return READERS[engine].withEngineChanges?.(view) ?? view;
}

/** Every container of the chosen engines, engine by engine in ENGINE_NAMES order (`states`: see EngineReader.containers). */
export async function readAllContainers(opts?: EngineOptions, read?: { states?: boolean }): Promise<ContainerInfo[]> {
  const lists = await Promise.all(chosen(opts).map(({ reader, roots }) => reader.containers(roots, read)));
  return lists.flat();
}

/** Every image of the chosen engines. */
export async function readAllImages(opts?: EngineOptions): Promise<ImageInfo[]> {
  const lists = await Promise.all(chosen(opts).map(({ reader, roots }) => reader.images(roots)));
  return lists.flat();
}
