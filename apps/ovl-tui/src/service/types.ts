/**
 * The seam between the UI and @ovl/core: everything the screen needs from an overlay, and
 * nothing more, so component tests can drive the app with a fake (test/support/fake-service.ts).
 * Paths are overlay paths ('/', '/etc/hosts'), as in core's MergedEntry.
 */
import type { Change, ChangeEvent, DirNames, LayerId, MergedEntry } from '@ovl/core';

export type { Change, ChangeEvent, DirNames, LayerId, MergedEntry };

// What the picker and the container and image views show, in core's own records.
import type { ContainerInfo, EngineName, ImageInfo, OverlayMountInfo } from '@ovl/core';

export type { ContainerInfo, EngineName, ImageInfo, OverlayMountInfo };

/** What to open: the service's own words for it (the command line is one way to say it). */
export type SessionRequest =
  | { kind: 'demo' }
  | { kind: 'attach'; merged: string }
  | { kind: 'mount'; lower: string[]; upper?: string; work?: string; target: string; keep: boolean }
  | { kind: 'offline'; lower: string[]; upper?: string }
  /** A container or an image by the engine's own name, id or unique id prefix. */
  | { kind: 'container' | 'image'; ref: string; engine?: EngineName };

/** How ovl-tui came to the overlay: it decides what the user may do. */
export type SessionMode = 'attached' | 'mounted' | 'offline' | 'demo' | 'container' | 'image';

/** The container or image a view shows, in the engine's words (the header's first line under the title). */
export interface Subject {
  kind: 'container' | 'image';
  engine: EngineName;
  name: string;
  /** The full id; the header shows 12 characters of it. */
  id: string;
  /** A container's image; an image's other names. */
  image: string;
  /** A container's state ('running', 'exited', ...; ', mounted' when its rootfs is); an image's layer count and size. */
  state: string;
}

/** What the header shows. */
export interface HeaderInfo {
  /** The merged dir, or a description of the layers for the offline view. */
  target: string;
  mode: SessionMode;
  /** Upper first (when there is one), then lower 0 (top-most) downwards. */
  layers: Array<{ id: LayerId; path: string }>;
  /** The mount's super options (empty offline). */
  options: Record<string, string | true>;
  /** Writes (edit, create, rename, delete) go through a merged mount that has an upper layer. */
  writable: boolean;
  /** Revert needs an unmount and a mount again: only for mounts ovl-tui made itself. */
  canRevert: boolean;
  /** Lines shown under the header, e.g. the demo's invitation to change merged from another terminal. */
  notes: string[];
  /** Set when the view is a container's or an image's. */
  subject?: Subject;
}

/** One layer of an image, as the layer list shows it. */
export interface ImageLayerRow {
  /** 0 = the base layer, as ImageInfo.layers counts. */
  index: number;
  id: string;
  size: number;
  /** The command that made the layer, when the engine records it. */
  createdBy?: string;
  created?: string;
}

/** An image's layers, each of which opens as its own view: the layer as the upper over the layers below. */
export interface ImageLayers {
  rows: ImageLayerRow[];
  /** The view of one layer: its additions, changes and deletions as upper-layer marks. */
  open(index: number): Promise<OverlayService>;
  /** What one layer changed over the layers below it (podman diff's rules). */
  changes(index: number): Promise<Change[]>;
}

/** A live stream of upper-dir changes that can be stopped. */
export interface ChangeStream extends AsyncIterable<ChangeEvent> {
  close(): Promise<void>;
}

export interface OverlayService {
  describe(): HeaderInfo;
  /** An image's layer list (only for an image's merged view). */
  readonly image?: ImageLayers;
  /** One merged dir, whiteout ghosts included (the UI filters them). */
  readdir(path: string): Promise<MergedEntry[]>;
  /**
   * The same list in pieces, name order, a small one first (a huge dir shows before all of it
   * is read). `onNames` gets every name first, as soon as they are read (before any piece).
   */
  readdirChunks(path: string, onNames?: (names: DirNames) => void): AsyncIterable<MergedEntry[]>;
  /** One merged entry (ghost included), or undefined when the name is gone. */
  stat(path: string): Promise<MergedEntry | undefined>;
  /** stat() of many paths, in the order given (core looks up names of one dir together). */
  statMany(paths: readonly string[]): Promise<Array<MergedEntry | undefined>>;
  /**
   * Bytes of the entry's data, read from its layer file (never through the merged dir, so a
   * preview can never cause a copy-up). For a symlink, its target.
   */
  readFile(entry: MergedEntry, range: { offset: number; length: number }): Promise<Buffer>;
  /** What the path would be without the upper layer: the lower version a copy-up shadows. */
  lowerVersion(path: string): Promise<MergedEntry | undefined>;
  changes(): Promise<Change[]>;
  watch(): ChangeStream;
  /** The path to hand to $EDITOR (inside the merged mount); throws when not writable. */
  mergedPath(path: string): string;
  create(path: string, kind: 'file' | 'dir'): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** Back to the lower version: unmount, remove the path from upper, mount again. */
  revert(path: string): Promise<void>;
  /** Stop watching; unmount and remove what ovl-tui made (unless told to keep it). */
  close(): Promise<void>;
}

/** Everything the picker offers: this machine's overlay mounts and every engine's containers and images. */
export interface CatalogListing {
  overlays: OverlayMountInfo[];
  containers: ContainerInfo[];
  images: ImageInfo[];
  /** What could not be read (an engine's storage not readable, say), one per source; the rest is still listed. */
  problems: Array<{ source: string; error: unknown }>;
}

/** The picker's seam to core (test/support/fake-catalog.ts fakes it). */
export interface Catalog {
  list(): Promise<CatalogListing>;
  open(request: SessionRequest): Promise<OverlayService>;
}
