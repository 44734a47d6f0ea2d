/**
 * The records of an upper layer for exportLayer, read in one pass: each upper dir is scanned
 * once, beneath the layer root with no symlink on the way (native scanDir { beneath }), and
 * that scan gives every entry's stat, overlay marks and xattrs together — no second stat per
 * entry, no merged-view lookups. The rules are upperLayerEntries' (layer-entries.ts), and the
 * records are layerRecordWindows' (layer-records.ts), byte for byte; the rare entries whose
 * content lives in other layers go through the view as before: a metacopy file (its data
 * layer) and a redirected dir (its whole merged content).
 *
 * The walk runs ahead of the writer, a window per dir, into a feed: the writer starts on the
 * first dir while the rest is scanned, and the totals are known once the walk is over. Most
 * windows are runs of a dir's entries: the dir's scan and what the walk found each entry to
 * be, which the writer reads as it would the records (no object per entry). The entries that
 * need more (a hard link's later names, metacopy files) ride in the runs too, as records the
 * walk made (RUN_MADE); only opaque and redirected dirs come as records of their own.
 */
import { binding, type DirScan } from '../binding.js';
import { typeOfMode } from '../format/file-types.js';
import { scanFlags } from '../format/scan-flags.js';
import type { EntryType, OverlayView } from '../view/types.js';
import { joinPath } from '../view/paths.js';
import { EntryFeed } from './entry-feed.js';
import { mergedSubtreeEntries } from './layer-entries.js';
import { changedWhile, entryRecord, layerRecordWindows, sourceOf, TYPES, type ContentSource, type EntryStat, type LayerRecord, type RecordType } from './layer-records.js';

/** What a finished walk counted: the records, and the bytes of content they carry (each file once). */
export interface UpperTotals {
  totalEntries: number;
  totalBytes: number;
}

/** A dir that is gone or swapped for a symlink or a non-dir between its parent's scan and its own. */
const SWAPPED = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EXDEV']);

/** No xattrs (shared: never written to). */
export const NO_XATTRS: Array<[string, Buffer]> = [];

/** A UTF-16 surrogate: where JS string order and UTF-8 byte order part ways. */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The entries of a scan in byte order of their (UTF-8 encoded) names, as the view's readdir
 * orders them. Without surrogates (characters beyond U+FFFF), UTF-16 order is code point
 * order, which is UTF-8 byte order: the strings compare as they are, no Buffer per name.
 */
function orderOf(scan: DirScan): number[] {
  const names = scan.names;
  const order = names.map((_, i) => i);
  if (!names.some((n) => SURROGATE.test(n))) return order.sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
  const keys = names.map((n) => Buffer.from(n));
  return order.sort((a, b) => Buffer.compare(keys[a]!, keys[b]!));
}

/** Entry i's stat fields as a record takes them. */
function statOf(scan: DirScan, i: number): EntryStat {
  return {
    mode: scan.mode[i]!,
    uid: scan.uid[i]!,
    gid: scan.gid[i]!,
    mtimeMs: scan.mtimeMs[i]!,
    xattrs: scan.xattrs?.[i] ?? NO_XATTRS,
    rdevMajor: scan.rdevMajor[i]!,
    rdevMinor: scan.rdevMinor[i]!,
  };
}

/** The record of entry i of a scan (the one call site of entryRecord here: one object shape, one copy of it to compile). */
function scanRecord(path: string, scan: DirScan, i: number, type: RecordType, size: number, linkname: Buffer | undefined, linkTo: string | undefined, source: ContentSource | undefined): LayerRecord {
  return entryRecord(path, statOf(scan, i), type, size, { linkname, linkTo, content: undefined, source });
}

/**
 * What each entry of a scanned dir is, as the walk found it (ScannedDir.kinds): the type of
 * the record it stands for, RUN_TYPES[kind] (its fields the scan's, a file's content its own,
 * a symlink's target in `targets`), a whiteout, or RUN_MADE: a record made during the walk (a
 * hard link's later name, a metacopy file), in `made`.
 */
export const RUN_TYPES: readonly RecordType[] = ['file', 'dir', 'symlink', 'fifo', 'chardev', 'blockdev'];
const RUN_WHITEOUT = RUN_TYPES.length;
export const RUN_MADE = RUN_WHITEOUT + 1;
const RUN_FILE = RUN_TYPES.indexOf('file');
const RUN_DIR = RUN_TYPES.indexOf('dir');
const RUN_SYMLINK = RUN_TYPES.indexOf('symlink');
/** A type no layer holds (a socket): the walk fails when it comes to it. */
const RUN_BAD = RUN_MADE + 1;

/** The RUN_TYPES index of an entry of this type, or RUN_BAD. */
function runKind(type: EntryType): number {
  const recordType = TYPES[type];
  return recordType === undefined ? RUN_BAD : RUN_TYPES.indexOf(recordType);
}

