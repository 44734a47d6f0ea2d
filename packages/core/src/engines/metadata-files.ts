/**
 * Reading an engine's metadata files: a file that is not there is `undefined` (the engine
 * removed the thing while we looked, or never made it), one we may not read is
 * ERR_OVL_STORAGE_UNREADABLE, one that does not parse is ERR_OVL_ENGINE_METADATA naming it.
 */
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { getSystemErrorName } from 'node:util';
import { binding } from '../binding.js';
import { corrupt, isMissing, storageError, unreadable } from './storage-errors.js';
import type { EngineName } from './types.js';

/** The text of `file`, or undefined when it does not exist. */
export async function readOptionalText(engine: EngineName, file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw storageError(engine, file, e);
  }
}

/** readOptionalText, on this thread: for the many tiny files of a listing (see eachInSlices). */
export function readOptionalTextSync(engine: EngineName, file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw storageError(engine, file, e);
  }
}

/**
 * `read` for every item, on this thread, yielding to the event loop between slices. A listing
 * reads two or three files of a few KB per container: through the thread pool every one of
 * them costs a hop and a promise, and 300 containers took twice as long as reading them here
 * (bench/docker.bench.mjs); slices of 64 keep each block of the event loop to a millisecond
 * or two.
 */
export async function eachInSlices<T, R>(items: readonly T[], read: (item: T) => R, slice = 64): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += slice) {
    if (i > 0) await yieldToEventLoop();
    for (const item of items.slice(i, i + slice)) out.push(read(item));
  }
  return out;
}

/** No metadata file a listing reads is anywhere near this; a bigger one is not what the engine wrote. */
const MAX_METADATA_FILE = 16 << 20;

/** Small metadata files of one dir, read in one native call: each one's text, or undefined when it is not there. */
export interface MetadataFiles {
  text(i: number): string | undefined;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const NONE: MetadataFiles = { text: () => undefined };

/**
 * The files `rels` of the dir `dir`, read in one call (one thread hop, one Buffer) instead of
 * one readFile each: a listing reads two or three files per container, and the hops and
 * per-file calls were most of its time (bench/docker.bench.mjs). `dir` itself is trusted as
 * readdir trusts it (an engine's own store dir, owned by root); below it nothing is followed:
 * each file is opened beneath it with no symlink on the way nor at the end (native
 * readManyBeneath), since engines put dirs there that other processes may write. A file that
 * is not there (nor `dir`) reads as undefined; a symlink, a non-regular file or one over
 * 16 MiB is ERR_OVL_ENGINE_METADATA naming it; one we may not read, ERR_OVL_STORAGE_UNREADABLE.
 */
export async function readMetadataFiles(engine: EngineName, dir: string, rels: readonly string[]): Promise<MetadataFiles> {
  let got;
  try {
    got = await binding().readManyBeneathAsync(dir, rels as string[], MAX_METADATA_FILE);
  } catch (e) {
    if (isMissing(e)) return NONE;
    throw storageError(engine, dir, e);
  }
  const { data, ends, modes, errnos } = got;
  return {
    text(i) {
      const errno = errnos[i]!;
      if (errno !== 0) {
        const code = getSystemErrorName(-errno);
        const file = `${dir}/${rels[i]}`;
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
        if (code === 'ELOOP' || code === 'EXDEV') throw corrupt(engine, file, 'it is a symlink, or a symlink is on the way to it: never followed');
        if (code === 'EFBIG') throw corrupt(engine, file, `it is over ${MAX_METADATA_FILE} bytes`);
        throw unreadable(engine, file, { code });
      }
      if ((modes[i]! & S_IFMT) !== S_IFREG) throw corrupt(engine, `${dir}/${rels[i]}`, 'it is not a regular file');
      return data.toString('utf8', i === 0 ? 0 : ends[i - 1], ends[i]);
    },
  };
}

/** The names in `dir`, or undefined when it does not exist. */
export async function readOptionalDir(engine: EngineName, dir: string): Promise<string[] | undefined> {
  try {
    return await readdir(dir);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw storageError(engine, dir, e);
  }
}

/** `text` (read from `file`) parsed as a JSON object. */
export function parseJsonObject(engine: EngineName, file: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw corrupt(engine, file, text.trim() === '' ? 'the file is empty' : `not JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt(engine, file, 'not a JSON object');
  return value as Record<string, unknown>;
}

/** A JSON object's member as an object, or undefined. */
export function objectField(o: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  const v = o?.[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A JSON object's member as a string, or undefined. */
export function stringField(o: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = o?.[key];
  return typeof v === 'string' ? v : undefined;
}
