/**
 * Paths are data, never syntax: attacks through layer names must not add, drop or change
 * a mount option, on either API. Checked on the real kernel: where writes land, what
 * merged shows, and what the mount table says.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { listOverlayMounts, mountOverlay } from '../src/index.js';
import { describeMounting } from './support/privileged.js';
import { makeBase, writeTree } from './support/layers.js';
import { cleanupBase } from './support/cleanup.js';

let base: string;
beforeEach(() => {
  base = makeBase('ovl-inject-');
});
afterEach(() => cleanupBase(base));

describeMounting('paths are data, never syntax', () => {
  for (const api of ['new', 'legacy'] as const) {
    it(`a lower dir named 'x,upperdir=/some/dir' does not set the upper dir (${api})`, async () => {
      const victim = writeTree(join(base, 'victim'), {});
      const victimWork = writeTree(join(base, 'victim-work'), {});
      const evilName = `x,upperdir=${victim},workdir=${victimWork}`;
      const evil = writeTree(join(base, evilName), { 'evil.txt': 'e' });
      const other = writeTree(join(base, 'other'), { 'other.txt': 'o' });
      const upper = writeTree(join(base, 'upper'), {});
      const work = writeTree(join(base, 'work'), {});
      const target = writeTree(join(base, 'merged'), {});
      const m = await mountOverlay({ lower: [evil, other], upper, work, target, api });
      writeFileSync(join(target, 'written.txt'), 'w');
      expect(existsSync(join(upper, 'written.txt'))).toBe(true);
      expect(readdirSync(victim)).toEqual([]);
      expect(readdirSync(victimWork)).toEqual([]);
      const [info] = (await listOverlayMounts()).filter((i) => i.target === target);
      expect(info).toMatchObject({ lower: [evil, other], upper, work });
      await m.unmount();
    });

    it(`a ':' in a lower path does not add a layer (${api})`, async () => {
      const a = writeTree(join(base, 'a'), { 'from-a.txt': 'a' });
      const b = writeTree(join(base, 'b'), { 'from-b.txt': 'b' });
      const colon = writeTree(join(base, 'a:b'), { 'from-colon.txt': 'ab' });
      const second = writeTree(join(base, 'second'), { 'from-second.txt': 's' });
      const target = writeTree(join(base, 'merged'), {});
      const m = await mountOverlay({ lower: [colon, second], target, api });
      expect(readdirSync(target).sort()).toEqual(['from-colon.txt', 'from-second.txt']);
      const [info] = (await listOverlayMounts()).filter((i) => i.target === target);
      expect(info!.lower).toEqual([colon, second]);
      expect([a, b].every((d) => existsSync(d))).toBe(true);
      await m.unmount();
    });

    it(`every awkward byte works in every path (${api})`, async () => {
      const weird = ['sp ace', 'com,ma', 'co:lon', 'back\\slash', 'eq=ual', 'new\nline', 'tab\there', 'ünïcødé-日本', 'quote\'"', '::double'];
      const root = join(base, weird.join('|'));
      mkdirSync(root);
      const lower = weird.slice(0, 3).map((n, i) => writeTree(join(root, `L ${n}`), { [`f${i}.txt`]: n }));
      const upper = writeTree(join(root, `U ${weird[3]} ${weird[8]}`), {});
      const work = writeTree(join(root, `W ${weird[4]} ${weird[9]}`), {});
      const target = writeTree(join(root, `M ${weird[5]} ${weird[6]} ${weird[7]}`), {});
      const m = await mountOverlay({ lower, upper, work, target, api });
      expect(readdirSync(target).sort()).toEqual(['f0.txt', 'f1.txt', 'f2.txt']);
      writeFileSync(join(target, 'new.txt'), 'n');
      expect(existsSync(join(upper, 'new.txt'))).toBe(true);
      const [info] = (await listOverlayMounts()).filter((i) => i.target === target);
      expect(info).toMatchObject({ lower, upper, work });
      await m.unmount();
    });
  }
});
