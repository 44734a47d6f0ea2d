/**
 * A podman store of the test's own (`podman --root DIR --runroot DIR2` in a temp dir), so the
 * engine suites never depend on or disturb the machine's store, and podman's own answers
 * (diff, inspect, history) to compare the engine readers with.
 */
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Change, MergedEntry } from '../../src/index.js';
import { PODMAN_IGNORED_PATHS } from '../../src/index.js';
import { bestEffort, podman } from './podman.js';

export interface TempStore {
  root: string;
  runroot: string;
  /** podman with --root/--runroot of this store. */
  run(...args: string[]): string;
  /** Unmount and remove every container and image of the store. */
  clean(): void;
}

export function tempStore(base: string): TempStore {
  const root = join(base, 'root');
  const runroot = join(base, 'run');
  const run = (...args: string[]): string => podman('--root', root, '--runroot', runroot, ...args);
  return {
    root,
    runroot,
    run,
    clean: () => bestEffort(
      () => run('umount', '-a', '-f'),
      () => run('rm', '-a', '-f'),
      () => run('rmi', '-a', '-f'),
    ),
  };
}

/** Changes in path order, as podman diff lists them once sorted. */
export function sortChanges(changes: Change[]): Change[] {
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.kind < b.kind ? -1 : 1));
}

/** `podman diff --format json` (container or image) as sorted changes. */
export function podmanDiff(store: TempStore, ref: string, ...cmd: string[]): Change[] {
  const out = JSON.parse(store.run(...(cmd.length ? cmd : ['diff']), '--format', 'json', ref)) as { added?: string[] | null; changed?: string[] | null; deleted?: string[] | null };
  return sortChanges([
    ...(out.added ?? []).map((path): Change => ({ path, kind: 'A' })),
    ...(out.changed ?? []).map((path): Change => ({ path, kind: 'C' })),
    ...(out.deleted ?? []).map((path): Change => ({ path, kind: 'D' })),
  ]);
}

/** A container's changes as podman diff reports them (its run-time paths left out), sorted. */
export function asPodmanDiff(changes: Change[]): Change[] {
  const ignored = new Set(PODMAN_IGNORED_PATHS);
  return sortChanges(changes.filter((c) => !ignored.has(c.path)));
}

/** What a tree shows, one line per path: type, mode, size of non-dirs, symlink target. */
export type TreeSnapshot = Map<string, string>;

/** The kernel's view of a mounted dir, through readdir + lstat. */
export function kernelSnapshot(dir: string, rel = '/', out: TreeSnapshot = new Map()): TreeSnapshot {
  for (const name of readdirSync(join(dir, rel))) {
    const path = rel === '/' ? `/${name}` : `${rel}/${name}`;
    const st = lstatSync(join(dir, path));
    const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : 'other';
    out.set(path, `${type} ${(st.mode & 0o7777).toString(8)}${type === 'dir' ? '' : ` ${st.size}`}${type === 'symlink' ? ` -> ${readlinkSync(join(dir, path))}` : ''}`);
    if (type === 'dir') kernelSnapshot(dir, path, out);
  }
  return out;
}

/** The same lines from a view's walk. */
export async function viewSnapshot(entries: AsyncIterable<MergedEntry>, readlink: (e: MergedEntry) => string): Promise<TreeSnapshot> {
  const out: TreeSnapshot = new Map();
  for await (const e of entries) {
    const type = e.type === 'dir' || e.type === 'symlink' || e.type === 'file' ? e.type : 'other';
    out.set(e.path, `${type} ${(e.mode & 0o7777).toString(8)}${type === 'dir' ? '' : ` ${e.size}`}${type === 'symlink' ? ` -> ${readlink(e)}` : ''}`);
  }
  return out;
}
