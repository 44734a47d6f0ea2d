/**
 * exportLayer's rules one by one, on layers written by hand and on changes made through a
 * real mount: what each overlay mark becomes in the tar, what is never exported, that the
 * same input gives the same bytes, and that a layer changed under the export (a file
 * swapped for a symlink to a host file) fails the export and leaves no file behind.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mountOverlay, sys } from '../src/index.js';
import { exportLayer } from '../src/layers/export-layer.js';
import { cleanupBase } from './support/cleanup.js';
import { articleStack, makeBase, writeTree } from './support/layers.js';
import { describeMounting } from './support/privileged.js';

const threads = (): number => Number(/^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);

/**
 * The process's thread count once it is down to `want`, or what it is after 5 s. A joined
 * thread is still counted for a moment: pthread_join returns before it has left the group.
 */
async function threadsDownTo(want: number): Promise<number> {
  const until = Date.now() + 5000;
  for (let n = threads(); ; n = threads()) {
    if (n <= want || Date.now() > until) return n;
    await new Promise((r) => setTimeout(r, 5));
  }
}

let base: string;
beforeEach(() => {
  base = makeBase('ovl-export-rules-');
});
afterEach(() => cleanupBase(base));

/** GNU tar's listing: "<type+mode> <owner> <size-or-dev> <name>[ -> target | link to x]" per line, in archive order. */
function listing(tar: string): string[] {
  const r = spawnSync('tar', ['--numeric-owner', '-tvf', tar], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => l.replace(/^(\S+) (\S+)\s+(\S+(?:,\S+)?) \S+ \S+ /, '$1 $2 $3 '));
}

function names(tar: string): string[] {
  return spawnSync('tar', ['-tf', tar], { encoding: 'utf8' }).stdout.trim().split('\n');
}