/** An upper dir as the walk found it. */
export interface ScannedDir {
  /** The upper layer's root, where a file's content is read. */
  root: string;
  /** The dir's overlay path. */
  path: string;
  scan: DirScan;
  /** Scan indices in tar order. */
  order: number[];
  /** RUN_* for each position of `order`. */
  kinds: Uint8Array;
  /** Symlink targets, by scan index. */
  targets: Buffer[];
  /** Records made during the walk, by position. */
  made: Map<number, LayerRecord>;
}

/**
 * The entries at positions [from, to) of a dir, one record each, in tar order: a window of
 * the walk that stands for their records without the objects (the walk runs far ahead of the
 * writer: tens of thousands of records made then would live long enough to be copied and
 * promoted by the GC).
 */
export interface DirRun {
  dir: ScannedDir;
  from: number;
  to: number;
}

/** What the walk hands the writer: records, or a run of a dir's entries. */
export type UpperWindow = LayerRecord[] | DirRun;

class UpperWalk {
  private readonly root: string;
  private readonly firstLinkOf = new Map<string, string>();
  private entries = 0;
  private bytes = 0;
  private readonly flags = scanFlags();
  /** The reader is gone (it failed): no more dirs are scanned. */
  stopped = false;

  constructor(
    private readonly view: OverlayView,
    private readonly xattrPrefix: string,
    private readonly feed: EntryFeed<UpperWindow>,
  ) {
    this.root = view.layers.upper!;
  }

  get totals(): UpperTotals {
    return { totalEntries: this.entries, totalBytes: this.bytes };
  }

  /** Hand the writer these records, counted. */
  private add(records: LayerRecord[]): void {
    if (records.length === 0) return;
    this.entries += records.length;
    for (const r of records) this.count(r);
    this.feed.items.push(records);
    this.feed.grew();
  }

  /** Hand the writer positions [from, to) of the dir. */
  private addRun(dir: ScannedDir, from: number, to: number): void {
    if (from === to) return;
    this.entries += to - from; // their content bytes were counted as they were looked at
    this.feed.items.push({ dir, from, to });
    this.feed.grew();
  }

  /** Count a record's content bytes (files only: a hard link carries none). */
  private count(r: LayerRecord): void {
    if (r.kind === 'entry' && r.type === 'file') this.bytes += r.size;
  }

  /** The upper dir at overlay path `dir`, scanned beneath the layer root. */
  private async scan(dir: string): Promise<DirScan> {
    try {
      return await binding().scanDirAsync(dir === '/' ? '.' : dir.slice(1), { xattrPrefix: this.xattrPrefix, beneath: this.root, allXattrs: true });
    } catch (e) {
      if (dir !== '/' && SWAPPED.has((e as { code?: string }).code ?? '')) throw changedWhile(dir, 'it is gone, or a symlink stands in its path');
      throw e; // exportLayer makes it public
    }
  }

  /** Targets of the dir's symlinks `links` (scan indices, in tar order): their bytes, read beneath the root in one call, by scan index. */
  private async linkTargets(dir: string, scan: DirScan, links: number[]): Promise<Buffer[]> {
    const targets: Buffer[] = [];
    if (links.length === 0) return targets;
    const rels = links.map((i) => joinPath(dir, scan.names[i]!).slice(1));
    const found = await binding().statManyBeneathAsync(this.root, rels, 0);
    found.forEach((r, k) => {
      const path = joinPath(dir, scan.names[links[k]!]!);
      if (r.errno !== 0 || !('mode' in r)) throw changedWhile(path, 'it is gone, or a symlink stands in its path');
      if (typeOfMode(r.mode) !== 'symlink') throw changedWhile(path, `a ${typeOfMode(r.mode)} now stands where the symlink was`);
      targets[links[k]!] = r.data!;
    });
    return targets;
  }

