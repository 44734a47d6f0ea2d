/**
 * Hostile and broken layer tars, built here byte by byte: each is refused with a coded error
 * and writes nothing — outside the dir (the point) and, since every refusal comes from the
 * first pass, inside it either. Then the options that let some of it in on purpose.
 */
import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLayer, sys } from '../src/index.js';
import { BLOCK, END_OF_ARCHIVE, encodeHeader, padding, type TarHeader } from '../src/layers/tar/header.js';
import { cleanupBase } from './support/cleanup.js';
import { makeBase, snapshotTree } from './support/layers.js';
import { describeRoot } from './support/privileged.js';

let base: string;
let dir: string;
let outside: string;
beforeEach(() => {
  base = makeBase('ovl-hostile-');
  dir = join(base, 'dir');
  outside = join(base, 'outside');
  mkdirSync(dir);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret'), 'host file\n');
});
afterEach(() => cleanupBase(base));

type Entry = Partial<Omit<TarHeader, 'name'>> & { name: string | Buffer; content?: string };

function entry(e: Entry): Buffer {
  const content = Buffer.from(e.content ?? '');
  const h: TarHeader = { type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, ...e, name: Buffer.isBuffer(e.name) ? e.name : Buffer.from(e.name), size: e.type === undefined || e.type === 'file' ? content.length : 0 };
  return Buffer.concat([encodeHeader(h), content, padding(content.length)]);
}

function tar(...parts: Buffer[]): Buffer {
  return Buffer.concat([...parts, END_OF_ARCHIVE]);
}

/** A header block with any typeflag, checksum fixed: for GNU long names and types we never write. */
function rawBlock(name: string, typeflag: string, size: number): Buffer {
  const b = encodeHeader({ name: Buffer.from(name), type: 'file', mode: 0o644, uid: 0, gid: 0, size, mtimeMs: 0 });
  b[156] = typeflag.charCodeAt(0);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const c of b) sum += c;
  Buffer.from(`${sum.toString(8).padStart(6, '0')}\0 `, 'latin1').copy(b, 148);
  return b;
}

function withData(header: Buffer, data: Buffer): Buffer {
  return Buffer.concat([header, data, padding(data.length)]);
}

function write(name: string, bytes: Buffer): string {
  const p = join(base, name);
  writeFileSync(p, bytes);
  return p;
}

interface Case {
  what: string;
  archive: () => Buffer;
  setup?: () => void;
  code: string;
}

