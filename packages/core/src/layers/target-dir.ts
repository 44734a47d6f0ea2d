/** A dir to write a new tree into: made when missing; when there, it must be an empty dir. */
import { mkdir, readdir } from 'node:fs/promises';
import { OvlError } from '../errors.js';

export async function emptyTargetDir(dir: string, role: string): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o755 });
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new OvlError('ERR_OVL_NOT_A_DIRECTORY', `ovl: ${role} '${dir}' is not a directory (${(e as NodeJS.ErrnoException).code})`, { path: dir });
  }
  if (names.length > 0) {
    throw new OvlError('ERR_OVL_NOT_EMPTY', `ovl: ${role} '${dir}' is not empty (${names.length} entries)`, { path: dir, hint: `Give a new or empty dir: ovl never writes a tree over another.` });
  }
}
