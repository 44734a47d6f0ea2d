/**
 * The public shape of an overlay mount request, and its normalisation: relative paths
 * resolve against the current directory (as mount(8) does: the article uses
 * `lowerdir=lower/`). Pure: no I/O.
 */
import { resolve } from 'node:path';

/** Overlay mount options (overlayfs params). Booleans become flags or on/off as the kernel expects. */
export interface OverlayOptions {
  redirect_dir?: 'on' | 'off' | 'follow' | 'nofollow';
  index?: boolean;
  metacopy?: boolean;
  nfs_export?: boolean;
  xino?: 'on' | 'off' | 'auto';
  uuid?: 'on' | 'off' | 'null' | 'auto';
  verity?: 'on' | 'off' | 'require';
  userxattr?: boolean;
  volatile?: boolean;
  default_permissions?: boolean;
  /** Any other overlayfs parameter, passed through as one key (never parsed for separators). */
  [key: string]: string | boolean | undefined;
}

export interface OverlaySpec {
  /** Lower dirs, top-most first: the order of `lowerdir=`. */
  lower: string[];
  /** Data-only lower layers (`datadir+`, the part after `::`); need metacopy/redirect to be useful. */
  data?: string[];
  /** Upper and work: both or neither (neither = a read-only overlay, which needs at least two lower dirs). */
  upper?: string;
  work?: string;
  target: string;
  options?: OverlayOptions;
  /** MOUNT_ATTR_RDONLY / MS_RDONLY. */
  readonly?: boolean;
  /** Mount flags worth setting for layers from untrusted sources. */
  nosuid?: boolean;
  nodev?: boolean;
  noexec?: boolean;
  /** 'auto' (default): the new mount API; legacy mount(2) only where the kernel lacks what it needs. */
  api?: 'auto' | 'new' | 'legacy';
  /**
   * Mount even when the upper or work dir is in use by another live overlay. The kernel
   * allows it (with index=off) but calls it undefined behaviour, and says so only in its log:
   * by default the mount is refused with ERR_OVL_LAYER_IN_USE.
   */
  allowInUse?: boolean;
}

/** A spec with absolute paths and every optional part made explicit. */
export interface NormalizedSpec {
  lower: string[];
  data: string[];
  upper: string | undefined;
  work: string | undefined;
  target: string;
  options: OverlayOptions;
  readonly: boolean;
  nosuid: boolean;
  nodev: boolean;
  noexec: boolean;
  api: 'auto' | 'new' | 'legacy';
  allowInUse: boolean;
}

/** Resolve relative paths and fill in defaults; argument *types* are checked here too (the better-sqlite3 habit). */
export function normalizeSpec(spec: OverlaySpec, cwd: string = process.cwd()): NormalizedSpec {
  if (spec === null || typeof spec !== 'object') throw new TypeError('The "spec" argument must be an object with lower, target and optionally upper/work.');
  if (!Array.isArray(spec.lower)) throw new TypeError('The "spec.lower" property must be an array of paths (top-most first).');
  const abs = (p: unknown, what: string): string => {
    if (typeof p !== 'string') throw new TypeError(`The "${what}" property must be a string path; received ${p === null ? 'null' : typeof p}.`);
    // An empty path would resolve to cwd silently; refuse it as the kernel would.
    if (p.length === 0) throw new TypeError(`The "${what}" property must not be an empty string.`);
    return resolve(cwd, p);
  };
  const api = spec.api ?? 'auto';
  if (api !== 'auto' && api !== 'new' && api !== 'legacy') throw new TypeError(`The "spec.api" property must be 'auto', 'new' or 'legacy'; received '${String(api)}'.`);
  return {
    lower: spec.lower.map((p, i) => abs(p, `spec.lower[${i}]`)),
    data: (spec.data ?? []).map((p, i) => abs(p, `spec.data[${i}]`)),
    upper: spec.upper === undefined ? undefined : abs(spec.upper, 'spec.upper'),
    work: spec.work === undefined ? undefined : abs(spec.work, 'spec.work'),
    target: abs(spec.target, 'spec.target'),
    options: { ...(spec.options ?? {}) },
    readonly: spec.readonly === true,
    nosuid: spec.nosuid === true,
    nodev: spec.nodev === true,
    noexec: spec.noexec === true,
    api,
    allowInUse: spec.allowInUse === true,
  };
}

/** Every layer dir of a spec with the name it has in messages ('lower[2]', 'upper', ...). */
export function layerPaths(spec: NormalizedSpec): Array<{ role: string; path: string }> {
  const out: Array<{ role: string; path: string }> = [];
  spec.lower.forEach((path, i) => out.push({ role: `lower[${i}]`, path }));
  spec.data.forEach((path, i) => out.push({ role: `data[${i}]`, path }));
  if (spec.upper !== undefined) out.push({ role: 'upper', path: spec.upper });
  if (spec.work !== undefined) out.push({ role: 'work', path: spec.work });
  return out;
}
