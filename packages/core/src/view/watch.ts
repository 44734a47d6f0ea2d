/**
 * Live changes of an overlay's upper dir, from inotify (through the addon: Node's recursive
 * fs.watch misses the whiteout→opaque swap and files in dirs created later).
 *
 * - Every dir of upper is watched; new dirs are watched as they appear and read at once
 *   (what was made in them before the watch existed is reported too).
 * - Event types are not trusted: each reported name is re-read (lstat + xattrs) and
 *   compared with what ovl knew of it, which decides the kind.
 * - Renames inside upper are paired by cookie so watched subtrees keep correct paths.
 * - Queue overflow: a 'rescan' event, then the whole upper dir is compared again.
 * - Bursts are coalesced per path: the first event goes out at once, later ones within
 *   `coalesceMs` become one trailing event.
 * - Whether a name new in upper was copied up or added is asked of the view's own lookup
 *   (resolve.ts: redirects of renamed dirs, opaque dirs and whiteouts in the lowers), for
 *   all such names of one turn at once; reports leave in the order their changes were read.
 */
import { binding } from '../binding.js';
import { SystemError } from '../errors.js';
import type { InotifyEvent, InotifyWatcher } from '../binding.js';
import type { LayerStack } from './layer-stack.js';
import { joinPath, parentOf } from './paths.js';
import { isDirMode, sameType } from '../format/file-types.js';
import type { XattrNamespaceOptions } from '../format/overlay-xattrs.js';
import { readUpperState, type UpperState } from './upper-entry.js';
import type { ChangeEvent, MergedEntry, OverlayWatch, WatchOptions } from './types.js';

/** The view's stat of many paths, ghosts included (LayerView.statMany). */
export type StatMany = (paths: readonly string[]) => Promise<Array<MergedEntry | undefined>>;

type Kind = ChangeEvent['kind'];
/** Kinds that say everything below the path is gone: a dir deleted, or replaced by an opaque one. */
const COVERS = new Set<Kind>(['deleted', 'opaque']);

/**
 * One turn's findings with what a dir's later deletion or opaque replacement in the same turn
 * makes moot left out: events for paths below it that come before it.
 */
function collapse<T extends { path: string; kind: Kind }>(out: T[]): T[] {
  const coverAt = new Map<string, number>();
  out.forEach((o, i) => {
    if (COVERS.has(o.kind)) coverAt.set(o.path, i);
  });
  if (coverAt.size === 0) return out;
  return out.filter((o, i) => {
    for (let p = parentOf(o.path); p !== '/'; p = parentOf(p)) if ((coverAt.get(p) ?? -1) > i) return false;
    return true;
  });
}
/** inotify_add_watch failures that are a limit reached, not a dir gone (inotify(7)). */
const LIMITS = new Set(['ENOSPC', 'EMFILE', 'ENOMEM']);
/** A kind, or 'new': a name new in upper, copied up or added depending on what the lowers hold there. */
type Classified = Kind | 'new';
const DEFAULT_COALESCE_MS = 30;
/**
 * How long one turn of the event loop may spend re-reading dirty paths. A burst brings
 * thousands of names per inotify read, each costing an lstat and xattr reads: 10-20 µs on a
 * quiet machine, much more while the process making the burst holds the upper dir's locks.
 * A fixed count per turn (256 before) then held the loop for tens of ms, and the app reading
 * this watch could not paint meanwhile: in profiles of ovl-tui's bench burst these re-reads
 * were the largest part of the worst frame gaps. A time budget keeps every turn short
 * whatever the syscalls cost; each turn still re-reads at least one path.
 */
const TURN_BUDGET_MS = 4;

class UpperWatch implements OverlayWatch {
  private readonly known = new Map<string, UpperState>();
  private readonly wdToDir = new Map<number, string>();
  private readonly dirToWd = new Map<string, number>();
  private readonly queue: ChangeEvent[] = [];
  private readonly waiting: Array<(r: IteratorResult<ChangeEvent>) => void> = [];
  private readonly lastEmit = new Map<string, number>();
  private readonly trailing = new Map<string, { kind: Kind; timer: NodeJS.Timeout }>();
  private readonly watcher: InotifyWatcher;
  private readonly mask: number;
  /** Paths reported by inotify and not re-read yet (value: a content change was reported), in order. */
  private readonly dirty = new Map<string, boolean>();
  /** Reports so far, numbered: when each path was last told, and when each dir was last deleted or made opaque. */
  private story = 0;
  private readonly told = new Map<string, number>();
  private readonly covered = new Map<string, number>();
  /** What the current turn found, in order: kinds still 'new' are decided by one lookup. */
  private outbox: Array<{ path: string; kind: Classified }> = [];
  private draining = false;
  private closed = false;

