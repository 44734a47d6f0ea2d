/**
 * How a spec becomes what the kernel reads. Pure: no I/O, constants passed in.
 *
 * - New mount API: one fsconfig call per layer (`lowerdir+`, `datadir+` — 6.8+) and per
 *   option, so no byte of a path is ever parsed as syntax. With kernel 6.13+ each layer
 *   goes as a file descriptor (FSCONFIG_SET_FD): no length cap, no escaping, and the
 *   directory checked is the directory mounted.
 * - Legacy mount(2): one comma-separated string. The kernel unescapes `\,` `\:` `\\` in
 *   lowerdir/upperdir/workdir, and copies only one page of data, cutting the rest
 *   *silently* — so we escape per path and refuse what would not fit.
 */
import type { FsParam } from '../binding.js';
import { OvlError } from '../errors.js';
import type { NormalizedSpec, OverlayOptions } from './spec.js';

/** OVL_MAX_STACK in fs/overlayfs/params.h. */
export const MAX_LOWER_LAYERS = 500;
/** fsconfig(FSCONFIG_SET_STRING) refuses values longer than this (fs/fsopen.c: strndup_user(.., 256)). */
export const MAX_FSCONFIG_STRING = 255;

const LAYER_KEYS = new Set(['lowerdir', 'lowerdir+', 'upperdir', 'workdir', 'datadir+']);
/** Options whose boolean form is a bare flag; every other boolean becomes on/off. */
const FLAG_OPTIONS = new Set(['userxattr', 'volatile', 'default_permissions']);
const OPTION_KEY = /^[a-z][a-z0-9_]*$/;

/** One overlay option after validation: `true` means a flag without value. */
export interface OptionParam {
  key: string;
  value: string | true;
}

/** Validate options and turn booleans into what overlayfs accepts. Throws ERR_OVL_BAD_OPTION. */
export function optionParams(options: OverlayOptions): OptionParam[] {
  const out: OptionParam[] = [];
  for (const [key, raw] of Object.entries(options)) {
    if (raw === undefined) continue;
    if (LAYER_KEYS.has(key)) {
      throw new OvlError('ERR_OVL_BAD_OPTION', `ovl: '${key}' is a layer, not an option`, {
        hint: 'Give layers as spec.lower / spec.upper / spec.work / spec.data, never inside options: they are passed to the kernel one path at a time.',
      });
    }
    if (!OPTION_KEY.test(key)) {
      throw new OvlError('ERR_OVL_BAD_OPTION', `ovl: invalid option name ${JSON.stringify(key)}`, {
        hint: 'Option names are lower-case overlayfs parameter names such as redirect_dir or metacopy.',
      });
    }
    if (typeof raw === 'boolean') {
      if (FLAG_OPTIONS.has(key)) {
        if (raw) out.push({ key, value: true });
      } else {
        out.push({ key, value: raw ? 'on' : 'off' });
      }
      continue;
    }
    if (typeof raw !== 'string') throw new TypeError(`The option "${key}" must be a string or a boolean.`);
    if (raw.includes('\0')) throw nulByte(`option ${key}`, raw);
    out.push({ key, value: raw });
  }
  return out;
}

function nulByte(role: string, path: string): OvlError {
  return new OvlError('ERR_OVL_NUL_BYTE', `ovl: ${role} contains a NUL byte: ${JSON.stringify(path)}`, {
    path,
    hint: `A Linux path can hold any byte except NUL; the kernel would cut ${JSON.stringify(path)} short at it. Remove the NUL byte.`,
  });
}

/** Checks that need nothing but the spec itself; run before anything touches the system. */
export function checkSpecShape(spec: NormalizedSpec): void {
  const all: Array<[string, string]> = [
    ...spec.lower.map((p, i): [string, string] => [`lower[${i}]`, p]),
    ...spec.data.map((p, i): [string, string] => [`data[${i}]`, p]),
    ['upper', spec.upper ?? ''],
    ['work', spec.work ?? ''],
    ['target', spec.target],
  ];
  for (const [role, p] of all) if (p.includes('\0')) throw nulByte(role, p);
  if (spec.lower.length === 0) {
    throw new OvlError('ERR_OVL_NO_LOWER', 'ovl: an overlay needs at least one lower dir', { hint: 'Set spec.lower to one or more directories, top-most first.' });
  }
  const layers = spec.lower.length + spec.data.length;
  if (layers > MAX_LOWER_LAYERS) {
    throw new OvlError('ERR_OVL_TOO_MANY_LAYERS', `ovl: ${layers} lower layers given; the kernel stacks at most ${MAX_LOWER_LAYERS}`, {
      hint: `Merge some lower layers (flatten) so that at most ${MAX_LOWER_LAYERS} remain.`,
    });
  }
  if (spec.upper !== undefined && spec.work === undefined) {
    throw new OvlError('ERR_OVL_UPPER_WITHOUT_WORK', `ovl: upper dir '${spec.upper}' given without a work dir`, {
      path: spec.upper,
      hint: `A writable overlay needs both: add spec.work, an empty directory on the same mount as '${spec.upper}' (not inside it).`,
    });
  }
  if (spec.work !== undefined && spec.upper === undefined) {
    throw new OvlError('ERR_OVL_WORK_WITHOUT_UPPER', `ovl: work dir '${spec.work}' given without an upper dir`, {
      path: spec.work,
      hint: `The work dir '${spec.work}' only serves an upper dir: add spec.upper, or drop spec.work for a read-only overlay.`,
    });
  }
  if (spec.upper === undefined && spec.lower.length < 2) {
    throw new OvlError('ERR_OVL_TOO_FEW_LAYERS', `ovl: a read-only overlay needs at least two lower dirs; got '${spec.lower[0]}' alone`, {
      path: spec.lower[0]!,
      hint: 'The kernel stacks at least two layers: add a second lower dir (an empty one will do), or an upper and work dir (makeStepDirs makes them).',
    });
  }
  optionParams(spec.options);
}

