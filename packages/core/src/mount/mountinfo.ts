/**
 * Parsing /proc/self/mountinfo (proc(5)). Pure.
 *
 * The kernel escapes space, tab, newline and backslash in each field as octal (`\040`,
 * `\011`, `\012`, `\134`); overlayfs additionally shows commas in paths as `\054`, so a
 * raw comma in the super options is always a separator. Layer values come in two forms:
 * - `lowerdir=a:b::d` (mounted with the legacy string): overlay-escaped (`\:` `\,` `\\`),
 *   `:` between layers, `::` before data-only layers; upperdir/workdir escaped the same way;
 * - `lowerdir+=a`, `datadir+=d` (one per layer, new API): raw after octal decoding, and
 *   upperdir/workdir too.
 * Lines may be of any length (500 layers of 200 bytes is 100 KB).
 */
import { dirname, isAbsolute, resolve } from 'node:path';

export interface MountInfoEntry {
  mountId: number;
  parentId: number;
  major: number;
  minor: number;
  root: string;
  mountPoint: string;
  /** Per-mount options, e.g. ['rw', 'relatime']. */
  mountOptions: string[];
  optionalFields: string[];
  fstype: string;
  source: string;
  /** Super options exactly as the line has them (still escaped). */
  superOptions: string;
}

export interface OverlayMountInfo {
  mountId: number;
  target: string;
  /** Top-most first. */
  lower: string[];
  /** Data-only lower layers (after `::`, or `datadir+`). */
  data: string[];
  upper?: string;
  work?: string;
  /** Every other super option: `{ redirect_dir: 'on', userxattr: true, rw: true }`. */
  options: Record<string, string | true>;
  /**
   * Writes fail: the mount is read-only (`ro` in the per-mount options) or the overlay itself
   * is (`ro` in the super options: an overlay without upper always is).
   */
  readonly: boolean;
}

/** Decode `\NNN` octal escapes; bytes are reassembled so non-ASCII paths survive. */
export function unescapeOctal(field: string): string {
  if (!field.includes('\\')) return field;
  const bytes: number[] = [];
  const raw = Buffer.from(field, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === 0x5c && i + 3 < raw.length && isOctal(raw[i + 1]) && isOctal(raw[i + 2]) && isOctal(raw[i + 3])) {
      bytes.push(((raw[i + 1]! - 48) << 6) | ((raw[i + 2]! - 48) << 3) | (raw[i + 3]! - 48));
      i += 3;
    } else {
      bytes.push(c);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function isOctal(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 55;
}

/** Parse every line of a mountinfo text; malformed lines are skipped rather than guessed at. */
export function parseMountInfo(text: string): MountInfoEntry[] {
  const out: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const fields = line.split(' ');
    const sep = fields.indexOf('-', 6);
    if (sep < 0 || fields.length < sep + 4) continue;
    const [mountId, parentId, devno, root, mountPoint, mountOptions] = fields;
    const [major, minor] = (devno ?? '').split(':').map(Number);
    out.push({
      mountId: Number(mountId),
      parentId: Number(parentId),
      major: major ?? 0,
      minor: minor ?? 0,
      root: unescapeOctal(root ?? ''),
      mountPoint: unescapeOctal(mountPoint ?? ''),
      mountOptions: (mountOptions ?? '').split(','),
      optionalFields: fields.slice(6, sep),
      fstype: fields[sep + 1]!,
      source: unescapeOctal(fields[sep + 2]!),
      // Super options never contain a raw space (escaped as \040), so the rest is one field.
      superOptions: fields.slice(sep + 3).join(' '),
    });
  }
  return out;
}

/** Undo overlayfs's own escaping of a legacy-form value (`\x` → `x`). */
function unescapeOverlay(s: string): string {
  return s.replace(/\\(.)/gs, '$1');
}

/** Split a legacy `lowerdir=` value on unescaped `:`; `::` starts the data-only layers. */
export function splitLegacyLowerdir(value: string): { lower: string[]; data: string[] } {
  const lower: string[] = [];
  const data: string[] = [];
  let current = '';
  let inData = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      current += c + value[i + 1]!;
      i++;
    } else if (c === ':') {
      (inData ? data : lower).push(unescapeOverlay(current));
      current = '';
      if (value[i + 1] === ':') {
        inData = true;
        i++;
      }
    } else {
      current += c;
    }
  }
  (inData ? data : lower).push(unescapeOverlay(current));
  return { lower, data };
}

/** The overlay view of one mountinfo entry. */
export function toOverlayMountInfo(entry: MountInfoEntry): OverlayMountInfo {
  const items = entry.superOptions.split(',').map((item) => {
    const decoded = unescapeOctal(item);
    const eq = decoded.indexOf('=');
    return eq < 0 ? { key: decoded, value: true as const } : { key: decoded.slice(0, eq), value: decoded.slice(eq + 1) };
  });
  const legacyForm = items.some((i) => i.key === 'lowerdir');
  const info: OverlayMountInfo = { mountId: entry.mountId, target: entry.mountPoint, lower: [], data: [], options: {}, readonly: entry.mountOptions.includes('ro') };
  if (items.some((i) => i.key === 'ro' && i.value === true)) info.readonly = true;
  for (const { key, value } of items) {
    if (key === 'lowerdir' && value !== true) {
      const split = splitLegacyLowerdir(value);
      info.lower.push(...split.lower);
      info.data.push(...split.data);
    } else if (key === 'lowerdir+' && value !== true) {
      info.lower.push(value);
    } else if (key === 'datadir+' && value !== true) {
      info.data.push(value);
    } else if ((key === 'upperdir' || key === 'workdir') && value !== true) {
      info[key === 'upperdir' ? 'upper' : 'work'] = legacyForm ? unescapeOverlay(value) : value;
    } else if (key.length > 0) {
      // An own property even for `__proto__`: a plain assignment would set the prototype.
      Object.defineProperty(info.options, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return info;
}

/**
 * A layer path of a mounted overlay as an absolute path. containers/storage and Docker's
 * overlay2 mount a stack whose options would not fit in a page from their overlay home,
 * after a chdir, with every path relative to it: lowerdir=l/ABC:l/DEF (the short links),
 * upperdir=<id>/diff, workdir=<id>/work, on the mount point <home>/<id>/merged. The mount
 * table keeps those strings as they were given; the mount point is always absolute, so the
 * home is two levels above it. (Checked against podman's own mounts: podman-layout.test.ts.)
 */
export function overlayLayerPath(p: string, info: OverlayMountInfo): string {
  return isAbsolute(p) ? p : resolve(dirname(dirname(info.target)), p);
}

/**
 * The overlay view of a mount statmount(2) described: its options are the super options
 * of its mountinfo line (escaped alike), its mount point is already plain bytes.
 */
export function overlayFromStatmount(m: { mountId: number; mountPoint: string; options: string; readonly: boolean }): OverlayMountInfo {
  return toOverlayMountInfo({
    mountId: m.mountId, parentId: 0, major: 0, minor: 0, root: '/', mountPoint: m.mountPoint,
    mountOptions: m.readonly ? ['ro'] : ['rw'], optionalFields: [], fstype: 'overlay', source: '', superOptions: m.options,
  });
}

/** Every overlay mount in a mountinfo text, in table order. */
export function overlayMountsIn(text: string): OverlayMountInfo[] {
  return parseMountInfo(text)
    .filter((e) => e.fstype === 'overlay')
    .map(toOverlayMountInfo);
}