  constructor(
    private readonly upper: string,
    private readonly statMany: StatMany,
    private readonly ns: XattrNamespaceOptions,
    private readonly coalesceMs: number,
  ) {
    const b = binding();
    const c = b.constants;
    this.mask = c.IN_CREATE | c.IN_DELETE | c.IN_MODIFY | c.IN_CLOSE_WRITE | c.IN_ATTRIB | c.IN_MOVED_FROM | c.IN_MOVED_TO | c.IN_DELETE_SELF | c.IN_ONLYDIR | c.IN_DONT_FOLLOW;
    try {
      this.watcher = new b.InotifyWatcher((events) => this.onEvents(events));
    } catch (e) {
      if (e instanceof SystemError && e.code === 'EMFILE') {
        e.hint = 'No inotify instance can be made: the per-user limit (fs.inotify.max_user_instances) or the fd limit (ulimit -n) is reached. Raise it, or close other watches.';
      }
      throw e;
    }
    const root = readUpperState(upper, '.', ns);
    if (root) this.known.set('/', root); // events on upper itself (its times) are metadata, not news
    this.watchTree('/', false);
  }

  /** Watch `dir` and everything below it, learning what is there; report it when `report`. */
  private watchTree(dir: string, report: boolean): void {
    const pending = [dir];
    while (pending.length > 0) {
      const d = pending.pop()!;
      if (this.dirToWd.has(d)) continue;
      let wd: number;
      try {
        wd = this.watcher.add(this.abs(d), this.mask);
      } catch (e) {
        // Gone again, or not a dir any more: the parent's events will tell. A limit reached
        // is another matter: that dir goes unwatched, and the reader must be told.
        if (e instanceof SystemError && LIMITS.has(e.code)) this.unwatched(d, e);
        continue;
      }
      this.wdToDir.set(wd, d);
      this.dirToWd.set(d, wd);
      // Read after the watch exists, so nothing made meanwhile slips between the two.
      for (const name of this.namesIn(d)) {
        const p = joinPath(d, name);
        const state = readUpperState(this.upper, this.rel(p), this.ns);
        if (!state) continue;
        if (report) this.found(p, this.classify(undefined, state, true));
        this.known.set(p, state);
        if (isDirMode(state.mode)) pending.push(p);
      }
    }
  }

  /** Every name in upper dir `d`; none when it is gone or no longer a dir. */
  private namesIn(d: string): string[] {
    try {
      return binding().listDir(this.abs(d), Number.MAX_SAFE_INTEGER);
    } catch {
      return [];
    }
  }

  /** `p` ('/a/b') as a path inside the upper dir ('a/b'), for the reads beneath it. */
  private rel(p: string): string {
    return p === '/' ? '.' : p.slice(1);
  }

  private abs(p: string): string {
    return p === '/' ? this.upper : this.upper + p;
  }

  private classify(before: UpperState | undefined, now: UpperState | undefined, contentHint: boolean): Classified | undefined {
    if (!now) return before ? 'removed-from-upper' : undefined;
    if (now.whiteout) return before?.whiteout ? undefined : 'deleted';
    const typeChanged = before !== undefined && !sameType(before.mode, now.mode);
    if (isDirMode(now.mode) && now.opaque && (!before || !before.opaque || typeChanged)) return 'opaque';
    if (!before || before.whiteout || typeChanged) return before?.whiteout ? 'added' : 'new';
    if (before.size !== now.size || before.ino !== now.ino || (before.metacopy && !now.metacopy)) return 'modified';
    if (before.mtimeMs !== now.mtimeMs && contentHint && !isDirMode(now.mode)) return 'modified';
    if (before.mtimeMs !== now.mtimeMs || before.mode !== now.mode || before.uid !== now.uid || before.gid !== now.gid || before.xattrs !== now.xattrs || before.opaque !== now.opaque) {
      return 'metadata';
    }
    return undefined;
  }

  /** Forget everything at and below `p` (it left upper), and its watches. */
  private forget(p: string): void {
    const prefix = `${p}/`;
    for (const key of [...this.known.keys()]) if (key === p || key.startsWith(prefix)) this.known.delete(key);
    for (const [dir, wd] of [...this.dirToWd]) {
      if (dir === p || dir.startsWith(prefix)) {
        this.dirToWd.delete(dir);
        this.wdToDir.delete(wd);
        this.watcher.remove(wd);
      }
    }
  }

