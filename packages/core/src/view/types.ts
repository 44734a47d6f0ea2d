/**
 * The overlay as data: public shapes of openOverlay's view (the names of the first
 * block are a contract other programs depend on; the fields after it are additions).
 */
import type { SystemError } from '../errors.js';

/** Where an entry lives: 'upper', or the index into the lower layers (0 = top-most lower). */
export type LayerId = 'upper' | number;

export type EntryType = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'chardev' | 'blockdev' | 'whiteout';

export interface MergedEntry {
  /** Absolute from the overlay root: '/etc/hosts'. The root itself is '/'. */
  path: string;
  name: string;
  type: EntryType;
  /** For a metacopy file: the size of the data it points to. */
  size: number;
  mode: number;
  mtimeMs: number;
  /** Where the visible entry lives (for a whiteout ghost: where the whiteout is). */
  layer: LayerId;
  /**
   * Layers below that hold the same path, hidden by (or, for dirs, merged under) this one,
   * down to the next char-device whiteout (an xattr whiteout below counts as holding it).
   */
  shadows: LayerId[];
  /** An upper entry that also exists below: the kernel copied it up (or, for a dir, merges it). */
  copiedUp: boolean;
  /** A dir marked opaque ('y'): nothing below shows through. */
  opaque: boolean;
  /** overlay.redirect of the visible entry: the path it continues from below. */
  redirect?: string;
  /** The visible file holds metadata only; data and size come from `dataLayer`. */
  metacopy: boolean;

  /** Absolute path of the visible entry inside its layer dir (redirects and all). */
  sourcePath: string;
  /** For metacopy files: where the data is. */
  dataLayer?: LayerId;
  dataPath?: string;
  uid: number;
  gid: number;
  /** As the kernel reports it: 1 for a dir merged from more than one layer dir (ovl_getattr), else the visible entry's own. */
  nlink: number;
  ino: number;
}

export interface ReaddirOptions {
  /** Include deleted names as `type: 'whiteout'` entries (ghosts). */
  whiteouts?: boolean;
}

export interface ReaddirChunksOptions extends ReaddirOptions {
  /** Names in the first piece (default 256); each later piece holds 4 times more, up to `maxChunk`. */
  firstChunk?: number;
  /** The most names in a piece (default 16,384): smaller pieces keep each turn of the event loop short. */
  maxChunk?: number;
  /**
   * Called once with the dir's names as soon as they are read, before any entry is examined
   * (on a 100,000-entry dir the names are in long before the last piece): a listing can be
   * laid out, searched and jumped through by name while the details come.
   */
  onNames?: (names: DirNames) => void;
}

/** A merged dir's names before their entries are examined (readdirChunks' onNames). */
export interface DirNames {
  /**
   * Every name the layer dirs hold, in the order of readdirChunks' pieces: the visible entries
   * and the ghosts, and also the few names the pieces leave out (a whiteout that hides nothing,
   * a ghost without `whiteouts`).
   */
  names: readonly string[];
  /** 1 where the name is a dir in the top-most layer that holds it: the merged entry is a dir. */
  dirs: Uint8Array;
}

export interface WalkOptions extends ReaddirOptions {
  /** Start below this dir instead of the root ('/' by default); the start dir itself is not yielded. */
  root?: string;
  /** How many directories are read at once (default 8). */
  concurrency?: number;
}

/** What the upper layer changed, as `docker diff` / `podman diff` print it. */
export interface Change {
  path: string;
  kind: 'A' | 'C' | 'D';
}

