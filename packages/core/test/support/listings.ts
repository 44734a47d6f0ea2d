/**
 * Directory listings written as data, for the pure rules (resolve.ts, diff-rules.ts): a
 * DirListing over a made-up scan, with no filesystem behind it.
 */
import type { DirScan } from '../../src/binding.js';
import { scanFlags } from '../../src/format/scan-flags.js';
import { DirListing } from '../../src/view/listing.js';

export type Kind = 'file' | 'dir' | 'wh' | 'xwh' | 'opaque' | 'metacopy' | 'symlink';

export interface Spec {
  kind: Kind;
  redirect?: string;
  size?: number;
  /** Permission bits (default 0o755 for dirs, 0o644 for files). */
  perm?: number;
  /** st_mtime as whole seconds and nanoseconds (default 0, 0). */
  mtime?: [number, number];
}

const TYPE: Record<Kind, number> = { file: 0o100000, dir: 0o40000, wh: 0o20000, xwh: 0o100000, opaque: 0o40000, metacopy: 0o100000, symlink: 0o120000 };
const PERM: Record<Kind, number> = { file: 0o644, dir: 0o755, wh: 0, xwh: 0, opaque: 0o755, metacopy: 0o644, symlink: 0o777 };

export function listing(dir: string, entries: Record<string, Spec>): DirListing {
  const F = scanFlags();
  const FLAGS: Record<Kind, number> = { file: 0, dir: 0, wh: F.WHITEOUT_CHARDEV, xwh: F.XATTR_WHITEOUT, opaque: F.OPAQUE, metacopy: F.METACOPY, symlink: 0 };
  const names = Object.keys(entries);
  const specs = Object.values(entries);
  const scan = {
    count: names.length,
    names,
    mode: Uint32Array.from(specs.map((e) => TYPE[e.kind] | (e.perm ?? PERM[e.kind]))),
    size: Float64Array.from(specs.map((e) => e.size ?? 0)),
    mtimeSec: Float64Array.from(specs.map((e) => e.mtime?.[0] ?? 0)),
    mtimeNs: Uint32Array.from(specs.map((e) => e.mtime?.[1] ?? 0)),
    flags: Uint8Array.from(specs.map((e) => FLAGS[e.kind] | (e.redirect !== undefined ? F.REDIRECT : 0))),
    redirect: specs.map((e) => e.redirect),
  } as unknown as DirScan;
  return new DirListing(scan, dir);
}
