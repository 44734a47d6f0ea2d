/**
 * Why a write through a mounted overlay's merged dir failed for lack of space. The first
 * change to a lower file — one appended byte, a chmod, a rename — copies the whole file into
 * the upper layer first (fs/overlayfs/copy_up.c), so a small write fails with ENOSPC (EDQUOT
 * under a quota) when the upper's filesystem has less room than the file: surprising when
 * `df` of the merged dir shows the lower's free space. The kernel undoes a failed copy-up
 * (the half-copied temp file in the work dir is removed; the lower file is never touched),
 * so nothing is lost; what the writer lacks is the reason. Reads the mount table, the view
 * and statfs of the upper: only after a failure.
 */
import { realpath, statfs } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { SystemError } from '../errors.js';
import { listOverlayMounts } from '../mount/mount-table.js';
import { openOverlay } from './open.js';

const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

/** The dir itself, or the nearest existing dir above it, as a real path. */
async function existingRealDir(path: string): Promise<string> {
  for (let p = path; ; p = dirname(p)) {
    const real = await realpath(p).catch(() => undefined);
    if (real !== undefined || p === dirname(p)) return real ?? p;
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/**
 * Given an error thrown by a write to `path` (inside a mounted overlay's merged dir), return
 * an ENOSPC/EDQUOT SystemError whose hint says that the upper layer is full and how much the
 * copy-up of `path` needed; any other error, or a path outside an overlay with an upper
 * layer, comes back unchanged. Never throws.
 */
export async function explainWriteFailure(error: unknown, path: string): Promise<unknown> {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !NO_SPACE.has(code)) return error;
  try {
    const abs = resolve(path);
    const parent = await realpath(dirname(abs)).catch(() => undefined);
    const dir = parent ?? (await existingRealDir(dirname(abs)));
    const mount = (await listOverlayMounts())
      .filter((m) => m.upper !== undefined && (dir === m.target || dir.startsWith(`${m.target}/`)))
      .sort((a, b) => b.target.length - a.target.length)[0];
    if (mount === undefined) return error;
    const view = await openOverlay(mount.target);
    // The path as the overlay knows it ('/d/f'), when its parent dir is there to name it.
    const entry = parent === undefined ? undefined : await view.stat(`${parent.slice(mount.target.length)}/${basename(abs)}`);
    const fs = await statfs(mount.upper!);
    const free = fs.bavail * fs.bsize;
    const copyUp = entry !== undefined && entry.layer !== 'upper' && entry.type === 'file';
    const syscall = typeof (error as { syscall?: unknown }).syscall === 'string' ? (error as { syscall: string }).syscall : 'write';
    return new SystemError({
      errno: osConstants.errno[code as 'ENOSPC'],
      code,
      syscall,
      path: abs,
      hint:
        `No room in the upper layer: '${mount.upper}' has ${mib(free)} free (of ${mib(fs.blocks * fs.bsize)})` +
        (copyUp
          ? `, and writing to '${entry.path}' first copies the whole file (${mib(entry.size)}) up from lower layer ${String(entry.layer)}, even to change one byte. The copy was undone; the lower file is intact.`
          : '.') +
        ' Free space there, or mount the overlay with an upper on a larger filesystem.',
    });
  } catch {
    return error;
  }
}