export interface ChangeEvent {
  path: string;
  /** Date.now() when ovl saw it. */
  time: number;
  /**
   * What happened to `path` in the upper dir:
   * - 'added': new in upper, nothing below it (a new file or dir);
   * - 'copied-up': new in upper over a lower entry of the same path (the kernel copied it up
   *   to change it, or a parent up to change something inside);
   * - 'modified': content changed (size, inode, or a write reported by inotify);
   * - 'deleted': a whiteout appeared: the name is gone from the merged view;
   * - 'opaque': a dir became opaque: a dir was removed and made again, hiding what was below;
   * - 'metadata': mode, owner, times or xattrs changed, content did not;
   * - 'removed-from-upper': the upper entry is gone without a whiteout (it was only in upper,
   *   or someone changed the upper dir directly);
   * - 'rescan' (path '/'): the kernel's event queue overflowed, so events were lost; the
   *   upper dir was read again and what changed meanwhile follows as ordinary events;
   * - 'unwatched': the dir at `path` (and what is below it) could not be watched — `error`
   *   says why (the per-user inotify watch limit, the fd limit); changes there are missed
   *   until the watch is made again.
   */
  kind: 'added' | 'copied-up' | 'modified' | 'deleted' | 'opaque' | 'metadata' | 'removed-from-upper' | 'rescan' | 'unwatched';
  /** With 'unwatched': why (a SystemError with a hint naming the limit to raise). */
  error?: SystemError;
}

export interface WatchOptions {
  /** Milliseconds during which repeated events for one path are merged (the first one is never delayed). Default 30. */
  coalesceMs?: number;
  /** Closes the watch when aborted (iteration then ends). */
  signal?: AbortSignal;
}

export interface ChangesOptions {
  /**
   * Paths to leave out of the answer, each exactly (not what is below it): the way `podman
   * diff` leaves out what podman bind-mounts into every container (PODMAN_IGNORED_PATHS).
   */
  ignore?: readonly string[];
}

/** What the upper layer holds: what a build step added to the image it will become. */
export interface UpperUsage {
  /** Entries in upper (files, dirs, links, whiteouts, ...), its root not counted. */
  entries: number;
  /** Bytes of content: the sizes of its regular files and symlinks. */
  bytes: number;
}

export interface OverlayWatch extends AsyncIterable<ChangeEvent> {
  close(): Promise<void>;
}

export interface OverlayView {
  layers: { upper?: string; lower: string[] };
  readdir(rel: string, opts?: ReaddirOptions): Promise<MergedEntry[]>;
  /** readdir in pieces, name order, small first piece: show a huge dir before all of it is examined. */
  readdirChunks(rel: string, opts?: ReaddirChunksOptions): AsyncIterable<MergedEntry[]>;
  /** With `{ whiteouts: true }` a deleted name comes back as its ghost (type 'whiteout'). */
  stat(rel: string, opts?: ReaddirOptions): Promise<MergedEntry | undefined>;
  /** stat() of many paths in one go (paths sharing a parent dir are looked up together), in the order given. */
  statMany(rels: readonly string[], opts?: ReaddirOptions): Promise<Array<MergedEntry | undefined>>;
  walk(opts?: WalkOptions): AsyncIterable<MergedEntry>;
  changes(opts?: ChangesOptions): Promise<Change[]>;
  watch(opts?: WatchOptions): OverlayWatch;
  /** Entries and bytes in the upper layer ({ entries: 0, bytes: 0 } without one). */
  upperUsage(): Promise<UpperUsage>;
  /**
   * The bytes of a file entry (`range`: offset and length, default all), or a symlink's
   * target, read from its layer (never through a mount: looking never copies up), safely
   * while the layer changes: beneath the layer root, no symlinks, no blocking, checked to be
   * what the view saw. @throws OvlError ERR_OVL_CHANGED_WHILE_READING, ERR_OVL_NOT_A_FILE.
   */
  readFile(entry: MergedEntry, range?: { offset?: number; length?: number }): Promise<Buffer>;
}

/** A merged dir, or layers: `{ lower, upper?, userxattr? }` — a mount's own spec (`m.spec`) will do too. */
export type OverlaySource = string | { lower: string[]; upper?: string; userxattr?: boolean; options?: { userxattr?: boolean } };
