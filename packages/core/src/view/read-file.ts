/**
 * Reading what an entry of the view holds, safely as root while untrusted processes change
 * the layer: the path is resolved beneath the layer root with no symlinks on the way and
 * opened without blocking (native readBeneath: openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS,
 * O_NOFOLLOW|O_NONBLOCK), and what was opened is checked against what the view saw — the
 * same file (inode) for an entry read from its own layer, a regular file for a metacopy
 * file's data, a symlink for a symlink. Anything else (a symlink or a FIFO swapped in, a
 * path leaving the layer, a file gone) is ERR_OVL_CHANGED_WHILE_READING: never a host file,
 * never a hung thread.
 */
import { binding } from '../binding.js';
import { OvlError, publicError, SystemError } from '../errors.js';
import { isRegularMode, typeOfMode } from '../format/file-types.js';
import type { LayerStack } from './layer-stack.js';
import type { LayerId, MergedEntry } from './types.js';

/** What a layer answers when the path changed under the view. */
const CHANGED = new Set(['ELOOP', 'EXDEV', 'ENOENT', 'ENOTDIR']);

export interface ReadRange {
  offset?: number;
  length?: number;
}

function changed(entry: MergedEntry, what: string): OvlError {
  return new OvlError('ERR_OVL_CHANGED_WHILE_READING', `ovl: '${entry.path}' changed while reading: ${what}`, {
    path: entry.path,
    hint: 'The layer was changed since the view read it (a running container writes it): read the entry again (stat) and retry.',
  });
}

/** The layer root of `id`, and the path inside it of an absolute `path` in that layer. */
function inLayer(stack: LayerStack, id: LayerId, path: string): { root: string; rel: string } {
  const root = stack.layers.find((l) => l.id === id)!.root;
  const rel = path === root ? '.' : path.slice(root.length + 1);
  return { root, rel };
}

/**
 * The bytes of a file entry (from its data layer for a metacopy file), or a symlink's target.
 * @throws OvlError ERR_OVL_CHANGED_WHILE_READING, ERR_OVL_NOT_A_FILE; TypeError for a bad range.
 */
export async function readEntry(stack: LayerStack, entry: MergedEntry, range: ReadRange = {}): Promise<Buffer> {
  const offset = range.offset ?? 0;
  const length = range.length ?? Math.max(0, entry.size - offset);
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new TypeError('The "offset" and "length" of a read must be non-negative integers.');
  }
  if (entry.type !== 'file' && entry.type !== 'symlink') {
    throw new OvlError('ERR_OVL_NOT_A_FILE', `ovl: '${entry.path}' is a ${entry.type}: only files and symlinks have contents to read`, { path: entry.path });
  }
  const link = entry.type === 'symlink';
  const fromData = !link && entry.dataPath !== undefined && entry.dataLayer !== undefined;
  const { root, rel } = fromData ? inLayer(stack, entry.dataLayer!, entry.dataPath!) : inLayer(stack, entry.layer, entry.sourcePath);
  let got;
  try {
    got = await binding().readBeneathAsync(root, rel, offset, length, link);
  } catch (e) {
    if (e instanceof SystemError && CHANGED.has(e.code)) throw changed(entry, e.code === 'ELOOP' ? 'a symlink now stands in its path' : e.code === 'EXDEV' ? 'its path leads out of the layer' : 'it is gone');
    throw publicError(e, readEntry);
  }
  if (link) {
    if (typeOfMode(got.mode) !== 'symlink') throw changed(entry, `a ${typeOfMode(got.mode)} now stands where the symlink was`);
    return got.link!;
  }
  if (!isRegularMode(got.mode)) throw changed(entry, `a ${typeOfMode(got.mode)} now stands where the file was`);
  // Read from its own layer, the file must be the one the view saw (not one put in its place).
  if (!fromData && Number(got.ino) !== entry.ino) throw changed(entry, 'another file now stands in its place');
  return got.data;
}
