/**
 * The container ids in Docker's containers/ dir, kept from one listing to the next while the
 * dir's identity (dir-identity.ts) is what it was when they were read, and had settled then:
 * dockerd makes and removes a container's dir there, which moves the dir's link count, mtime
 * and ctime. readdir and the id check of 300 names were an eighth of a warm listing.
 */
import { dirIdentity, settled } from '../dir-identity.js';
import { readOptionalDirSync } from '../metadata-files.js';
import { KeptPerDir } from '../kept-per-dir.js';
import { HEX_ID } from '../hex-id.js';

interface Kept {
  key: string;
  ids: readonly string[];
}

const kept = new KeptPerDir<Kept>();

/** The names in `containersDir` that are container ids; undefined when it is not there. */
export function containerIds(containersDir: string): readonly string[] | undefined {
  const atMs = Date.now();
  // Looked at before the names are read: a change after this shows as another identity next time.
  const identity = dirIdentity('docker', containersDir);
  const before = kept.get(containersDir);
  if (identity !== undefined && before?.key === identity.key) return before.ids;
  const ids = readOptionalDirSync('docker', containersDir)?.filter((n) => HEX_ID.test(n));
  if (identity !== undefined && ids !== undefined && settled(identity.ctimeNs, atMs)) kept.keep(containersDir, { key: identity.key, ids });
  else kept.forget(containersDir);
  return ids;
}
