/**
 * Tar headers as GNU tar reads them (layers/tar/header.ts): every field that ustar cannot
 * hold goes to pax, and GNU tar lists and extracts the result without a warning.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, lstatSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { END_OF_ARCHIVE, encodeHeader, padding, type TarHeader } from '../src/layers/tar/header.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function archive(entries: Array<TarHeader & { content?: Buffer }>): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(encodeHeader({ ...e, size: e.content?.length ?? 0 }));
    if (e.content) parts.push(e.content, padding(e.content.length));
  }
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}

function gnuTar(args: string[], tar: Buffer): { stdout: string; stderr: string; status: number | null; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ovl-tar-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'a.tar'), tar);
  const r = spawnSync('tar', [...args, '-f', join(dir, 'a.tar')], { cwd: dir, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, dir };
}

const base = { mode: 0o644, uid: 0, gid: 0, size: 0, mtimeMs: 1_700_000_000_000 };
const name = (s: string): Buffer => Buffer.from(s);

describe('tar headers', () => {
  it('a short entry is one ustar block with a valid checksum, the same bytes every time', () => {
    const h = encodeHeader({ ...base, name: name('etc/hosts'), type: 'file', size: 5 });
    expect(h.length).toBe(512);
    expect(h.equals(encodeHeader({ ...base, name: name('etc/hosts'), type: 'file', size: 5 }))).toBe(true);
  });

  it('numbers in octal fields as GNU tar reads them, past 2^31 too, with a checksum over the whole block', () => {
    const field = (h: Buffer, at: number, width: number): string => h.subarray(at, at + width).toString('latin1');
    for (const size of [0, 7, 8, 0o7777, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 5 * 2 ** 30, 8 ** 11 - 1]) {
      const h = encodeHeader({ ...base, name: name('f'), type: 'file', size, uid: 2_000_000, gid: 8 ** 7 - 1 });
      expect(h.length).toBe(512); // no pax header: every number fits its field
      expect(field(h, 124, 12)).toBe(`${size.toString(8).padStart(11, '0')}\0`);
      expect(field(h, 108, 8)).toBe(`${(2_000_000).toString(8).padStart(7, '0')}\0`);
      expect(field(h, 116, 8)).toBe('7777777\0');
      const blank = Buffer.from(h);
      blank.fill(0x20, 148, 156);
      const sum = blank.reduce((a, c) => a + c, 0);
      expect(field(h, 148, 8)).toBe(`${sum.toString(8).padStart(6, '0')}\0 `);
    }
  });

  it('GNU tar lists every kind of entry without a warning and extracts them as written', () => {
    const longName = `${'d'.repeat(120)}/${'f'.repeat(90)}`;
    const hugeName = `${'x'.repeat(200)}`;
    const tar = archive([
      { ...base, name: name('dir'), type: 'dir', mode: 0o755 },
      { ...base, name: name('dir/file'), type: 'file', content: Buffer.from('hello\n'), uid: 3_000_000, gid: 4_000_000 },
      { ...base, name: name('dir/link'), type: 'hardlink', linkname: name('dir/file') },
      { ...base, name: name('dir/sym'), type: 'symlink', linkname: name(`../${'t'.repeat(150)}`), mode: 0o777 },
      { ...base, name: name('dir/.wh.gone'), type: 'chardev', mode: 0, devmajor: 0, devminor: 0 },
      { ...base, name: name('dir/fifo'), type: 'fifo' },
      { ...base, name: name('dir/ünïcode'), type: 'file', content: Buffer.from('u') },
      { ...base, name: name(`${'d'.repeat(120)}`), type: 'dir', mode: 0o755 },
      { ...base, name: name(longName), type: 'file', content: Buffer.from('long') },
      { ...base, name: name(hugeName), type: 'file', content: Buffer.from('huge'), xattrs: [['user.bin', Buffer.from([0, 0xff, 0x0a, 0x3d])], ['user.a', Buffer.from('v')]] },
    ]);
    const list = gnuTar(['--numeric-owner', '-tv'], tar);
    expect(list.stderr).toBe('');
    expect(list.status).toBe(0);
    expect(list.stdout).toContain('3000000/4000000');
    expect(list.stdout).toContain(longName);
    expect(list.stdout).toContain(hugeName);
    expect(list.stdout).toContain('dir/link link to dir/file');
    expect(list.stdout).toMatch(/^c---------.* 0,0 .*dir\/\.wh\.gone$/m);

    const x = gnuTar(['--xattrs', '--xattrs-include=user.*', '--numeric-owner', '-x'], tar);
    expect(x.stderr).toBe('');
    expect(readFileSync(join(x.dir, longName), 'utf8')).toBe('long');
    expect(readlinkSync(join(x.dir, 'dir/sym'))).toBe(`../${'t'.repeat(150)}`);
    expect(lstatSync(join(x.dir, 'dir/link')).ino).toBe(lstatSync(join(x.dir, 'dir/file')).ino);
    expect(lstatSync(join(x.dir, 'dir/file')).uid).toBe(3_000_000);
    expect(readFileSync(join(x.dir, 'dir/ünïcode'), 'utf8')).toBe('u');
    const value = execFileSync('getfattr', ['--only-values', '-n', 'user.bin', join(x.dir, hugeName)]);
    expect([...value]).toEqual([0, 0xff, 0x0a, 0x3d]);
  });
});
