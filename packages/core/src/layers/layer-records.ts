/**
 * The entries of a layer as records ready to write — into a tar (exportLayer) or into a dir
 * (commit, flatten) — with metadata read fresh beneath each entry's layer root (native
 * statBeneath) and content read the same safe way (view.readFile), chunk by chunk. Hard links
 * within a layer become links to the first name in order. A file swapped for something else
 * between the view's scan and this read is ERR_OVL_CHANGED_WHILE_READING, never a host file.
 */
import type { BeneathStat } from '../binding.js';
import { binding } from '../binding.js';
import { OvlError } from '../errors.js';
import { typeOfMode } from '../format/file-types.js';
import { isOverlayXattr } from '../format/overlay-xattrs.js';
import type { LayerId, MergedEntry, OverlayView } from '../view/types.js';
import { EntryFeed } from './entry-feed.js';
import type { LayerEntry } from './layer-entries.js';

export type RecordType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'chardev' | 'blockdev' | 'fifo';

export type LayerRecord =
  | { kind: 'whiteout'; path: string }
  | { kind: 'opaque'; path: string }
  | {
      kind: 'entry';
      path: string;
      type: RecordType;
      mode: number;
      uid: number;
      gid: number;
      mtimeMs: number;
      /** Every xattr but overlay's own. */
      xattrs: Array<[string, Buffer]>;
      devMajor: number;
      devMinor: number;
      /** A symlink's target. */
      linkname?: Buffer;
      /** A hard link: the path of the record that carries the data. */
      linkTo?: string;
      /** Bytes of content (files that carry data; 0 otherwise). */
      size: number;
      /** The content, in chunks of at most `chunk` bytes (files that carry data). */
      content?: (chunk: number) => AsyncGenerator<Buffer>;
      /** Where the content is, for a reader of its own (native streamBeneath): `rel` beneath the layer dir `root`, the inode it must be (0: any, a metacopy file's data). */
      source?: ContentSource;
    };

export interface ContentSource {
  root: string;
  rel: string;
  ino: number;
}

export const TYPES: Partial<Record<MergedEntry['type'], RecordType>> = { file: 'file', dir: 'dir', symlink: 'symlink', fifo: 'fifo', chardev: 'chardev', blockdev: 'blockdev' };

export function changedWhile(path: string, what: string): OvlError {
  return new OvlError('ERR_OVL_CHANGED_WHILE_READING', `ovl: '${path}' changed while reading it: ${what}`, {
    path,
    hint: 'The layer was changed while ovl read it (a running container writes it): try again, or stop the container first.',
  });
}

function layerRoot(view: OverlayView, id: LayerId): string {
  return id === 'upper' ? view.layers.upper! : view.layers.lower[id]!;
}

/** A file's content in chunks, the next chunk read while the caller writes this one. */
async function* contentOf(view: OverlayView, e: MergedEntry, chunk: number, first?: Buffer): AsyncGenerator<Buffer> {
  const read = async (offset: number): Promise<Buffer> => {
    const want = Math.min(chunk, e.size - offset);
    const data = await view.readFile(e, { offset, length: want });
    if (data.length !== want) throw changedWhile(e.path, `it is ${offset + data.length} bytes now, not ${e.size}`);
    return data;
  };
  let offset = 0;
  let next: Promise<Buffer> | undefined = e.size > 0 ? (first !== undefined ? Promise.resolve(first) : read(0)) : undefined;
  while (next !== undefined) {
    const data = await next;
    offset += data.length;
    next = offset < e.size ? read(offset) : undefined;
    next?.catch(() => undefined); // surfaced when awaited; never an unhandled rejection meanwhile
    yield data;
  }
}

/** Bytes of content the records will carry: each file once, however many links it has. */
export function contentBytes(items: readonly LayerEntry[]): number {
  const seen = new Set<string>();
  let n = 0;
  for (const i of items) {
    if (i.kind !== 'entry' || i.entry.type !== 'file') continue;
    if (i.entry.nlink <= 1) {
      n += i.entry.size; // no other name can carry it
      continue;
    }
    const key = `${i.entry.layer}:${i.entry.ino}`;
    if (seen.has(key)) continue;
    seen.add(key);
    n += i.entry.size;
  }
  return n;
}

/** Files this small are read whole, in the same native call that stats them. */
const SMALL = 256 << 10;
/** Entries looked at per native call; the next window is read while this one is written. */
const WINDOW = 256;

interface Prepared {
  st: BeneathStat;
  /** A small file's whole content, or a symlink's target. */
  data?: Buffer;
}

function relIn(root: string, path: string): string {
  return path === root ? '.' : path.slice(root.length + 1);
}

/**
 * Stat (and read, for small files and symlinks) the entries items[from, to) — one native call
 * per layer root they live in — checking each is still what the view saw.
 */
