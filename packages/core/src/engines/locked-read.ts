/**
 * Reads under the lock the engine's own writers respect, so a concurrent writer never
 * hands us half of its change. Two kinds (native openReadLocked):
 * - 'record': a POSIX record read lock, as containers/storage's pkg/lockfile takes (fcntl
 *   F_SETLKW, F_RDLCK / F_WRLCK on the whole `*.lock` file), here as an open file
 *   description lock so concurrent reads in this process do not release each other's lock;
 * - 'flock': flock(LOCK_SH) on a bbolt database, whose writers hold LOCK_EX while open.
 * The lock file is opened O_RDONLY and never created: a store with no lock file yet has had
 * no writer to wait for. The first try does not wait and runs on this thread (the common,
 * uncontended case costs two syscalls); a held write lock is then waited for on the pool.
 */
import { fstatSync, readSync } from 'node:fs';
import { binding } from '../binding.js';
import { isMissing } from './storage-errors.js';

export type ReadLockKind = 'record' | 'flock';

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  const syscall = (e as { syscall?: unknown }).syscall;
  // F_OFD_SETLK reports a conflict as EAGAIN or EACCES; an EACCES from open is a permission.
  return code === 'EAGAIN' || code === 'EWOULDBLOCK' || (code === 'EACCES' && syscall !== 'open');
}

/** The fd holding a read lock on `lockFile`, or undefined when there is no such file. */
async function acquire(lockFile: string, kind: ReadLockKind): Promise<number | undefined> {
  const b = binding();
  try {
    return b.openReadLocked(lockFile, kind, false);
  } catch (e) {
    if (isMissing(e)) return undefined;
    if (!isBusy(e)) throw e;
  }
  try {
    return await b.openReadLockedAsync(lockFile, kind, true);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/** Run `read` while holding a read lock on `lockFile` (no lock when the file does not exist). */
export async function withReadLock<T>(lockFile: string, kind: ReadLockKind, read: () => Promise<T> | T): Promise<T> {
  const fd = await acquire(lockFile, kind);
  try {
    return await read();
  } finally {
    if (fd !== undefined) binding().close(fd);
  }
}

/** Read `length` bytes at `offset` of `fd` (fewer only at the end of the file). */
export function preadFully(fd: number, offset: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, out, got, length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? out : out.subarray(0, got);
}

/**
 * Run `read` with an fd of `file` that holds a read lock of `kind` on that same file (bbolt:
 * the lock is on the database itself); `read` must finish its reads before it returns.
 * undefined when the file does not exist.
 */
export async function withLockedFile<T>(file: string, kind: ReadLockKind, read: (fd: number) => T): Promise<T | undefined> {
  const fd = await acquire(file, kind);
  if (fd === undefined) return undefined;
  try {
    return read(fd);
  } finally {
    binding().close(fd);
  }
}

/** The whole of `file`, read under a read lock of `kind` on it. undefined when the file does not exist. */
export function readWholeLocked(file: string, kind: ReadLockKind): Promise<Buffer | undefined> {
  return withLockedFile(file, kind, (fd) => preadFully(fd, 0, fstatSync(fd).size));
}
