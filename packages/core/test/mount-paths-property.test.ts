/**
 * Paths are data, never syntax, as a property (fast-check): layer, upper, work and target dirs
 * named with any characters but NUL and '/' (weighted towards `, : \ = space newline tab` and
 * the escapes' own spellings) go through the option encoder, a real mount on this kernel and
 * listOverlayMounts() and come back as the same paths with the same set of options as a mount
 * of plainly named dirs, on both APIs; merged shows each lower's file, so the layers really are
 * those dirs. JS strings only: a lone surrogate reaches the kernel as U+FFFD, as in node:fs, so
 * the expected path is the string's well-formed form. Runs as root in a private mount
 * namespace; seeds and replay: support/property.ts.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listOverlayMounts, mountOverlay, type OverlayMountInfo } from '../src/index.js';
import { describeMounting } from './support/privileged.js';
import { makeBase, writeTree } from './support/layers.js';
import { cleanupBase } from './support/cleanup.js';
import { propertyParams } from './support/property.js';

const awkward = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(',', ':', '::', '\\', '=', ' ', '\t', '\n', '\\054', '\\134', '\\:', 'lowerdir=', 'upperdir=/', '\uD800', '\uDFFF') },
  { weight: 5, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
/** The path the kernel gets for a JS string: Node encodes it as UTF-8, a lone surrogate as U+FFFD. */
const wellFormed = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

/** A dir name: no NUL or '/', not '.' or '..', at most 255 bytes (NAME_MAX) once UTF-8. */
const dirName = fc
  .string({ unit: awkward, minLength: 1, maxLength: 30 })
  .map((s) => s.replace(/[\0/]/g, '_'))
  .filter((s) => s !== '.' && s !== '..' && Buffer.byteLength(s) <= 255);

/** Distinct names: two roles never share a dir (the well-formed forms must differ too). */
const stackNames = fc.uniqueArray(dirName, { minLength: 4, maxLength: 6, selector: (s) => wellFormed(s) });

let base: string;
beforeAll(() => {
  base = makeBase('ovl-test-hardening-sanitizers-');
});
afterAll(() => cleanupBase(base));

let run = 0;
/** Mounts lower/upper/work/target dirs named `names` and returns what the mount table says. */
async function mountNamed(names: string[], api: 'new' | 'legacy') {
  const root = writeTree(join(base, `${api}-${++run}`), {});
  const [upperName, workName, targetName, ...lowerNames] = names as [string, string, string, ...string[]];
  const lower = lowerNames.map((n, i) => writeTree(join(root, n), { [`from-lower-${i}`]: n }));
  const upper = writeTree(join(root, upperName), {});
  const work = writeTree(join(root, workName), {});
  const target = writeTree(join(root, targetName), {});
  const m = await mountOverlay({ lower, upper, work, target, api });
  try {
    const table = (await listOverlayMounts()).filter((i) => i.target === wellFormed(target));
    return { lower, upper, work, target, table, merged: readdirSync(target).sort() };
  } finally {
    await m.unmount();
    cleanupBase(root);
  }
}

const optionSet = (info: OverlayMountInfo | undefined) => Object.entries(info?.options ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));

describeMounting('any path is data (property, real kernel)', () => {
  for (const api of ['new', 'legacy'] as const) {
    it(`gives back the same paths and the same options for any dir names (${api})`, async () => {
      const plain = await mountNamed(['upper', 'work', 'merged', 'l0', 'l1'], api);
      expect(plain.table).toHaveLength(1);
      await fc.assert(
        fc.asyncProperty(stackNames, async (names) => {
          const got = await mountNamed(names, api);
          expect(got.table).toHaveLength(1);
          const [info] = got.table;
          expect(info!.lower).toEqual(got.lower.map(wellFormed));
          expect(info!.data).toEqual([]);
          expect(info!.upper).toBe(wellFormed(got.upper));
          expect(info!.work).toBe(wellFormed(got.work));
          expect(optionSet(info)).toEqual(optionSet(plain.table[0]));
          expect(got.merged).toEqual(got.lower.map((_, i) => `from-lower-${i}`));
        }),
        propertyParams(`mount paths (${api})`, 100),
      );
    });
  }
});
