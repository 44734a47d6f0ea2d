/**
 * changes() over a lower dir far bigger than the upper dir above it: the upper's names are
 * looked up in it instead of reading it whole, and the answer must be the one the rules give
 * (diff-rules.ts) — across two lower layers, a whiteout in the top one, and a name that is
 * not valid UTF-8 (which cannot be looked up by its JS string: that dir is read whole).
 * Layer dirs only, no mount; char-device whiteouts need root (mknod).
 */
import { lstatSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openOverlay, sys } from '../src/index.js';
import { makeBase, removeBase } from './support/layers.js';

let base: string;
beforeEach(() => {
  base = makeBase('ovl-changes-lookup-');
});
afterEach(() => removeBase(base));

/** `dir` with `count` files lib0.so … */
function bigDir(dir: string, count: number): string {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) writeFileSync(join(dir, `lib${i}.so`), `lib ${i}\n`);
  return dir;
}

const whiteout = (path: string): void => sys.mknod(path, sys.constants.S_IFCHR, 0, 0);
/** `name` followed by byte 0xe9 (Latin-1 é): not UTF-8. */
const latin1Name = (dir: string, name: string): Buffer => Buffer.concat([Buffer.from(`${dir}/${name}`), Buffer.from([0xe9])]);

it.skipIf(process.getuid?.() !== 0)('looks names up in a big lower dir and gives what the rules give', async () => {
  const [l0, l1, upper] = ['l0', 'l1', 'upper'].map((n) => join(base, n)) as [string, string, string];
  // lower 1 (bottom): a file the top lower deletes
  mkdirSync(join(l1, 'big1'), { recursive: true });
  writeFileSync(join(l1, 'big1', 'hidden'), 'hidden\n');
  // lower 0 (top): two big dirs, one holding a name that is not UTF-8
  bigDir(join(l0, 'big1'), 2000);
  mkdirSync(join(l0, 'big1', 'sub'));
  writeFileSync(join(l0, 'big1', 'sub', 'a'), 'a\n');
  whiteout(join(l0, 'big1', 'hidden'));
  bigDir(join(l0, 'big2'), 2000);
  writeFileSync(latin1Name(join(l0, 'big2'), 'caf'), 'lower\n');
  const old = new Date(1_600_000_000_000);
  for (const d of ['big1', 'big1/sub', 'big2']) utimesSync(join(l0, d), old, old);

  mkdirSync(join(upper, 'big1', 'sub'), { recursive: true });
  writeFileSync(join(upper, 'big1', 'lib5.so'), 'changed\n');
  writeFileSync(join(upper, 'big1', 'new.so'), 'new\n');
  whiteout(join(upper, 'big1', 'lib7.so'));
  writeFileSync(join(upper, 'big1', 'hidden'), 'back\n');
  writeFileSync(join(upper, 'big1', 'sub', 'b'), 'b\n');
  mkdirSync(join(upper, 'big2'));
  writeFileSync(latin1Name(join(upper, 'big2'), 'caf'), 'changed\n');
  writeFileSync(latin1Name(join(upper, 'big2'), 'new'), 'new\n');

  // what the case is about: each lower dir is far bigger (st_size) than the upper one over it
  for (const d of ['big1', 'big2']) expect(lstatSync(join(l0, d)).size).toBeGreaterThanOrEqual(8 * lstatSync(join(upper, d)).size);

  const view = await openOverlay({ lower: [l0, l1], upper });
  expect(await view.changes()).toEqual([
    { path: '/big1', kind: 'C' },
    { path: '/big1/hidden', kind: 'A' }, // the top lower whites it out: the bottom one's file does not count
    { path: '/big1/lib5.so', kind: 'C' },
    { path: '/big1/lib7.so', kind: 'D' },
    { path: '/big1/new.so', kind: 'A' },
    { path: '/big1/sub', kind: 'C' },
    { path: '/big1/sub/b', kind: 'A' },
    { path: '/big2', kind: 'C' },
    { path: '/big2/caf\uFFFD', kind: 'C' },
    { path: '/big2/new\uFFFD', kind: 'A' },
  ]);
});