const cases: Case[] = [
  { what: "a name climbing out with '..'", archive: () => tar(entry({ name: '../outside/evil', content: 'x' })), code: 'ERR_OVL_TAR_UNSAFE' },
  { what: "'..' in the middle", archive: () => tar(entry({ name: 'a/../../outside/evil', content: 'x' })), code: 'ERR_OVL_TAR_UNSAFE' },
  { what: 'an absolute name', archive: () => tar(entry({ name: '/etc/ovl-evil', content: 'x' })), code: 'ERR_OVL_TAR_UNSAFE' },
  {
    what: "a write through the archive's own symlink",
    archive: () => tar(entry({ name: 'l', type: 'symlink', linkname: Buffer.from(outside) }), entry({ name: 'l/evil', content: 'x' })),
    code: 'ERR_OVL_TAR_UNSAFE',
  },
  {
    what: 'a write through a symlink already in the dir',
    setup: () => symlinkSync(outside, join(dir, 'l')),
    archive: () => tar(entry({ name: 'l/evil', content: 'x' })),
    code: 'ERR_OVL_TAR_UNSAFE',
  },
  {
    what: 'a whiteout through a symlink already in the dir',
    setup: () => symlinkSync(outside, join(dir, 'l')),
    archive: () => tar(entry({ name: 'l/.wh.secret' })),
    code: 'ERR_OVL_TAR_UNSAFE',
  },
  { what: 'a hard link to an absolute path', archive: () => tar(entry({ name: 'h', type: 'hardlink', linkname: Buffer.from('/etc/passwd') })), code: 'ERR_OVL_TAR_UNSAFE' },
  { what: 'a hard link climbing out', archive: () => tar(entry({ name: 'h', type: 'hardlink', linkname: Buffer.from('../outside/secret') })), code: 'ERR_OVL_TAR_UNSAFE' },
  {
    what: "a hard link through the archive's symlink",
    archive: () => tar(entry({ name: 'l', type: 'symlink', linkname: Buffer.from(outside) }), entry({ name: 'h', type: 'hardlink', linkname: Buffer.from('l/secret') })),
    code: 'ERR_OVL_TAR_UNSAFE',
  },
  { what: 'a hard link to nothing in the archive', archive: () => tar(entry({ name: 'h', type: 'hardlink', linkname: Buffer.from('missing') })), code: 'ERR_OVL_TAR_UNSAFE' },
  { what: "a whiteout of '..'", archive: () => tar(entry({ name: 'a/.wh...' })), code: 'ERR_OVL_TAR_UNSAFE' },
  { what: "a whiteout of '.'", archive: () => tar(entry({ name: '.wh..' })), code: 'ERR_OVL_TAR_UNSAFE' },
  { what: 'a block device', archive: () => tar(entry({ name: 'sda', type: 'blockdev', devmajor: 8, devminor: 0 })), code: 'ERR_OVL_TAR_UNSAFE' },
  { what: 'a character device other than 0/0', archive: () => tar(entry({ name: 'mem', type: 'chardev', devmajor: 1, devminor: 1 })), code: 'ERR_OVL_TAR_UNSAFE' },
  {
    what: 'a pax path climbing out',
    archive: () => tar(entry({ name: `${'d'.repeat(120)}/../../../outside/${'e'.repeat(120)}`, content: 'x' })),
    code: 'ERR_OVL_TAR_UNSAFE',
  },
  {
    what: 'a GNU long name that is absolute',
    archive: () => {
      const long = Buffer.from(`/tmp/${'x'.repeat(150)}\0`);
      return tar(withData(rawBlock('././@LongLink', 'L', long.length), long), entry({ name: 'short', content: 'x' }));
    },
    code: 'ERR_OVL_TAR_UNSAFE',
  },
  {
    what: 'a size larger than the data',
    archive: () => {
      const h = encodeHeader({ name: Buffer.from('big'), type: 'file', mode: 0o644, uid: 0, gid: 0, size: 4096, mtimeMs: 0 });
      return Buffer.concat([h, Buffer.alloc(BLOCK, 0x61)]);
    },
    code: 'ERR_OVL_TAR_TRUNCATED',
  },
  { what: 'an archive cut inside a header', archive: () => tar(entry({ name: 'a', content: 'a' })).subarray(0, 300), code: 'ERR_OVL_TAR_TRUNCATED' },
  { what: 'an archive without its end blocks', archive: () => entry({ name: 'a', content: 'a' }), code: 'ERR_OVL_TAR_TRUNCATED' },
  {
    what: 'a bad header checksum',
    archive: () => {
      const t = tar(entry({ name: 'a', content: 'a' }));
      t[0] = 0x62; // 'a' → 'b' without fixing the checksum
      return t;
    },
    code: 'ERR_OVL_TAR_CORRUPT',
  },
  { what: 'a sparse file', archive: () => tar(withData(rawBlock('sparse', 'S', 0), Buffer.alloc(0))), code: 'ERR_OVL_TAR_UNSUPPORTED' },
  { what: 'not a tar at all', archive: () => Buffer.from('hello, this is not an archive\n'.repeat(40)), code: 'ERR_OVL_TAR_CORRUPT' },
];

describeRoot('applyLayer refuses hostile and broken archives, writing nothing', () => {
  for (const as of ['layer', 'rootfs'] as const) {
    for (const gz of [false, true]) {
      describe(`as ${as}${gz ? ', gzipped' : ''}`, () => {
        for (const c of cases) {
          it(c.what, async () => {
            c.setup?.();
            const before = { dir: snapshotTree(dir), outside: snapshotTree(outside) };
            const raw = c.archive();
            const file = write('layer.tar', gz ? gzipSync(raw) : raw);
            await expect(applyLayer(file, dir, { as })).rejects.toMatchObject({ code: c.code });
            expect(snapshotTree(outside)).toBe(before.outside);
            expect(snapshotTree(dir)).toBe(before.dir);
          });
        }
      });
    }
  }
});

/** Broken gzip wrappers around a good archive: the file starts with gzip's magic, so it is read as gzip. */
const gzipCases: Array<{ what: string; file: () => Buffer; code: string }> = [
  {
    what: 'a gzip stream with an unknown compression method',
    file: () => {
      const gz = gzipSync(tar(entry({ name: 'a', content: 'a' })));
      gz[2] = 0x07; // only 8 (deflate) exists
      return gz;
    },
    code: 'ERR_OVL_TAR_CORRUPT',
  },
  {
    what: 'a gzip stream whose CRC does not match',
    file: () => {
      const gz = gzipSync(tar(entry({ name: 'a', content: 'a' })));
      gz.writeUInt8(gz.readUInt8(gz.length - 8) ^ 0xff, gz.length - 8);
      return gz;
    },
    code: 'ERR_OVL_TAR_CORRUPT',
  },
  { what: 'a gzip stream cut short', file: () => gzipSync(tar(entry({ name: 'a', content: 'a'.repeat(5000) }))).subarray(0, 40), code: 'ERR_OVL_TAR_TRUNCATED' },
];

