/**
 * MetadataBatch: an engine's small metadata files read in one native call, on this thread
 * (up to SYNC_MAX_FILES) or through the thread pool (more): both give each file's text, and
 * refuse a symlink planted in the store (at the file or on the way) with the coded error
 * naming it, never reading what it points at.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetadataBatch, SYNC_MAX_FILES } from '../src/engines/metadata-batch.js';
import { makeBase, removeBase } from './support/layers.js';

describe('MetadataBatch', () => {
  let base: string;
  let dir: string;
  beforeEach(() => {
    base = makeBase('ovl-test-metadata-batch-');
    dir = join(base, 'store');
    mkdirSync(dir);
    writeFileSync(join(base, 'secret'), 'outside the store');
  });
  afterEach(() => removeBase(base));

  /** `n` files c<i>/f, each with its own text; returns their rels. */
  function writeFiles(n: number): string[] {
    return Array.from({ length: n }, (_, i) => {
      mkdirSync(join(dir, `c${i}`));
      writeFileSync(join(dir, `c${i}`, 'f'), `{"n":${i},"pad":"${'x'.repeat(i % 97)}"}`);
      return `c${i}/f`;
    });
  }

  it.each([
    ['on this thread', 3],
    ['through the thread pool', SYNC_MAX_FILES + 5],
  ])('%s: every file as written, missing ones undefined, bytes compared whole', async (_, n) => {
    const rels = [...writeFiles(n), 'missing/f', 'c0/missing'];
    const batch = await MetadataBatch.read('docker', dir, rels);
    for (let i = 0; i < n; i++) expect(batch.text(i)).toBe(readFileSync(join(dir, rels[i]!), 'utf8'));
    expect([batch.text(n), batch.text(n + 1)]).toEqual([undefined, undefined]);
    expect(batch.path(n - 1)).toBe(join(dir, rels[n - 1]!));
    const again = await MetadataBatch.read('docker', dir, rels);
    expect(batch.sameBytes(0, again, 0)).toBe(true);
    expect(batch.sameBytes(0, again, 1)).toBe(false);
    expect(batch.sameBytes(n, again, n)).toBe(false); // not there: nothing to compare
  });

  it.each([
    ['on this thread', 0],
    ['through the thread pool', SYNC_MAX_FILES + 5],
  ])('%s: a symlink at the file or on the way is ERR_OVL_ENGINE_METADATA naming it; what it points at is not read', async (_, n) => {
    const rels = writeFiles(n);
    mkdirSync(join(dir, 'ok'));
    symlinkSync(join(base, 'secret'), join(dir, 'ok', 'f'));
    symlinkSync(base, join(dir, 'via'));
    const batch = await MetadataBatch.read('docker', dir, [...rels, 'ok/f', 'via/secret']);
    for (const i of [n, n + 1]) {
      expect(() => batch.text(i)).toThrow(expect.objectContaining({ code: 'ERR_OVL_ENGINE_METADATA', path: batch.path(i) }));
      expect(batch.sameBytes(i, batch, i)).toBe(false);
    }
  });

  it('a FIFO or a dir where a file should be is ERR_OVL_ENGINE_METADATA, read without blocking; a dir that is not there is an empty batch', async () => {
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'f'), 'x');
    expect(spawnSync('mkfifo', [join(dir, 'fifo')]).status).toBe(0);
    const batch = await MetadataBatch.read('docker', dir, ['d', 'fifo', 'd/f']);
    for (const i of [0, 1]) expect(() => batch.text(i)).toThrow(expect.objectContaining({ code: 'ERR_OVL_ENGINE_METADATA', message: expect.stringContaining('not a regular file') }));
    expect(batch.text(2)).toBe('x');
    const none = await MetadataBatch.read('docker', join(base, 'nowhere'), ['a', 'b']);
    expect([none.text(0), none.text(1), none.byteLength]).toEqual([undefined, undefined, 0]);
  });
});
