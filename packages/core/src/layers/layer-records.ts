/**
 * The entries of a layer as records ready to write — into a tar (exportLayer) or into a dir
 * (commit, flatten) — with metadata read fresh beneath each entry's layer root (native
 * statBeneath) and content read the same safe way (view.readFile), chunk by chunk. Hard links
 * within a layer become links to the first name in order. A file swapped for something else
 * between the view's scan and this read is ERR_OVL_CHANGED_WHILE_READING, never a host file.
 */
import { binding } from '../binding.js';
import { OvlError, SystemError } from '../errors.js';
import { typeOfMode } from '../format/file-types.js';
import { isOverlayXattr } from '../format/overlay-xattrs.js';
import type { LayerId, MergedEntry, OverlayView } from '../view/types.js';
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
    };

const TYPES: Partial<Record<MergedEntry['type'], RecordType>> = { file: 'file', dir: 'dir', symlink: 'symlink', fifo: 'fifo', chardev: 'chardev', blockdev: 'blockdev' };

export function changedWhile(path: string, what: string): OvlError {
  return new OvlError('ERR_OVL_CHANGED_WHILE_READING', `ovl: '${path}' changed while reading it: ${what}`, {
    path,
    hint: 'The layer was changed while ovl read it (a running container writes it): try again, or stop the container first.',
  });
}

function layerRoot(view: OverlayView, id: LayerId): string {
  return id === 'upper' ? view.layers.upper! : view.layers.lower[id]!;
}

async function statInLayer(view: OverlayView, e: MergedEntry): Promise<ReturnType<ReturnType<typeof binding>['statBeneath']>> {
  const root = layerRoot(view, e.layer);
  const rel = e.sourcePath === root ? '.' : e.sourcePath.slice(root.length + 1);
  try {
    return await binding().statBeneathAsync(root, rel);
  } catch (err) {
    if (err instanceof SystemError && ['ELOOP', 'EXDEV', 'ENOENT', 'ENOTDIR'].includes(err.code)) throw changedWhile(e.path, 'it is gone, or a symlink stands in its path');
    throw err;
  }
}

async function* contentOf(view: OverlayView, e: MergedEntry, chunk: number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < e.size; ) {
    const want = Math.min(chunk, e.size - offset);
    const data = await view.readFile(e, { offset, length: want });
    if (data.length !== want) throw changedWhile(e.path, `it is ${offset + data.length} bytes now, not ${e.size}`);
    offset += want;
    yield data;
  }
}

/** Bytes of content the records will carry: each file once, however many links it has. */
export function contentBytes(items: readonly LayerEntry[]): number {
  const seen = new Set<string>();
  let n = 0;
  for (const i of items) {
    if (i.kind !== 'entry' || i.entry.type !== 'file') continue;
    const key = `${i.entry.layer}:${i.entry.ino}`;
    if (seen.has(key)) continue;
    seen.add(key);
    n += i.entry.size;
  }
  return n;
}

/** Records for `items`, in order. */
export async function* layerRecords(view: OverlayView, items: readonly LayerEntry[]): AsyncGenerator<LayerRecord> {
  const firstLinkOf = new Map<string, string>();
  for (const item of items) {
    if (item.kind !== 'entry') {
      yield item;
      continue;
    }
    const e = item.entry;
    const type = TYPES[e.type];
    if (type === undefined) throw changedWhile(e.path, `a ${e.type} cannot be written to a layer`);
    const st = await statInLayer(view, e);
    // A metacopy file's upper is a regular file like its data; any other change of type is a swap.
    if (typeOfMode(st.mode) !== e.type) throw changedWhile(e.path, `a ${typeOfMode(st.mode)} now stands where the ${e.type} was`);
    const base = {
      kind: 'entry' as const,
      path: e.path,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      mtimeMs: st.mtimeMs,
      xattrs: st.xattrs.filter(([name]) => !isOverlayXattr(name)),
      devMajor: st.rdevMajor,
      devMinor: st.rdevMinor,
      size: 0,
    };
    if (type === 'symlink') {
      yield { ...base, type, linkname: await view.readFile(e) };
      continue;
    }
    if (type !== 'file') {
      yield { ...base, type };
      continue;
    }
    if (e.nlink > 1) {
      const key = `${e.layer}:${e.ino}`;
      const first = firstLinkOf.get(key);
      if (first !== undefined) {
        yield { ...base, type: 'hardlink', linkTo: first };
        continue;
      }
      firstLinkOf.set(key, e.path);
    }
    yield { ...base, type, size: e.size, content: (chunk) => contentOf(view, e, chunk) };
  }
}
