/**
 * The article, step by step, on the real kernel: merged shows four files, upper wins for
 * duplicate.txt, a delete leaves a 0/0 char device in upper, a write copies up, unmount
 * empties merged. For each API, sync and async, under base dirs whose names hold spaces,
 * commas and colons.
 */
import { appendFileSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { isWhiteout, listOverlayMounts, mountOverlay, mountOverlaySync, type OverlayMount, type OverlaySpec } from '../src/index.js';
import { describeMounting } from './support/privileged.js';
import { articleStack } from './support/layers.js';
import { cleanupBase } from './support/cleanup.js';

let base: string | undefined;
afterEach(() => {
  cleanupBase(base);
  base = undefined;
});

const apis = ['new', 'legacy'] as const;
const modes = ['sync', 'async'] as const;
const baseNames = ['ovl-article-', 'ovl article, with: commas=and colons\\ '];

describeMounting('the article on the real kernel', () => {
  for (const api of apis) {
    for (const mode of modes) {
      for (const baseName of baseNames) {
        it(`api ${api}, ${mode}, base ${JSON.stringify(baseName)}`, async () => {
          base = mkdtempSync(join(tmpdir(), baseName));
          const { lower, upper, work, merged } = articleStack(base);
          const spec: OverlaySpec = { lower: [lower], upper, work, target: merged, api };
          const mount: OverlayMount = mode === 'sync' ? mountOverlaySync(spec) : await mountOverlay(spec);

          expect(readdirSync(merged).sort()).toEqual(['delete-me.txt', 'duplicate.txt', 'lower.txt', 'upper.txt']);
          expect(readFileSync(join(merged, 'duplicate.txt'), 'utf8')).toBe('upper duplicate\n');
          const listed = (await listOverlayMounts()).filter((m) => m.target === merged);
          expect(listed).toHaveLength(1);
          expect(listed[0]).toMatchObject({ lower: [lower], upper, work });

          rmSync(join(merged, 'delete-me.txt'));
          const wh = lstatSync(join(upper, 'delete-me.txt'));
          expect(wh.isCharacterDevice()).toBe(true);
          expect(wh.rdev).toBe(0);
          expect(await isWhiteout(join(upper, 'delete-me.txt'))).toBe(true);
          expect(readFileSync(join(lower, 'delete-me.txt'), 'utf8')).toBe('delete me\n');
          expect(readdirSync(merged)).not.toContain('delete-me.txt');

          appendFileSync(join(merged, 'lower.txt'), 'changed\n');
          expect(readFileSync(join(upper, 'lower.txt'), 'utf8')).toBe('lower\nchanged\n');
          expect(readFileSync(join(lower, 'lower.txt'), 'utf8')).toBe('lower\n');

          if (mode === 'sync') mount.unmountSync();
          else await mount.unmount();
          expect(readdirSync(merged)).toEqual([]);
          expect((await listOverlayMounts()).some((m) => m.target === merged)).toBe(false);
        });
      }
    }
  }

  it('resolves relative paths against the current directory, as the article does (lowerdir=lower/)', async () => {
    base = mkdtempSync(join(tmpdir(), 'ovl-relative-'));
    articleStack(base);
    const cwd = process.cwd();
    try {
      process.chdir(base);
      await using m = await mountOverlay({ lower: ['lower/'], upper: 'upper', work: 'work', target: 'merged' });
      expect(m.target).toBe(join(base, 'merged'));
      expect(readdirSync(join(base, 'merged')).sort()).toEqual(['delete-me.txt', 'duplicate.txt', 'lower.txt', 'upper.txt']);
    } finally {
      process.chdir(cwd);
    }
  });
});
