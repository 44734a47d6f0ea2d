/**
 * What each entry of a layer tar means for the dir it is applied to, and which entries are
 * refused: the rules of applyLayer, pure (no I/O). A name is bytes; the plan's paths are
 * normalised relative paths ('a/b', '.' for the root) that never climb out.
 */
import { OvlError } from '../errors.js';
import { OPAQUE_MARK, WHITEOUT_PREFIX } from './layer-entries.js';
import type { TarEntry } from './tar/reader.js';

export interface ApplyRules {
  /** 'layer': whiteouts become 0/0 char devices and opaque markers the opaque xattr; 'rootfs': whiteouts delete, opaque markers empty the dir. */
  as: 'layer' | 'rootfs';
  /** Write user.overlay.opaque instead of trusted.overlay.opaque (layers for userxattr mounts). */
  userxattr?: boolean;
  /** Device nodes other than 0/0: refuse the archive (default), skip them, or create them. */
  devices?: 'refuse' | 'skip' | 'create';
  /** xattrs to keep: 'user' (default: user.* only) or 'all' (trusted.* and security.* too). overlay's own are never kept. */
  xattrs?: 'user' | 'all';
  /** Keep setuid/setgid bits (default: cleared). */
  keepSetid?: boolean;
}

export type PlannedEntry =
  | { op: 'write'; rel: Buffer; entry: TarEntry; linkTarget?: Buffer }
  | { op: 'whiteout'; rel: Buffer }
  | { op: 'opaque'; dir: Buffer }
  | { op: 'skip'; why: 'aufs-metadata' | 'device' | 'root' };

/** How a name reads in a message: printable, bytes escaped. */
export function shown(name: Buffer): string {
  return [...name].map((c) => (c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`)).join('');
}

export function unsafe(name: Buffer, why: string, offset: number): OvlError {
  return new OvlError('ERR_OVL_TAR_UNSAFE', `ovl: the archive's entry '${shown(name)}' (byte ${offset}) ${why}: refused, nothing was written`, {
    hint: 'The archive tries to write outside the dir it is applied to, or holds what a layer must not; it was not applied.',
  });
}

/**
 * A tar name as a path beneath the dir: './' prefixes and repeated or trailing slashes
 * dropped, '.' components dropped; absolute names and '..' components refused. The root
 * itself ('.', './') is '.'.
 */
export function normalise(name: Buffer, offset: number): Buffer {
  if (name.length === 0) throw unsafe(name, 'has an empty name', offset);
  if (name[0] === 0x2f) throw unsafe(name, 'is an absolute path', offset);
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= name.length; i++) {
    if (i < name.length && name[i] !== 0x2f) continue;
    const part = name.subarray(start, i);
    start = i + 1;
    if (part.length === 0 || (part.length === 1 && part[0] === 0x2e)) continue;
    if (part.length === 2 && part[0] === 0x2e && part[1] === 0x2e) throw unsafe(name, "climbs out with '..'", offset);
    parts.push(part);
  }
  if (parts.length === 0) return Buffer.from('.');
  return Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from('/'), p])));
}

export function parentOf(rel: Buffer): Buffer {
  const slash = rel.lastIndexOf(0x2f);
  return slash < 0 ? Buffer.from('.') : rel.subarray(0, slash);
}

function baseOf(rel: Buffer): Buffer {
  return rel.subarray(rel.lastIndexOf(0x2f) + 1);
}

function join(dir: Buffer, name: Buffer): Buffer {
  return dir.length === 1 && dir[0] === 0x2e ? name : Buffer.concat([dir, Buffer.from('/'), name]);
}

const WH = Buffer.from(WHITEOUT_PREFIX);
const OPQ = Buffer.from(OPAQUE_MARK);
const AUFS_META = Buffer.from(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`);

/** The xattrs an entry keeps under the rules: never overlay's own; trusted.* and security.* only with xattrs: 'all'. */
export function keptXattrs(xattrs: ReadonlyArray<[string, Buffer]>, rules: ApplyRules): Array<[string, Buffer]> {
  return xattrs.filter(([name]) => {
    if (name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.')) return false;
    if (rules.xattrs === 'all') return true;
    return name.startsWith('user.');
  });
}

/** What one entry means. @throws OvlError ERR_OVL_TAR_UNSAFE for an entry no dir may take. */
export function planEntry(e: TarEntry, rules: ApplyRules): PlannedEntry {
  const rel = normalise(e.name, e.offset);
  const base = baseOf(rel);
  if (base.subarray(0, WH.length).equals(WH)) {
    if (base.equals(OPQ)) return { op: 'opaque', dir: parentOf(rel) };
    if (base.subarray(0, AUFS_META.length).equals(AUFS_META)) return { op: 'skip', why: 'aufs-metadata' };
    const target = base.subarray(WH.length);
    if (target.length === 0 || target.equals(Buffer.from('.')) || target.equals(Buffer.from('..'))) throw unsafe(e.name, `whites out '${shown(target)}'`, e.offset);
    return { op: 'whiteout', rel: join(parentOf(rel), target) };
  }
  if (rel.equals(Buffer.from('.'))) {
    if (e.type !== 'dir') throw unsafe(e.name, 'names the root as something other than a dir', e.offset);
    return { op: 'skip', why: 'root' };
  }
  if ((e.type === 'chardev' || e.type === 'blockdev') && !(e.type === 'chardev' && e.devmajor === 0 && e.devminor === 0)) {
    if (rules.devices === 'create') return { op: 'write', rel, entry: e };
    if (rules.devices === 'skip') return { op: 'skip', why: 'device' };
    throw unsafe(e.name, `is a device node (${e.type} ${e.devmajor}:${e.devminor}); pass devices: 'create' or 'skip' to accept such archives`, e.offset);
  }
  if (e.type === 'hardlink') {
    const target = normalise(e.linkname, e.offset);
    if (target.equals(Buffer.from('.'))) throw unsafe(e.name, 'is a hard link to the root', e.offset);
    if (target.equals(rel)) throw unsafe(e.name, 'is a hard link to itself', e.offset);
    return { op: 'write', rel, entry: e, linkTarget: target };
  }
  return { op: 'write', rel, entry: e };
}
