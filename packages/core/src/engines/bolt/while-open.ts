/**
 * A bbolt database that its daemon keeps open for writing. containerd opens meta.db (and its
 * overlayfs snapshotter metadata.db) once and holds bbolt's writer lock, flock LOCK_EX, until
 * it exits — so a reader that waits for LOCK_SH (read.ts, right for podman, which opens its db
 * per operation) would wait forever. Instead:
 * - LOCK_SH granted at once: no daemon has it open; the copy read under the lock is whole.
 * - refused: read the whole file without the lock, then read its two meta pages again. bbolt
 *   commits by writing the data pages of a transaction into pages that the current meta's tree
 *   does not use, then the meta page last; a page of the current tree is only reused by a
 *   transaction after the next one (freed pages stay pending until the transaction that freed
 *   them has committed). So when the metas are byte-for-byte what they were before the copy,
 *   no commit landed during it and the tree the older copy's current meta describes is whole.
 *   Otherwise read again (a few times: each retry only needs a quiet moment of a few ms).
 * Checksums of both metas are checked by the parser (pages.ts); a file that fails them with
 * the metas unchanged is corrupt, and named.
 */
import { readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { binding } from '../../binding.js';
import { OvlError } from '../../errors.js';
import { corrupt, isMissing, storageError } from '../storage-errors.js';
import type { EngineName } from '../types.js';
import { BoltFormatError, parseBolt, type BoltBucket, type BoltDb } from './pages.js';

const ATTEMPTS = 8;

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK';
}

/** Visit every page once, so a damaged file fails here, naming it. */
function checkWhole(bucket: BoltBucket): void {
  for (const e of bucket.entries()) if (e.bucket !== undefined) checkWhole(e.bucket);
}

function parse(bytes: Buffer): BoltDb | BoltFormatError {
  try {
    const db = parseBolt(bytes);
    checkWhole(db.root);
    return db;
  } catch (e) {
    if (e instanceof BoltFormatError) return e;
    throw e;
  }
}

/** The bytes of the two meta pages (pages 0 and 1) as a copy holds them. */
function metaRegion(bytes: Buffer): Buffer {
  const pageSize = bytes.length >= 32 ? bytes.readUInt32LE(24) : 0;
  return bytes.subarray(0, pageSize >= 512 && pageSize <= 1 << 20 ? 2 * pageSize : 8192);
}

async function readHead(file: string, length: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Under LOCK_SH when no writer holds the db: the bytes, 'busy' when one does, undefined when there is no file. */
function readIfUnlocked(engine: EngineName, file: string): Buffer | 'busy' | undefined {
  let fd: number;
  try {
    fd = binding().openReadLocked(file, 'flock', false);
  } catch (e) {
    if (isMissing(e)) return undefined;
    if (isBusy(e)) return 'busy';
    throw storageError(engine, file, e);
  }
  try {
    return readFileSync(fd);
  } finally {
    binding().close(fd);
  }
}

/**
 * The database at `file` as of its last commit, or undefined when there is none.
 * @throws OvlError ERR_OVL_ENGINE_METADATA naming the file when it is not a whole bbolt
 * database; ERR_OVL_ENGINE_BUSY when it changed under every attempt.
 */
export async function readBoltWhileOpen(engine: EngineName, file: string): Promise<BoltDb | undefined> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const locked = readIfUnlocked(engine, file);
    if (locked === undefined) return undefined;
    if (locked !== 'busy') {
      const db = parse(locked);
      if (db instanceof BoltFormatError) throw corrupt(engine, file, db.message);
      return db;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw storageError(engine, file, e);
    }
    const db = parse(bytes);
    const metas = metaRegion(bytes);
    const again = await readHead(file, metas.length).catch(() => undefined);
    if (again === undefined || !again.equals(metas)) continue;
    if (db instanceof BoltFormatError) throw corrupt(engine, file, db.message);
    return db;
  }
  throw new OvlError('ERR_OVL_ENGINE_BUSY', `ovl: ${engine} committed to '${file}' during each of ${ATTEMPTS} reads`, {
    path: file,
    hint: `${engine} is writing its metadata continuously; try again in a moment.`,
  });
}
