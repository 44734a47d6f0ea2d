/**
 * Test fixtures: temp base dirs, layer trees written from a plain object, and a snapshot
 * of a dir tree (names, types, modes, contents, xattrs) to prove a refused mount changed
 * nothing.
 */
import { mkdirSync, mkdtempSync, readdirSync, lstatSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sys } from '../../src/index.js';

/** A fresh temp dir whose own name may hold awkward bytes (spaces, commas, colons). */
export function makeBase(nameHint = 'ovl-test-'): string {
  return mkdtempSync(join(tmpdir(), nameHint));
}

export function removeBase(base: string): void {
  rmSync(base, { recursive: true, force: true });
}

/** A tree description: string = file content, object = directory. */
export type Tree = { [name: string]: string | Tree };

export function writeTree(dir: string, tree: Tree): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(tree)) {
    const p = join(dir, name);
    if (typeof value === 'string') writeFileSync(p, value);
    else writeTree(p, value);
  }
  return dir;
}

/** The article's stack under `base`: lower, upper, work, merged. */
export function articleStack(base: string): { lower: string; upper: string; work: string; merged: string } {
  const lower = writeTree(join(base, 'lower'), { 'delete-me.txt': 'delete me\n', 'duplicate.txt': 'lower duplicate\n', 'lower.txt': 'lower\n' });
  const upper = writeTree(join(base, 'upper'), { 'duplicate.txt': 'upper duplicate\n', 'upper.txt': 'upper\n' });
  const work = writeTree(join(base, 'work'), {});
  const merged = writeTree(join(base, 'merged'), {});
  return { lower, upper, work, merged };
}

function xattrsOf(p: string): string {
  try {
    return sys
      .llistxattr(p)
      .sort()
      .map((n) => `${n}=${sys.lgetxattr(p, n).toString('hex')}`)
      .join(';');
  } catch {
    return '';
  }
}

/** A string that changes when anything in the tree changes (except atimes). */
export function snapshotTree(dir: string): string {
  const lines: string[] = [];
  const walk = (p: string, rel: string): void => {
    const st = lstatSync(p);
    let detail = '';
    if (st.isFile()) detail = readFileSync(p).toString('base64');
    else if (st.isSymbolicLink()) detail = readlinkSync(p);
    else if (st.isCharacterDevice() || st.isBlockDevice()) detail = String(st.rdev);
    lines.push(`${rel} ${st.mode.toString(8)} ${st.mtimeMs} ${detail} ${xattrsOf(p)}`);
    if (st.isDirectory()) for (const name of readdirSync(p).sort()) walk(join(p, name), `${rel}/${name}`);
  };
  walk(dir, '.');
  return lines.join('\n');
}

/** The mount table as text, for before/after comparisons. */
export function mountTable(): string {
  return readFileSync('/proc/self/mountinfo', 'utf8');
}

export function overlayTargets(): string[] {
  return mountTable()
    .split('\n')
    .filter((l) => l.includes(' - overlay '))
    .map((l) => l.split(' ')[4]!);
}