  /** A dir renamed inside upper: its watches follow the inode, so only our paths change. */
  private moved(from: string, to: string): void {
    const rename = (key: string): string | undefined => (key === from ? to : key.startsWith(`${from}/`) ? to + key.slice(from.length) : undefined);
    for (const [key, state] of [...this.known]) {
      const next = rename(key);
      if (next !== undefined) {
        this.known.delete(key);
        this.known.set(next, state);
      }
    }
    for (const [dir, wd] of [...this.dirToWd]) {
      const next = rename(dir);
      if (next !== undefined) {
        this.dirToWd.delete(dir);
        this.dirToWd.set(next, wd);
        this.wdToDir.set(wd, next);
      }
    }
    // Names inside it still waiting to be re-read now live under the new path.
    for (const [key, content] of [...this.dirty]) {
      const next = rename(key);
      if (next !== undefined) {
        this.dirty.delete(key);
        this.dirty.set(next, (this.dirty.get(next) ?? false) || content);
      }
    }
  }

  /** Re-read `p` and report what changed. */
  private check(p: string, contentHint: boolean): void {
    const before = this.known.get(p);
    const now = readUpperState(this.upper, this.rel(p), this.ns);
    const kind = this.classify(before, now, contentHint);
    if (!now) {
      this.forget(p);
    } else {
      if (before && isDirMode(before.mode) && !isDirMode(now.mode)) this.forget(p);
      this.known.set(p, now);
    }
    this.found(p, kind);
    if (now && isDirMode(now.mode) && !this.dirToWd.has(p)) this.watchTree(p, true);
  }

  /** Say that `dir` could not be watched: an 'unwatched' event with the error and what to raise. */
  private unwatched(dir: string, e: SystemError): void {
    e.hint =
      e.code === 'ENOSPC'
        ? `The per-user inotify watch limit is reached, so '${this.abs(dir)}' and what is below it are not watched: raise fs.inotify.max_user_watches (sysctl -w fs.inotify.max_user_watches=524288).`
        : `No more file descriptors or memory for inotify, so '${this.abs(dir)}' and what is below it are not watched: raise the fd limit (ulimit -n) or close other watches.`;
    if (this.closed) return;
    this.emit({ path: dir, kind: 'unwatched', time: Date.now(), error: e });
  }

  private found(path: string, kind: Classified | undefined): void {
    if (kind) this.outbox.push({ path, kind });
  }

  /**
   * Report what the turn found, in order. Names new in upper were copied up when the lowers
   * hold the same path as the kernel looks it up (the view then lists lower layers among
   * its shadows, or shows the lower entry if upper's is gone again); otherwise added.
   */
  private async flush(): Promise<void> {
    const out = this.outbox;
    this.outbox = [];
    const fresh = out.filter((o) => o.kind === 'new');
    if (fresh.length > 0) {
      let below: Array<MergedEntry | undefined>;
      try {
        below = await this.statMany(fresh.map((o) => o.path));
      } catch {
        below = []; // the layers cannot be read now: say 'added', as nothing below could be seen
      }
      fresh.forEach((o, k) => {
        const e = below[k];
        o.kind = e !== undefined && (e.layer !== 'upper' || e.shadows.length > 0) ? 'copied-up' : 'added';
      });
    }
    for (const o of collapse(out as Array<{ path: string; kind: Kind }>)) {
      if (this.impliedByCover(o.path, o.kind)) continue;
      this.report(o.path, o.kind);
      this.told.set(o.path, ++this.story);
      if (COVERS.has(o.kind)) this.covered.set(o.path, this.story);
    }
  }

  /**
   * Whether the disappearance of `path` was already told by a dir above it: deleted or made
   * opaque after `path` was last reported (the kernel removes a dir's old entries with it).
   */
  private impliedByCover(path: string, kind: Kind): boolean {
    if (kind !== 'removed-from-upper' && kind !== 'deleted') return false;
    const last = this.told.get(path) ?? 0;
    for (let p = parentOf(path); p !== '/'; p = parentOf(p)) if ((this.covered.get(p) ?? 0) > last) return true;
    return false;
  }

  private onEvents(events: InotifyEvent[]): void {
    if (this.closed) return;
    const c = binding().constants;
    const dirty = this.dirty;
    const movedFrom = new Map<number, string>();
    for (const ev of events) {
      if (ev.mask & c.IN_Q_OVERFLOW) {
        this.rescan();
        continue;
      }
      const dir = this.wdToDir.get(ev.wd);
      if (dir === undefined) continue;
      if (ev.mask & (c.IN_IGNORED | c.IN_DELETE_SELF)) {
        if (ev.mask & c.IN_IGNORED) {
          this.wdToDir.delete(ev.wd);
          if (this.dirToWd.get(dir) === ev.wd) this.dirToWd.delete(dir);
        }
        continue;
      }
      const p = ev.name === '' ? dir : joinPath(dir, ev.name);
      if (ev.mask & c.IN_MOVED_FROM) movedFrom.set(ev.cookie, p);
      if (ev.mask & c.IN_MOVED_TO) {
        const from = movedFrom.get(ev.cookie);
        if (from !== undefined && this.dirToWd.has(from)) {
          this.moved(from, p);
          movedFrom.delete(ev.cookie);
          dirty.set(from, false);
        }
      }
      const content = (ev.mask & (c.IN_MODIFY | c.IN_CLOSE_WRITE)) !== 0;
      dirty.set(p, (dirty.get(p) ?? false) || content);
    }
    this.drain();
  }