describeRoot('applyLayer refuses a broken gzip wrapper with the tar codes, writing nothing', () => {
  for (const c of gzipCases) {
    it(c.what, async () => {
      const before = snapshotTree(dir);
      const file = write('layer.tar.gz', c.file());
      await expect(applyLayer(file, dir, { as: 'layer' })).rejects.toMatchObject({ code: c.code, path: file });
      expect(snapshotTree(dir)).toBe(before);
    });
  }
});

describeRoot('applyLayer: what the options let in, and what it always keeps out', () => {
  it('a symlink the archive replaces with a dir is no way out: writes land in the dir', async () => {
    const file = write('t.tar', tar(entry({ name: 'd', type: 'symlink', linkname: Buffer.from(outside) }), entry({ name: 'd', type: 'dir', mode: 0o755 }), entry({ name: 'd/x', content: 'inside' })));
    await applyLayer(file, dir, { as: 'rootfs' });
    expect(readFileSync(join(dir, 'd/x'), 'utf8')).toBe('inside');
    expect(lstatSync(join(dir, 'd')).isDirectory()).toBe(true);
  });

  it('devices: skip leaves them out, create makes them', async () => {
    const file = write('t.tar', tar(entry({ name: 'null', type: 'chardev', devmajor: 1, devminor: 3 }), entry({ name: 'f', content: 'f' })));
    expect(await applyLayer(file, dir, { as: 'rootfs', devices: 'skip' })).toMatchObject({ skipped: 1, entries: 1 });
    expect(() => lstatSync(join(dir, 'null'))).toThrow();
    await applyLayer(file, dir, { as: 'rootfs', devices: 'create' });
    expect(lstatSync(join(dir, 'null')).rdev).toBe((1 << 8) | 3);
  });

  it("xattrs: user.* kept, trusted.*/security.* only when asked, overlay's own never", async () => {
    const xattrs: Array<[string, Buffer]> = [
      ['user.ok', Buffer.from([0, 1])],
      ['security.capability', Buffer.from([1, 0, 0, 2, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
      ['trusted.overlay.redirect', Buffer.from('/etc')],
      ['trusted.other', Buffer.from('t')],
    ];
    const file = write('t.tar', tar(entry({ name: 'f', content: 'f', xattrs })));
    expect(await applyLayer(file, dir, { as: 'layer' })).toMatchObject({ droppedXattrs: 3 });
    expect(sys.llistxattr(join(dir, 'f')).sort()).toEqual(['user.ok']);
    await applyLayer(file, dir, { as: 'layer', xattrs: 'all' });
    expect(sys.llistxattr(join(dir, 'f')).sort()).toEqual(['security.capability', 'trusted.other', 'user.ok']);
  });

  it('setuid and setgid are cleared unless kept', async () => {
    const file = write('t.tar', tar(entry({ name: 'su', content: '#!', mode: 0o6755 })));
    await applyLayer(file, dir, { as: 'rootfs' });
    expect(lstatSync(join(dir, 'su')).mode & 0o7777).toBe(0o755);
    await applyLayer(file, dir, { as: 'rootfs', keepSetid: true });
    expect(lstatSync(join(dir, 'su')).mode & 0o7777).toBe(0o6755);
  });

  it('AUFS bookkeeping (.wh..wh.*) is skipped; a whiteout as a layer is a 0/0 char device; an opaque marker the xattr', async () => {
    const file = write('t.tar', tar(entry({ name: '.wh..wh.plnk', type: 'dir', mode: 0o700 }), entry({ name: 'd', type: 'dir', mode: 0o755 }), entry({ name: 'd/.wh..wh..opq' }), entry({ name: '.wh.gone' })));
    expect(await applyLayer(file, dir, { as: 'layer' })).toMatchObject({ skipped: 1 });
    expect(sys.lgetxattr(join(dir, 'd'), 'trusted.overlay.opaque').toString()).toBe('y');
    const wh = lstatSync(join(dir, 'gone'));
    expect(wh.isCharacterDevice() && wh.rdev === 0).toBe(true);
  });

  it('refuses a missing dir and a bad mode as arguments, before reading anything', async () => {
    const file = write('t.tar', tar(entry({ name: 'f', content: 'f' })));
    await expect(applyLayer(file, join(base, 'nope'), { as: 'rootfs' })).rejects.toMatchObject({ code: 'ERR_OVL_PATH_MISSING' });
    await expect(applyLayer(file, dir, { as: 'other' as 'rootfs' })).rejects.toBeInstanceOf(TypeError);
  });
});