  /** Records of the dir `path` and (depth first) everything below it. */
  async visit(path: string): Promise<void> {
    if (this.stopped) return;
    const scan = await this.scan(path);
    const order = orderOf(scan);
    const dir: ScannedDir = { root: this.root, path, scan, order, kinds: new Uint8Array(order.length), targets: [], made: new Map() };
    const stops: number[] = [];
    const links: number[] = [];
    this.classify(dir, stops, links);
    dir.targets = await this.linkTargets(path, scan, links);
    const f = this.flags;
    let from = 0;
    // The entries that need more than the scan, in tar order.
    for (const k of stops) {
      const i = order[k]!;
      const entryPath = joinPath(path, scan.names[i]!);
      const kind = dir.kinds[k]!;
      if (kind === RUN_FILE) {
        // Hard-linked: a link to the name it was first written under, if it was.
        const first = this.firstNameOf(entryPath, scan, i);
        if (first === undefined) continue;
        dir.kinds[k] = RUN_MADE;
        dir.made.set(k, scanRecord(entryPath, scan, i, 'hardlink', 0, undefined, first, undefined));
        this.bytes -= scan.size[i]!; // counted as a file's by classify
      } else if (kind === RUN_MADE) {
        // A metacopy file.
        const first = this.firstNameOf(entryPath, scan, i);
        const r = first !== undefined ? scanRecord(entryPath, scan, i, 'hardlink', 0, undefined, first, undefined) : await this.metacopyRecord(entryPath, scan, i);
        dir.made.set(k, r);
        this.count(r);
      } else if (kind === RUN_DIR) {
        // What is in so far (the dir itself too, and its opaque mark) goes to the writer before its content.
        const flags = scan.flags[i]!;
        if ((flags & (f.OPAQUE | f.REDIRECT)) === 0) this.addRun(dir, from, k + 1);
        else {
          this.addRun(dir, from, k);
          this.add([scanRecord(entryPath, scan, i, 'dir', 0, undefined, undefined, undefined), { kind: 'opaque', path: entryPath }]);
        }
        from = k + 1;
        if ((flags & f.REDIRECT) !== 0) await this.visitMerged(entryPath);
        else await this.visit(entryPath);
      } else throw changedWhile(entryPath, `a ${typeOfMode(scan.mode[i]!)} cannot be written to a layer`);
    }
    this.addRun(dir, from, order.length);
  }

  /**
   * What each of the dir's entries is, in one synchronous pass (the bulk of the work, kept out
   * of the async visit: a smaller function for the compiler). `stops` gets the positions of
   * the entries that need more, in tar order: a dir (its content comes next), a metacopy file
   * (RUN_MADE, its record needs the view), a file with other names (RUN_FILE until its first
   * name is known), a type no layer holds (RUN_BAD); `links` the scan indices of symlinks.
   */
  private classify(dir: ScannedDir, stops: number[], links: number[]): void {
    const { scan, order, kinds } = dir;
    const f = this.flags;
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      const flags = scan.flags[i]!;
      const type = typeOfMode(scan.mode[i]!);
      const metacopy = type === 'file' && (flags & (f.METACOPY | f.XATTR_WHITEOUT)) === f.METACOPY;
      const kind = metacopy ? RUN_MADE : (flags & (f.WHITEOUT_CHARDEV | f.XATTR_WHITEOUT)) !== 0 ? RUN_WHITEOUT : runKind(type);
      kinds[k] = kind; // one store for every kind: the compiled code has seen them all
      if (kind === RUN_FILE) this.bytes += scan.size[i]!;
      if (kind === RUN_SYMLINK) links.push(i);
      else if (metacopy || kind === RUN_DIR || kind === RUN_BAD || (kind === RUN_FILE && scan.nlink[i]! > 1)) stops.push(k);
    }
  }

  /** The name this file was first written under, when it is a hard link already met in tar order; else undefined (and this name noted when it has others). */
  private firstNameOf(path: string, scan: DirScan, i: number): string | undefined {
    if (scan.nlink[i]! <= 1) return undefined;
    const key = `upper:${scan.ino[i]!}`;
    const first = this.firstLinkOf.get(key);
    if (first === undefined) this.firstLinkOf.set(key, path);
    return first;
  }

  /** A metacopy file: the upper's metadata, the content of the layer the view finds its data in. */
  private async metacopyRecord(path: string, scan: DirScan, i: number): Promise<LayerRecord> {
    const e = await this.view.stat(path);
    if (e === undefined || e.layer !== 'upper' || e.type !== 'file' || e.ino !== scan.ino[i]) throw changedWhile(path, 'another file now stands in its place');
    return scanRecord(path, scan, i, 'file', e.size, undefined, undefined, sourceOf(this.view, e));
  }

  /** A redirected dir's whole merged content, from whichever layer holds each entry (as layerRecordWindows writes it). */
  private async visitMerged(dir: string): Promise<void> {
    const items = await mergedSubtreeEntries(this.view, dir);
    for await (const records of layerRecordWindows(this.view, items, { inline: false, firstLinkOf: this.firstLinkOf })) this.add(records);
  }
}

/**
 * The records of `view`'s upper layer in tar order, a window at a time, as the walk finds them
 * (a run of a dir's entries stands for their records); `onTotals` once the walk is over
 * (before the last window is handed out).
 */
export async function* upperRecordWindows(view: OverlayView, xattrPrefix: string, onTotals: (t: UpperTotals) => void): AsyncGenerator<UpperWindow> {
  const feed = new EntryFeed<UpperWindow>();
  const walk = new UpperWalk(view, xattrPrefix, feed);
  const done = walk.visit('/').then(
    () => {
      onTotals(walk.totals);
      feed.finish();
    },
    (e: unknown) => feed.fail(e),
  );
  try {
    for (let n = 0; ; n++) {
      await feed.until(n + 1);
      const window = feed.items[n];
      if (window === undefined) break;
      feed.items[n] = []; // handed out: not kept alive by the feed
      yield window;
    }
  } finally {
    walk.stopped = true;
    await done;
  }
}