  /**
   * Re-read the dirty paths, oldest first, for up to TURN_BUDGET_MS per turn of the event
   * loop, and report what each turn found before the next one starts (a turn with names new
   * in upper waits for their lookup).
   */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    const turn = (): void => {
      const until = performance.now() + TURN_BUDGET_MS;
      for (const [p, content] of this.dirty) {
        if (this.closed || performance.now() > until) break;
        this.dirty.delete(p);
        this.check(p, content);
      }
      const next = (): void => {
        if ((this.dirty.size > 0 || this.outbox.length > 0) && !this.closed) setImmediate(turn);
        else this.draining = false;
      };
      if (this.outbox.some((o) => o.kind === 'new')) void this.flush().then(next);
      else {
        void this.flush();
        next();
      }
    };
    turn();
  }

  /** After an overflow: compare all of upper with what we knew, and re-watch. */
  private rescan(): void {
    this.found('/', 'rescan');
    const seen = new Set<string>();
    const pending = ['/'];
    while (pending.length > 0) {
      const d = pending.pop()!;
      for (const name of this.namesIn(d)) {
        const p = joinPath(d, name);
        seen.add(p);
        this.check(p, true);
        const st = this.known.get(p);
        if (st && isDirMode(st.mode)) pending.push(p);
      }
    }
    for (const p of [...this.known.keys()]) if (!seen.has(p)) this.check(p, false);
  }

  private report(path: string, kind: Kind | undefined): void {
    if (!kind || this.closed) return;
    const now = Date.now();
    const last = this.lastEmit.get(path);
    const pending = this.trailing.get(path);
    if (last === undefined || now - last >= this.coalesceMs || kind === 'rescan') {
      // A trailing event still waiting for this path is older news: it must not follow this one.
      if (pending) {
        clearTimeout(pending.timer);
        this.trailing.delete(path);
      }
      this.lastEmit.set(path, now);
      this.emit({ path, kind, time: now });
      return;
    }
    if (pending) {
      pending.kind = kind;
      return;
    }
    const timer = setTimeout(() => {
      const t = this.trailing.get(path);
      this.trailing.delete(path);
      if (!t || this.closed) return;
      this.lastEmit.set(path, Date.now());
      this.emit({ path, kind: t.kind, time: Date.now() });
    }, last + this.coalesceMs - now);
    this.trailing.set(path, { kind, timer });
  }

  private emit(ev: ChangeEvent): void {
    const w = this.waiting.shift();
    if (w) w({ value: ev, done: false });
    else this.queue.push(ev);
  }

  [Symbol.asyncIterator](): AsyncIterator<ChangeEvent> {
    return {
      next: () => {
        const ev = this.queue.shift();
        if (ev) return Promise.resolve({ value: ev, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiting.push(resolve));
      },
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watcher.close();
    for (const t of this.trailing.values()) clearTimeout(t.timer);
    this.trailing.clear();
    for (const w of this.waiting.splice(0)) w({ value: undefined, done: true });
  }
}

/** A watch that never reports: an overlay without upper cannot change through the kernel. */
class NoUpperWatch implements OverlayWatch {
  private done: Array<(r: IteratorResult<ChangeEvent>) => void> = [];
  private closed = false;
  [Symbol.asyncIterator](): AsyncIterator<ChangeEvent> {
    return { next: () => (this.closed ? Promise.resolve({ value: undefined, done: true }) : new Promise((r) => this.done.push(r))) };
  }
  async close(): Promise<void> {
    this.closed = true;
    for (const r of this.done.splice(0)) r({ value: undefined, done: true });
  }
}

/** Watch the upper dir of `stack`; `statMany` is the view's own (for copy-up vs added). */
export function watchOverlay(stack: LayerStack, opts: WatchOptions, statMany: StatMany): OverlayWatch {
  const { signal } = opts;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('The "signal" option must be an AbortSignal.');
  const upper = stack.layers.find((l) => l.id === 'upper');
  const watch = upper ? new UpperWatch(upper.root, statMany, { userxattr: stack.userxattr }, opts.coalesceMs ?? DEFAULT_COALESCE_MS) : new NoUpperWatch();
  if (signal?.aborted) void watch.close();
  else signal?.addEventListener('abort', () => void watch.close(), { once: true });
  return watch;
}
