/**
 * An in-memory OverlayService for component tests: a merged tree with provenance, file
 * contents, lower versions, and a watch stream the test drives. Writes behave like the
 * kernel's (delete of a lower file leaves a whiteout, writing a lower file copies it up)
 * and are reported on the watch stream, as the real upper-dir watch would.
 */
import type { Change, ChangeEvent, ChangeStream, DirNames, HeaderInfo, MergedEntry, OverlayService } from '../../src/service/types.js';

export function entry(path: string, over: Partial<MergedEntry> = {}): MergedEntry {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const type = over.type ?? 'file';
  return {
    path, name, type, size: 0, mode: type === 'dir' ? 0o40755 : 0o100644, mtimeMs: 0, layer: 0, shadows: [], copiedUp: false,
    opaque: false, metacopy: false, sourcePath: `/layers/${String(over.layer ?? 0)}${path}`, uid: 0, gid: 0, nlink: 1, ino: 1, ...over,
  };
}

const parentOf = (p: string) => p.slice(0, p.lastIndexOf('/')) || '/';

export class FakeService implements OverlayService {
  readonly entries = new Map<string, MergedEntry>();
  readonly content = new Map<string, Buffer>();
  readonly lower = new Map<string, { entry: MergedEntry; content: Buffer }>();
  readonly reads: Array<{ path: string; length: number }> = [];
  private readonly streams = new Set<{ push(ev: ChangeEvent): void; end(): void }>();
  header: HeaderInfo = {
    target: '/fake/merged', mode: 'demo', layers: [{ id: 'upper', path: '/fake/upper' }, { id: 0, path: '/fake/lower' }],
    options: { rw: true }, writable: true, canRevert: true, notes: [],
  };
  closed = false;
  /** An image's layer list (set by tests of the image views). */
  image: OverlayService['image'];
  /** When set, readdirChunks hands out its second piece only once this settles (a slow big dir). */
  holdSecondPiece: Promise<void> | undefined;
  /** Called when readdirChunks has handed out its first piece and waits on holdSecondPiece. */
  onHold: (() => void) | undefined;
  /** When set, readdirChunks hands out the names at once and the first piece only once this settles (details slow to come). */
  holdDetails: Promise<void> | undefined;

  /** Put an entry (and its content) into the merged tree. */
  add(e: MergedEntry, content?: string): this {
    this.entries.set(e.path, e);
    if (content !== undefined) {
      this.content.set(e.path, Buffer.from(content));
      e.size = Buffer.byteLength(content);
    }
    return this;
  }

  /** A file in lower 0 (and so also its lower version). */
  addLower(path: string, content: string): this {
    const e = entry(path, { layer: 0 });
    this.add(e, content);
    this.lower.set(path, { entry: e, content: Buffer.from(content) });
    return this;
  }

  /** When set, watch() throws it (as core's does when no inotify instance can be made). */
  watchFailure: Error | undefined;
  private watched: (() => void) | undefined;
  /** Settles once a watch stream is open (the app opens it in an effect, after its first frame). */
  readonly whenWatched = new Promise<void>((resolve) => (this.watched = resolve));

  /** Report a change on every open watch stream. */
  emit(path: string, kind: ChangeEvent['kind'], error?: ChangeEvent['error']): void {
    for (const s of this.streams) s.push({ path, kind, time: Date.now(), ...(error && { error }) });
  }

  describe(): HeaderInfo {
    return this.header;
  }

  async readdir(path: string): Promise<MergedEntry[]> {
    return [...this.entries.values()].filter((e) => e.path !== '/' && parentOf(e.path) === path);
  }