describeMounting('exportLayer rules', () => {
  it("the article: changes through a mount become the upper's layer, whiteout as .wh.", async () => {
    const s = articleStack(base);
    const m = await mountOverlay({ lower: [s.lower], upper: s.upper, work: s.work, target: s.merged });
    rmSync(join(s.merged, 'delete-me.txt'));
    appendFileSync(join(s.merged, 'lower.txt'), 'changed\n');
    await m.unmount();
    const out = join(base, 'layer.tar');
    await exportLayer({ lower: [s.lower], upper: s.upper }, out);
    expect(names(out)).toEqual(['.wh.delete-me.txt', 'duplicate.txt', 'lower.txt', 'upper.txt']);
    const x = spawnSync('tar', ['-xOf', out, 'lower.txt'], { encoding: 'utf8' });
    expect(x.stdout).toBe('lower\nchanged\n');
  });

  it('opaque dirs, redirected dirs, metacopy files, hard links, symlinks, xattrs', async () => {
    const lower = writeTree(join(base, 'lower'), { gone: { a: 'a' }, moved: { deep: { f: 'deep file\n' } }, big: 'x'.repeat(5000), keep: 'k' });
    const upper = writeTree(join(base, 'upper'), {});
    const work = writeTree(join(base, 'work'), {});
    const merged = writeTree(join(base, 'merged'), {});
    const m = await mountOverlay({ lower: [lower], upper, work, target: merged, options: { redirect_dir: 'on', metacopy: true, index: false } });
    rmSync(join(merged, 'gone'), { recursive: true });
    mkdirSync(join(merged, 'gone'));
    writeFileSync(join(merged, 'gone', 'new'), 'new');
    renameSync(join(merged, 'moved'), join(merged, 'renamed'));
    chmodSync(join(merged, 'big'), 0o600);
    writeFileSync(join(merged, 'one'), 'linked');
    linkSync(join(merged, 'one'), join(merged, 'two'));
    symlinkSync('../etc/passwd', join(merged, 'sym'));
    writeFileSync(join(merged, 'attrs'), '');
    sys.lsetxattr(join(merged, 'attrs'), 'user.note', Buffer.from([1, 2, 0, 255]), 0);
    await m.unmount();
    // The kernel made what we mean to test: a redirect, a metacopy-only copy-up, an opaque dir.
    expect(sys.lgetxattr(join(upper, 'renamed'), 'trusted.overlay.redirect').toString()).toBe('moved'); // a rename within one dir: a relative redirect
    expect(sys.llistxattr(join(upper, 'big'))).toContain('trusted.overlay.metacopy');
    expect(sys.lgetxattr(join(upper, 'gone'), 'trusted.overlay.opaque').toString()).toBe('y');

    const out = join(base, 'layer.tar');
    await exportLayer({ lower: [lower], upper }, out);
    const l = listing(out);
    expect(names(out)).toEqual([
      'attrs', 'big', 'gone/', 'gone/.wh..wh..opq', 'gone/new', '.wh.moved', 'one', 'renamed/', 'renamed/.wh..wh..opq', 'renamed/deep/', 'renamed/deep/f', 'sym', 'two',
    ]);
    expect(l.find((x) => x.endsWith(' big'))).toMatch(/^-rw------- 0\/0 5000 big$/);
    expect(spawnSync('tar', ['-xOf', out, 'big'], { encoding: 'utf8' }).stdout).toBe('x'.repeat(5000));
    expect(spawnSync('tar', ['-xOf', out, 'renamed/deep/f'], { encoding: 'utf8' }).stdout).toBe('deep file\n');
    expect(l.find((x) => x.includes(' two'))).toMatch(/two link to one$/);
    expect(l.find((x) => x.includes(' sym'))).toMatch(/sym -> \.\.\/etc\/passwd$/);
    // xattrs: the user's survive byte for byte, overlay's own never leave.
    const into = join(base, 'x');
    mkdirSync(into);
    expect(spawnSync('tar', ['--xattrs', '--xattrs-include=*', '-xf', out, '-C', into]).status).toBe(0);
    expect([...sys.lgetxattr(join(into, 'attrs'), 'user.note')]).toEqual([1, 2, 0, 255]);
    for (const p of ['big', 'renamed', 'gone']) expect(sys.llistxattr(join(into, p)).filter((n) => n.includes('overlay'))).toEqual([]);
  });

  it('names in UTF-8 byte order, characters beyond U+FFFF too (JS string order puts them before U+E000)', async () => {
    const upper = writeTree(join(base, 'upper'), { d: { z: 'z', '\u{1F600}': 'smile', '\uE000': 'private', a: 'a', '\u00E9': 'e' } });
    const out = join(base, 'layer.tar');
    await exportLayer({ lower: [writeTree(join(base, 'lower'), {})], upper }, out);
    expect(names(out)).toEqual(['d/', 'd/a', 'd/z', 'd/\u00E9', 'd/\uE000', 'd/\u{1F600}']);
  });

  it('the same layer gives the same bytes; a fixed mtime ignores touched times; gzip digests the file, diffId the tar', async () => {
    const lower = writeTree(join(base, 'lower'), { a: 'a' });
    const upper = writeTree(join(base, 'upper'), { b: 'b', d: { c: 'c' } });
    const one = await exportLayer({ lower: [lower], upper }, join(base, '1.tar'));
    const two = await exportLayer({ lower: [lower], upper }, join(base, '2.tar'));
    expect(two).toEqual(one);
    expect(one.diffId).toBe(one.digest);
    expect(one.size).toBe(readFileSync(join(base, '1.tar')).length);

    const fixed = new Date('2020-01-01T00:00:00Z');
    const before = await exportLayer({ lower: [lower], upper }, join(base, '3.tar'), { mtime: fixed });
    utimesSync(join(upper, 'b'), new Date(), new Date('2030-01-01'));
    const after = await exportLayer({ lower: [lower], upper }, join(base, '4.tar'), { mtime: fixed });
    expect(after.digest).toBe(before.digest);

    const gz = await exportLayer({ lower: [lower], upper }, join(base, '5.tar.gz'), { gzip: true, mtime: fixed });
    const bytes = readFileSync(join(base, '5.tar.gz'));
    expect(gz.digest).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    expect(gz.diffId).toBe(before.diffId);
    expect(createHash('sha256').update(gunzipSync(bytes)).digest('hex')).toBe(before.diffId.slice(7));
  });

  it('reports progress up to the totals', async () => {
    // Progress comes after each batch the addon writes (8 MiB of content): a 40 MiB file moves it before the end.
    const upper = writeTree(join(base, 'upper'), { big: 'y'.repeat(40 << 20), small: 's' });
    const seen: number[] = [];
    let last;
    await exportLayer({ lower: [], upper }, join(base, 'p.tar'), { onProgress: (p) => { seen.push(p.bytes); last = p; } });
    expect(last).toEqual({ entries: 2, totalEntries: 2, bytes: (40 << 20) + 1, totalBytes: (40 << 20) + 1 });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('reports progress against the final totals only, though writing starts while the scan goes on', async () => {
    // Many dirs, so the scan is still reading dirs when the first batches are written.
    const dir = Object.fromEntries(Array.from({ length: 20 }, (_, f) => [`f${f}`, 'x'.repeat(100_000)]));
    const tree = Object.fromEntries(Array.from({ length: 40 }, (_, d) => [`d${d}`, dir]));
    const upper = writeTree(join(base, 'upper'), tree);
    const reports: Array<{ entries: number; totalEntries: number; bytes: number; totalBytes: number }> = [];
    await exportLayer({ lower: [], upper }, join(base, 'p.tar'), { onProgress: (p) => reports.push(p) });
    expect(reports.length).toBeGreaterThan(0);
    for (const r of reports) expect(r).toMatchObject({ totalEntries: 840, totalBytes: 800 * 100_000 });
    expect(reports.at(-1)).toEqual({ entries: 840, totalEntries: 840, bytes: 80_000_000, totalBytes: 80_000_000 });
    const listed = spawnSync('tar', ['-tf', join(base, 'p.tar')], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(listed).toHaveLength(840);
    expect(listed.slice(0, 3)).toEqual(['d0/', 'd0/f0', 'd0/f1']);
  });

  it('a file swapped for a symlink to a host file during the export fails it, and leaves no file', async () => {
    // 'b' comes far enough after the first (big) file that the export has not looked at it
    // yet when the swap comes (the first progress, after the first 8 MiB batch of 'a'; it
    // looks a few hundred entries ahead).
    const small = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`a${String(i).padStart(3, '0')}`, 's']));
    const upper = writeTree(join(base, 'upper'), { a: 'z'.repeat(40 << 20), ...small, b: 'secret-free' });
    const out = join(base, 'swap.tar');
    let swapped = false;
    const err = await exportLayer({ lower: [], upper }, out, {
      onProgress: () => {
        if (swapped) return;
        swapped = true; // while 'a' is being read, 'b' (not yet looked at) becomes a link to a host file
        rmSync(join(upper, 'b'));
        symlinkSync('/etc/hostname', join(upper, 'b'));
      },
    }).catch((e: unknown) => e);
    expect(swapped).toBe(true);
    expect((err as { code: string }).code).toBe('ERR_OVL_CHANGED_WHILE_READING');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(base).filter((n) => n.includes('partial'))).toEqual([]);
  });

  it('a file that grows, shrinks or is replaced after the export looked at it fails it with a coded error, and leaves no file nor thread', async () => {
    // At the first progress (after the first 8 MiB of 'a'), 'a005' has been looked at (its
    // header says 1 byte) but not yet copied; 'a' itself is still being copied.
    const small = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`a${String(i).padStart(3, '0')}`, 's']));
    const cases: Array<[string, (upper: string) => void, RegExp]> = [
      ['grown', (upper) => writeFileSync(join(upper, 'a005'), 'longer'), /'\/a005' changed while reading it: it is 6 bytes now, not 1/],
      ['shrunk', (upper) => writeFileSync(join(upper, 'a005'), ''), /'\/a005' changed while reading it: it is 0 bytes now, not 1/],
      // the old file kept under another name, so the new one cannot get its inode number
      ['replaced', (upper) => { renameSync(join(upper, 'a005'), join(upper, 'old')); writeFileSync(join(upper, 'a005'), 't'); }, /'\/a005' changed while reading it: another file now stands in its place/],
      ['big one grown', (upper) => appendFileSync(join(upper, 'a'), 'more'), /'\/a' changed while reading it: it is \d+ bytes now/],
    ];
    // libuv's pool threads exist before counting (an export starts them)
    await exportLayer({ lower: [], upper: writeTree(join(base, 'warm-up'), { f: 'f' }) }, join(base, 'warm-up.tar'));
    for (const [what, change, message] of cases) {
      const upper = writeTree(join(base, `upper-${what.replace(/ /g, '-')}`), { a: 'z'.repeat(40 << 20), ...small });
      const out = join(base, 'changed.tar');
      const idle = threads();
      let changed = false;
      const err = await exportLayer({ lower: [], upper }, out, {
        onProgress: () => {
          if (changed) return;
          changed = true;
          change(upper);
        },
      }).catch((e: unknown) => e);
      expect(changed, what).toBe(true);
      expect((err as { code: string }).code, what).toBe('ERR_OVL_CHANGED_WHILE_READING');
      expect((err as Error).message, what).toMatch(message);
      expect(existsSync(out), what).toBe(false);
      expect(readdirSync(base).filter((n) => n.includes('partial')), what).toEqual([]);
      // the hash thread the export started ends with it (not when the collector gets to it)
      expect(await threadsDownTo(idle), what).toBe(idle);
    }
  });

  it('refuses an overlay without an upper, and a target dir that does not exist, leaving nothing', async () => {
    const lower = writeTree(join(base, 'lower'), { a: 'a' });
    await expect(exportLayer({ lower: [lower] }, join(base, 'x.tar'))).rejects.toMatchObject({ code: 'ERR_OVL_NO_UPPER' });
    await expect(exportLayer({ lower: [], upper: lower }, join(base, 'missing', 'x.tar'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(readdirSync(base).sort()).toEqual(['lower']);
  });
});
