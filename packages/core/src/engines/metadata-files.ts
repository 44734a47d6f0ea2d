/**
 * Reading an engine's metadata files: a file that is not there is `undefined` (the engine
 * removed the thing while we looked, or never made it), one we may not read is
 * ERR_OVL_STORAGE_UNREADABLE, one that does not parse is ERR_OVL_ENGINE_METADATA naming it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { corrupt, isMissing, storageError } from './storage-errors.js';
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

/** readOptionalText, on this thread: for a small file read once per listing. */
export function readOptionalTextSync(engine: EngineName, file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw storageError(engine, file, e);
  }
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

/** readOptionalDir, on this thread: a listing's one readdir (300 names take 0.1 ms; a hop can take more). */
export function readOptionalDirSync(engine: EngineName, dir: string): string[] | undefined {
  try {
    return readdirSync(dir);
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