  /** The names first (as core reads them before any detail), then two pieces (name order), as core hands a big dir over. */
  async *readdirChunks(path: string, onNames?: (names: DirNames) => void): AsyncIterable<MergedEntry[]> {
    const all = (await this.readdir(path)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    onNames?.({ names: all.map((e) => e.name), dirs: Uint8Array.from(all, (e) => Number(e.type === 'dir')) });
    if (this.holdDetails) await this.holdDetails;
    const half = Math.ceil(all.length / 2);
    yield all.slice(0, half);
    if (this.holdSecondPiece) {
      this.onHold?.();
      await this.holdSecondPiece;
    }
    if (half < all.length) yield all.slice(half);
  }

  statMany(paths: readonly string[]): Promise<Array<MergedEntry | undefined>> {
    return Promise.all(paths.map((p) => this.stat(p)));
  }

  async stat(path: string): Promise<MergedEntry | undefined> {
    return this.entries.get(path);
  }

  async readFile(e: MergedEntry, range: { offset: number; length: number }): Promise<Buffer> {
    this.reads.push({ path: e.path, length: range.length });
    const lowerCopy = this.lower.get(e.path);
    const data = e.layer === 'upper' || !lowerCopy ? this.content.get(e.path) : lowerCopy.content;
    return (data ?? Buffer.alloc(0)).subarray(range.offset, range.offset + range.length);
  }

  async lowerVersion(path: string): Promise<MergedEntry | undefined> {
    return this.lower.get(path)?.entry;
  }

  async changes(): Promise<Change[]> {
    return [...this.entries.values()]
      .filter((e) => e.layer === 'upper')
      .map((e) => ({ path: e.path, kind: e.type === 'whiteout' ? 'D' : e.shadows.length > 0 ? 'C' : 'A' }));
  }

  watch(): ChangeStream {
    if (this.watchFailure) throw this.watchFailure;
    const queue: ChangeEvent[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const s = {
      push: (ev: ChangeEvent) => {
        queue.push(ev);
        wake?.();
      },
      end: () => {
        ended = true;
        wake?.();
      },
    };
    this.streams.add(s);
    this.watched?.();
    const streams = this.streams;
    return {
      async *[Symbol.asyncIterator]() {
        while (!ended) {
          if (queue.length === 0) await new Promise<void>((r) => (wake = r));
          while (queue.length > 0) yield queue.shift()!;
        }
      },
      close: async () => {
        streams.delete(s);
        s.end();
      },
    };
  }

  mergedPath(path: string): string {
    return `/fake/merged${path}`;
  }

  /** What an editor saving `text` appended to a file does: copy-up first when it was below. */
  append(path: string, text: string): void {
    const e = this.entries.get(path)!;
    const wasBelow = e.layer !== 'upper';
    const data = Buffer.concat([this.content.get(path) ?? Buffer.alloc(0), Buffer.from(text)]);
    this.add({ ...e, layer: 'upper', copiedUp: wasBelow || e.copiedUp, shadows: wasBelow ? [e.layer] : e.shadows, sourcePath: `/fake/upper${path}` });
    this.content.set(path, data);
    this.entries.get(path)!.size = data.length;
    this.emit(path, wasBelow ? 'copied-up' : 'modified');
  }

  async create(path: string, kind: 'file' | 'dir'): Promise<void> {
    if (this.entries.has(path) && this.entries.get(path)!.type !== 'whiteout') throw Object.assign(new Error(`EEXIST: file already exists, '${path}'`), { code: 'EEXIST' });
    this.add(entry(path, { type: kind, layer: 'upper', sourcePath: `/fake/upper${path}` }), kind === 'file' ? '' : undefined);
    this.emit(path, 'added');
  }

  async rename(from: string, to: string): Promise<void> {
    const e = this.entries.get(from)!;
    await this.remove(from);
    this.add({ ...e, path: to, name: to.slice(to.lastIndexOf('/') + 1), layer: 'upper', copiedUp: false, shadows: [] });
    this.emit(to, 'added');
  }

  async remove(path: string): Promise<void> {
    const e = this.entries.get(path);
    if (!e) throw new Error(`ENOENT: no such file or directory, '${path}'`);
    if (this.lower.has(path)) {
      this.add(entry(path, { type: 'whiteout', layer: 'upper', shadows: [0], sourcePath: `/fake/upper${path}` }));
      this.emit(path, 'deleted');
    } else {
      this.entries.delete(path);
      this.emit(path, 'removed-from-upper');
    }
  }

  async revert(path: string): Promise<void> {
    const low = this.lower.get(path);
    if (!low) throw new Error(`nothing below ${path}`);
    this.add({ ...low.entry }, low.content.toString());
    this.emit(path, 'removed-from-upper');
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.streams) s.end();
  }
}

/** The article's example: delete-me.txt, duplicate.txt (upper over lower), lower.txt, upper.txt. */
export function articleService(): FakeService {
  const f = new FakeService();
  f.addLower('/delete-me.txt', 'delete-me.txt: I live in the lower layer\n');
  f.addLower('/lower.txt', 'lower.txt: I live in the lower layer\n');
  f.lower.set('/duplicate.txt', { entry: entry('/duplicate.txt', { layer: 0 }), content: Buffer.from('duplicate.txt: I live in the lower layer\n') });
  f.add(entry('/duplicate.txt', { layer: 'upper', copiedUp: true, shadows: [0] }), 'duplicate.txt: I live in the upper layer\n');
  f.add(entry('/upper.txt', { layer: 'upper' }), 'upper.txt: I live in the upper layer\n');
  return f;
}