/** How paths travel to the kernel with the new API. */
export type LayerChannel = 'fd' | 'string';

/**
 * fsconfig calls for a spec, in the order the kernel needs them (layers top-most first, then
 * options). With channel 'fd', `fds` (in layerPaths order) are the already-open layers, or
 * 'opened': the fds examineAndMount opens for the same paths (its paths start with the layers
 * in layerPaths order); without them the addon opens each path itself.
 */
export function newApiParams(spec: NormalizedSpec, channel: LayerChannel, fds?: readonly number[] | 'opened'): FsParam[] {
  let index = 0;
  const layer = (key: string, value: string): FsParam => {
    const at = index++;
    if (fds === 'opened' && channel === 'fd') return { type: 'opened', key, index: at };
    const fd = fds === 'opened' ? undefined : fds?.[at];
    if (channel === 'string' && Buffer.byteLength(value) > MAX_FSCONFIG_STRING) {
      throw new OvlError('ERR_OVL_PATH_TOO_LONG', `ovl: '${value}' is longer than the ${MAX_FSCONFIG_STRING} bytes fsconfig takes as a string`, {
        path: value,
        hint: `Kernels before 6.13 take layer paths only as strings of at most 255 bytes: shorten '${value}' (a symlink works) or use api: 'legacy'.`,
      });
    }
    if (channel === 'string') return { type: 'string', key, value };
    return fd === undefined ? { type: 'path', key, value } : { type: 'fd', key, fd };
  };
  const params: FsParam[] = [];
  for (const p of spec.lower) params.push(layer('lowerdir+', p));
  for (const p of spec.data) params.push(layer('datadir+', p));
  if (spec.upper !== undefined) params.push(layer('upperdir', spec.upper));
  if (spec.work !== undefined) params.push(layer('workdir', spec.work));
  for (const { key, value } of optionParams(spec.options)) {
    params.push(value === true ? { type: 'flag', key } : { type: 'string', key, value });
  }
  return params;
}

/** Escape a path for a legacy overlay option value: the kernel unescapes backslash sequences. */
export function escapeLegacyPath(path: string): string {
  return path.replace(/[\\,:]/g, (c) => `\\${c}`);
}

/** The mount(2) data string for a spec, refused when the kernel would silently cut it. */
export function legacyMountData(spec: NormalizedSpec, pageSize: number): string {
  let lowerdir = spec.lower.map(escapeLegacyPath).join(':');
  for (const d of spec.data) lowerdir += `::${escapeLegacyPath(d)}`;
  const parts = [`lowerdir=${lowerdir}`];
  if (spec.upper !== undefined) parts.push(`upperdir=${escapeLegacyPath(spec.upper)}`);
  if (spec.work !== undefined) parts.push(`workdir=${escapeLegacyPath(spec.work)}`);
  for (const { key, value } of optionParams(spec.options)) {
    if (value === true) {
      parts.push(key);
    } else {
      // Option values are not unescaped by the kernel: a separator in one cannot be made safe.
      if (/[,\\]/.test(value)) {
        throw new OvlError('ERR_OVL_BAD_OPTION', `ovl: option ${key}=${JSON.stringify(value)} holds a ',' or '\\' that mount(2) would read as syntax`, {
          hint: "Use api: 'new' (the default), which passes each option on its own.",
        });
      }
      parts.push(`${key}=${value}`);
    }
  }
  const data = parts.join(',');
  const bytes = Buffer.byteLength(data);
  if (bytes > pageSize - 1) {
    throw new OvlError('ERR_OVL_OPTIONS_TOO_LONG', `ovl: the mount(2) option string is ${bytes} bytes; the kernel reads only ${pageSize - 1} and would silently drop the rest`, {
      hint: "Use api: 'new' (the default), which has no such limit, or shorter layer paths (symlinks work).",
    });
  }
  return data;
}

/** Constants the flag builders need (from the addon, never typed as numbers here). */
export interface FlagConstants {
  MOUNT_ATTR_RDONLY: number;
  MOUNT_ATTR_NOSUID: number;
  MOUNT_ATTR_NODEV: number;
  MOUNT_ATTR_NOEXEC: number;
  MS_RDONLY: number;
  MS_NOSUID: number;
  MS_NODEV: number;
  MS_NOEXEC: number;
}

/** MOUNT_ATTR_* for fsmount(2). */
export function mountAttrs(spec: NormalizedSpec, c: FlagConstants): number {
  return (spec.readonly ? c.MOUNT_ATTR_RDONLY : 0) | (spec.nosuid ? c.MOUNT_ATTR_NOSUID : 0) | (spec.nodev ? c.MOUNT_ATTR_NODEV : 0) | (spec.noexec ? c.MOUNT_ATTR_NOEXEC : 0);
}

/** MS_* for legacy mount(2). */
export function legacyMountFlags(spec: NormalizedSpec, c: FlagConstants): number {
  return (spec.readonly ? c.MS_RDONLY : 0) | (spec.nosuid ? c.MS_NOSUID : 0) | (spec.nodev ? c.MS_NODEV : 0) | (spec.noexec ? c.MS_NOEXEC : 0);
}
