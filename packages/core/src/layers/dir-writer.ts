/**
 * Layer records written into a dir: as an overlay layer (a whiteout as a 0/0 char device, an
 * opaque mark as the opaque xattr on its dir) or as a plain tree (flatten: no marks). Every
 * write beneath the dir's root, never through a symlink (beneath-batch.ts).
 */
import { overlayXattr } from '../format/overlay-xattrs.js';
import { BeneathBatch, splitMs, whiteoutEntry } from './beneath-batch.js';
import type { LayerRecord } from './layer-records.js';

const CHUNK = 1 << 20;

export interface DirWriteResult {
  entries: number;
  bytes: number;
}

/** A record's overlay path as a path beneath the dir's root. */
const relOf = (path: string): string => path.slice(1);

/**
 * Write `records` into `dir`. `opaqueDirs`: the dirs to mark opaque (known before their own
 * record goes by); with `as: 'tree'` whiteout and opaque records are not written.
 */
export async function writeRecords(
  records: AsyncIterable<LayerRecord>,
  dir: string,
  opts: { as: 'layer' | 'tree'; userxattr?: boolean; opaqueDirs?: ReadonlySet<string>; owners?: boolean },
): Promise<DirWriteResult> {
  const batch = new BeneathBatch(dir);
  const result: DirWriteResult = { entries: 0, bytes: 0 };
  const owners = opts.owners ?? process.getuid?.() === 0;
  const opaque: [string, Buffer] = [overlayXattr('opaque', { userxattr: opts.userxattr === true }), Buffer.from('y')];
  for await (const r of records) {
    if (r.kind !== 'entry') {
      if (opts.as === 'layer' && r.kind === 'whiteout') {
        await batch.push(whiteoutEntry(relOf(r.path), owners));
        result.entries++;
      }
      continue; // an opaque mark rides on its dir's own record
    }
    result.entries++;
    const rel = relOf(r.path);
    const times = splitMs(r.mtimeMs);
    const xattrs = opts.as === 'layer' && r.type === 'dir' && opts.opaqueDirs?.has(r.path) ? [...r.xattrs, opaque] : r.xattrs;
    const meta = { mode: r.mode, ...(owners && { uid: r.uid, gid: r.gid }), ...times, ...(xattrs.length > 0 && { xattrs }) };
    switch (r.type) {
      case 'file': {
        if (!r.content || r.size === 0) {
          await batch.push({ kind: 'file', rel, data: Buffer.alloc(0), ...meta });
          break;
        }
        let offset = 0;
        for await (const data of r.content(CHUNK)) {
          const last = offset + data.length === r.size;
          await batch.push({ kind: 'file', rel, data, offset, first: offset === 0, last, ...(last ? meta : {}) });
          offset += data.length;
        }
        result.bytes += r.size;
        break;
      }
      case 'dir':
        await batch.push({ kind: 'dir', rel, ...meta });
        batch.dirTime(rel, times.mtimeSec, times.mtimeNsec);
        break;
      case 'symlink':
        await batch.push({ kind: 'symlink', rel, target: r.linkname!, ...(owners && { uid: r.uid, gid: r.gid }), ...times });
        break;
      case 'hardlink':
        await batch.push({ kind: 'hardlink', rel, target: relOf(r.linkTo!) });
        break;
      default:
        await batch.push({ kind: r.type, rel, devMajor: r.devMajor, devMinor: r.devMinor, ...meta });
    }
  }
  await batch.finish();
  return result;
}
