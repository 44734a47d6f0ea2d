/**
 * A bbolt database read whole under its own lock (flock LOCK_SH: bbolt's writers hold
 * LOCK_EX while they have the file open), then parsed in memory.
 */
import { readWholeLocked } from '../locked-read.js';
import { corrupt } from '../storage-errors.js';
import { BoltFormatError, parseBolt, type BoltBucket, type BoltDb } from './pages.js';

/** Visit every page once, so a damaged file fails here, naming it, not later in a caller's loop. */
function checkWhole(bucket: BoltBucket): void {
  for (const e of bucket.entries()) if (e.bucket !== undefined) checkWhole(e.bucket);
}

/**
 * The database at `file`, or undefined when there is none.
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
