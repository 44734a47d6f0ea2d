/**
 * A bbolt database read under its own lock (flock LOCK_SH: bbolt's writers hold
 * LOCK_EX while they have the file open), then parsed in memory.
 */
import { fstatSync } from 'node:fs';
import { preadFully, readWholeLocked, withLockedFile } from '../locked-read.js';
import { corrupt } from '../storage-errors.js';
import { BoltFormatError, parseBolt, type BoltBucket, type BoltDb, type ByteSource } from './pages.js';

/** Visit every page once, so a damaged file fails here, naming it, not later in a caller's loop. */
function checkWhole(bucket: BoltBucket): void {
  for (const e of bucket.entries()) if (e.bucket !== undefined) checkWhole(e.bucket);
}

/**
 * `visit` the database at `file` while holding its lock. undefined when there is no file.
 * `pages`: 'all' (default) reads every page in use in one go, right when `visit` walks most of
 * the tree; 'visited' reads only the pages `visit` reaches, one pread each, right when it looks
 * up a few keys (libpod's run root: 3 pages of a 4 MB db of 300 containers).
 * @throws OvlError ERR_OVL_ENGINE_METADATA (naming the file) for a damaged page `visit` reaches; SystemError when it cannot be opened.
 */
export function viewBolt<T>(engine: string, file: string, visit: (db: BoltDb) => T, pages: 'all' | 'visited' = 'all'): Promise<T | undefined> {
  return withLockedFile(file, 'flock', (fd) => {
    // The pages in use are read in one go (one read, one buffer); a libpod db's file is mostly
    // free space past them. Anything outside (a damaged page id) is read on its own.
    let used: Buffer | undefined;
    const source: ByteSource = {
      size: fstatSync(fd).size,
      read: (offset, length) => (used !== undefined && offset + length <= used.length ? used.subarray(offset, offset + length) : preadFully(fd, offset, length)),
      ...(pages === 'all' && {
        inUse: (length: number) => {
          used = preadFully(fd, 0, length);
        },
      }),
    };
    try {
      return visit(parseBolt(source));
    } catch (e) {
      if (e instanceof BoltFormatError) throw corrupt(engine, file, e.message);
      throw e;
    }
  });
}

/**
 * The database at `file`, read whole, or undefined when there is none.
 * @throws OvlError ERR_OVL_ENGINE_METADATA (naming the file) when it is not a whole bbolt database; SystemError when it cannot be opened.
 */
export async function readBolt(engine: string, file: string): Promise<BoltDb | undefined> {
  const bytes = await readWholeLocked(file, 'flock');
  if (bytes === undefined) return undefined;
  try {
    const db = parseBolt(bytes);
    checkWhole(db.root);
    return db;
  } catch (e) {
    if (e instanceof BoltFormatError) throw corrupt(engine, file, e.message);
    throw e;
  }
}
