/**
 * Containers and images by the container world's own names. Every engine reader produces
 * these records from the engine's on-disk metadata (never by spawning the engine, never
 * writing to its storage); the public functions in engines/*.ts pick, open and merge them.
 */
import type { Change, OverlayView } from '../view/types.js';

export type EngineName = 'podman' | 'docker' | 'containerd';
export const ENGINE_NAMES: readonly EngineName[] = ['podman', 'docker', 'containerd'];

/** A container and its overlay, as its engine records it. */
export interface ContainerInfo {
  engine: EngineName;
  /** The engine's full id (64 hex digits for podman and Docker; containerd's own id). */
  id: string;
  /** The name people type (`web`); the id when the engine records none. */
  name: string;
  /** The image's name as the container was made from it (`docker.io/library/busybox:latest`), or its id. */
  image: string;
  /** The image's id (engine form), when recorded. */
  imageId?: string;
  /** 'running', 'exited', 'created', 'paused', ... in the engine's own words; 'unknown' when it keeps none on disk. */
  state: string;
  /** The rootfs overlay is mounted now (its merged dir is a mount point somewhere on this machine). */
  mounted: boolean;
  /** Layer dirs, top-most first (the order of lowerdir=). */
  lower: string[];
  upper: string;
  work?: string;
  /** The merged dir the engine mounts the rootfs on (whether or not it is mounted now). */
  merged?: string;
  /** The overlay keeps its bookkeeping in user.overlay.* xattrs (rootless podman). */
  userxattr?: boolean;
  /** ISO 8601, when recorded. */
  created?: string;
  /** The storage root this record was read from (e.g. /var/lib/containers/storage). */
  storage: string;
  /** containerd's namespace (`default`, `k8s.io`, ...), for containerd records. */
  namespace?: string;
}

/** One layer of an image, bottom-most first in ImageInfo.layers. */
export interface ImageLayerInfo {
  /** The engine's id for the layer (containers-storage layer id, Docker cache id / chain id, containerd snapshot key). */
  id: string;
  /** The dir holding this layer's files (an overlay layer: whiteouts as 0/0 char devices). */
  dir: string;
  /** Bytes of the layer's content as the engine records it (uncompressed), or as measured when it records none. */
  size: number;
  /** The OCI diff id (`sha256:…` of the uncompressed tar), when recorded. */
  diffId?: string;
  /** The command that made the layer (the image config's history `created_by`), when recorded. */
  createdBy?: string;
  /** The history step's comment (`docker import -m`, `docker commit -m`), when recorded. */
  comment?: string;
  /** ISO 8601, when recorded. */
  created?: string;
}

/** An image and its layers. */
export interface ImageInfo {
  engine: EngineName;
  id: string;
  /** Every name (repo:tag) the image carries; may be empty. */
  names: string[];
  /** Bottom-most (base) first, as OCI's rootfs.diff_ids lists them. */
  layers: ImageLayerInfo[];
  /** Sum of the layers' sizes. */
  size: number;
  created?: string;
  /** The storage root this record was read from. */
  storage: string;
  /** containerd's namespace, for containerd records. */
  namespace?: string;
}

/** Where to look. Each engine is read from its default storage unless told otherwise. */
export interface EngineOptions {
  /** Only these engines (default: all three). */
  engines?: readonly EngineName[];
  /**
   * Storage roots to read instead of the defaults: podman's graphroot (or several: rootful and
   * rootless), Docker's data-root, containerd's root. Tests and unusual installs set these.
   */
  roots?: Partial<Record<EngineName, string | readonly string[]>>;
}

export interface OpenContainerOptions extends EngineOptions {
  /** Which engine's container when the ref names containers of more than one. */
  engine?: EngineName;
}

/** An image's layers merged (no upper), plus per-layer changes — dive's layer view. */
export interface ImageView extends OverlayView {
  image: ImageInfo;
  /** What layer `index` (bottom-most first, as image.layers) changed over the layers below it. */
  layerChanges(index: number): Promise<Change[]>;
  /** The view of the image as of layer `index`: that layer as the upper over the ones below. */
  layerView(index: number): Promise<OverlayView>;
}

/** What an engine reader gives the registry. A missing store is an empty list, not an error. */
export interface EngineReader {
  engine: EngineName;
  /**
   * With `states: false` the reader may skip what only a container's state needs (podman:
   * every container's record in libpod's db) and give 'unknown': enough to open one.
   */
  containers(roots: readonly string[] | undefined, opts?: { states?: boolean }): Promise<ContainerInfo[]>;
  images(roots: readonly string[] | undefined): Promise<ImageInfo[]>;
  /**
   * The engine's own diff rules, when they are not containers/storage's (changes()'s
   * default): a container's or image layer's view with changes() as the engine's diff says.
   */
  withEngineChanges?<V extends OverlayView>(view: V): V;
}
