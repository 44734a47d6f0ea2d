/**
 * The seam between the UI and @ovl/core: everything the screen needs from an overlay, and
 * nothing more, so component tests can drive the app with a fake (test/support/fake-service.ts).
 * Paths are overlay paths ('/', '/etc/hosts'), as in core's MergedEntry.
 */
import type { Change, ChangeEvent, DirNames, LayerId, MergedEntry } from '@ovl/core';

export type { Change, ChangeEvent, DirNames, LayerId, MergedEntry };

/** What to open: the service's own words for it (the command line is one way to say it). */
export type SessionRequest =
  | { kind: 'demo' }
  | { kind: 'attach'; merged: string }
  | { kind: 'mount'; lower: string[]; upper?: string; work?: string; target: string; keep: boolean }
  | { kind: 'offline'; lower: string[]; upper?: string };

/** How ovl-tui came to the overlay: it decides what the user may do. */
export type SessionMode = 'attached' | 'mounted' | 'offline' | 'demo';

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
}

/** A live stream of upper-dir changes that can be stopped. */
export interface ChangeStream extends AsyncIterable<ChangeEvent> {
  close(): Promise<void>;
}

export interface OverlayService {
  describe(): HeaderInfo;
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