async function prepareWindow(view: OverlayView, items: readonly LayerEntry[], from: number, to: number, inlineMax: number): Promise<Map<number, Prepared>> {
  const byRoot = new Map<string, number[]>();
  for (let i = from; i < Math.min(to, items.length); i++) {
    const item = items[i]!;
    if (item.kind !== 'entry' || TYPES[item.entry.type] === undefined) continue;
    const root = layerRoot(view, item.entry.layer);
    const list = byRoot.get(root);
    if (list === undefined) byRoot.set(root, [i]);
    else list.push(i);
  }
  const out = new Map<number, Prepared>();
  await Promise.all(
    [...byRoot].map(async ([root, indices]) => {
      const found = await binding().statManyBeneathAsync(root, indices.map((i) => relIn(root, (items[i] as { entry: MergedEntry }).entry.sourcePath)), inlineMax);
      indices.forEach((i, k) => {
        const e = (items[i] as { entry: MergedEntry }).entry;
        const r = found[k]!;
        if (r.errno !== 0 || !('mode' in r)) throw changedWhile(e.path, 'it is gone, or a symlink stands in its path');
        // A metacopy file's upper is a regular file like its data; any other change of type is a swap.
        if (typeOfMode(r.mode) !== e.type) throw changedWhile(e.path, `a ${typeOfMode(r.mode)} now stands where the ${e.type} was`);
        if (e.type === 'file' && !e.metacopy && r.ino !== e.ino) throw changedWhile(e.path, 'another file now stands in its place');
        // A metacopy file's data is in another layer: read later, through the view.
        const data = e.type === 'symlink' || (e.type === 'file' && !e.metacopy) ? r.data : undefined;
        if (e.type === 'file' && data !== undefined && data.length !== e.size) throw changedWhile(e.path, `it is ${data.length} bytes now, not ${e.size}`);
        out.set(i, { st: r, ...(data !== undefined && { data }) });
      });
    }),
  );
  return out;
}

/** Where a file entry's content is read from: its own layer, or a metacopy file's data layer. */
export function sourceOf(view: OverlayView, e: MergedEntry): ContentSource {
  if (e.dataLayer !== undefined && e.dataPath !== undefined) {
    const root = layerRoot(view, e.dataLayer);
    return { root, rel: relIn(root, e.dataPath), ino: 0 };
  }
  const root = layerRoot(view, e.layer);
  return { root, rel: relIn(root, e.sourcePath), ino: e.ino };
}

export type EntryRecord = Extract<LayerRecord, { kind: 'entry' }>;

/** The fields of a record an entry's stat gives. */
export type EntryStat = Pick<BeneathStat, 'mode' | 'uid' | 'gid' | 'mtimeMs' | 'xattrs' | 'rdevMajor' | 'rdevMinor'>;

/** The xattrs a layer carries of an entry's: all but overlay's own. */
export function layerXattrs(xattrs: Array<[string, Buffer]>): Array<[string, Buffer]> {
  return xattrs.length === 0 ? xattrs : xattrs.filter(([name]) => !isOverlayXattr(name));
}

/** One record, every field present (one object shape for all: tens of thousands per layer). */
export function entryRecord(path: string, st: EntryStat, type: RecordType, size: number, more: Pick<EntryRecord, 'linkname' | 'linkTo' | 'content' | 'source'>): EntryRecord {
  return {
    kind: 'entry',
    path,
    type,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    mtimeMs: st.mtimeMs,
    xattrs: layerXattrs(st.xattrs),
    devMajor: st.rdevMajor,
    devMinor: st.rdevMinor,
    size,
    linkname: more.linkname,
    linkTo: more.linkTo,
    content: more.content,
    source: more.source,
  };
}

/**
 * Records for `items`, in order, a window at a time (one array per native call: no promise per
 * entry for a caller that writes them synchronously); the next window of entries is stat'ed
 * (and small files read) meanwhile. `inline` false: no content is read ahead (the caller reads
 * it through `source`).
 */
export async function* layerRecordWindows(
  view: OverlayView,
  entries: readonly LayerEntry[] | EntryFeed,
  { inline = true, firstLinkOf = new Map<string, string>() }: { inline?: boolean; firstLinkOf?: Map<string, string> } = {},
): AsyncGenerator<LayerRecord[]> {
  const feed = entries instanceof EntryFeed ? entries : new EntryFeed([...entries]);
  const items = feed.items;
  const inlineMax = inline ? SMALL : 0;
  // A window is looked at once the feed holds all of it (or all there will be).
  const windowAt = (from: number): Promise<Map<number, Prepared>> => feed.until(from + WINDOW).then(() => prepareWindow(view, items, from, from + WINDOW, inlineMax));
  let next = windowAt(0);
  for (let from = 0; ; from += WINDOW) {
    const prepared = await next;
    if (from >= items.length) break; // the feed is over (else it would hold this whole window)
    next = windowAt(from + WINDOW);
    next.catch(() => undefined); // surfaced when its turn comes
    const out: LayerRecord[] = [];
    for (let i = from; i < Math.min(from + WINDOW, items.length); i++) {
      const item = items[i]!;
      if (item.kind !== 'entry') {
        out.push(item);
        continue;
      }
      const e = item.entry;
      const type = TYPES[e.type];
      if (type === undefined) throw changedWhile(e.path, `a ${e.type} cannot be written to a layer`);
      const { st, data } = prepared.get(i)!;
      if (type === 'symlink') {
        out.push(entryRecord(e.path, st, type, 0, { linkname: data ?? (await view.readFile(e)) }));
        continue;
      }
      if (type !== 'file') {
        out.push(entryRecord(e.path, st, type, 0, {}));
        continue;
      }
      if (e.nlink > 1) {
        const key = `${e.layer}:${e.ino}`;
        const first = firstLinkOf.get(key);
        if (first !== undefined) {
          out.push(entryRecord(e.path, st, 'hardlink', 0, { linkTo: first }));
          continue;
        }
        firstLinkOf.set(key, e.path);
      }
      out.push(
        entryRecord(e.path, st, type, e.size, {
          content: (chunk) => contentOf(view, e, chunk, data !== undefined && data.length <= chunk ? data : undefined),
          source: sourceOf(view, e),
        }),
      );
    }
    yield out;
  }
}

/** layerRecords one by one (commit, flatten). */
export async function* layerRecords(view: OverlayView, items: readonly LayerEntry[], opts: { inline?: boolean } = {}): AsyncGenerator<LayerRecord> {
  for await (const window of layerRecordWindows(view, items, opts)) yield* window;
}
