/**
 * ArchiveFile with batches handed on before the ones before them are written (exportLayer
 * keeps two with the addon): they land in order, and a batch that fails while the one before
 * it is still being gzipped fails its own promise, never the process (no unhandled rejection).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ArchiveFile } from '../src/layers/tar/archive-file.js';
import type { TakenBatch } from '../src/layers/tar/stream-batch.js';
import { cleanupBase } from './support/cleanup.js';
import { makeBase } from './support/layers.js';

let base: string;
beforeEach(() => {
  base = makeBase('ovl-archive-file-');
});
afterEach(() => cleanupBase(base));

/** A batch of `head`, then the whole of file `rel` beneath `root`. */
function batch(head: string, root: string, rel: string): TakenBatch {
  const bytes = Buffer.from(head);
  const size = rel === '' ? 0 : statSync(join(root, rel)).size;
  return rel === ''
    ? { roots: [], bytes, layout: new Float64Array(0), rels: [], paths: [] }
    : { roots: [root], bytes, layout: Float64Array.from([bytes.length, 0, 0, size, 0, size]), rels: [rel], paths: [`/${rel}`] };
}

it('batches queued two deep land in order, gzipped or not, hashed in that order; each batch is taken when written', async () => {
  const parts = [randomBytes(3 << 20), randomBytes(1000), randomBytes(2 << 20)];
  parts.forEach((p, i) => writeFileSync(join(base, `p${i}`), p));
  const want = Buffer.concat(parts.flatMap((p, i) => [Buffer.from(`<${i}>`), p]));
  for (const gzip of [false, true]) {
    const out = join(base, gzip ? 'a.tar.gz' : 'a.tar');
    const archive = await ArchiveFile.create(out, gzip);
    const batches = parts.map((_, i) => batch(`<${i}>`, base, `p${i}`));
    const stops = Promise.all(batches.map((b) => archive.write(b)));
    // The addon copied each batch when write() was called: the writer refills that storage at once.
    for (const b of batches) {
      b.bytes.fill(0x21);
      b.layout.fill(0);
    }
    expect(await stops).toEqual([undefined, undefined, undefined]);
    const result = await archive.finish();
    const bytes = readFileSync(out);
    expect((gzip ? gunzipSync(bytes) : bytes).equals(want)).toBe(true);
    expect(result.diffId).toBe(`sha256:${createHash('sha256').update(want).digest('hex')}`);
  }
});

it('a batch that fails while the one before it is still being gzipped rejects its own promise, not the process', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => void unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    // Random bytes gzip slowly and past zlib's buffer: the first batch's gzip write waits for
    // a drain while the second call (its root is gone) has already failed in the addon.
    writeFileSync(join(base, 'big'), randomBytes(24 << 20));
    const archive = await ArchiveFile.create(join(base, 'b.tar.gz'), true);
    const first = archive.write(batch('<', base, 'big'));
    const second = archive.write({ ...batch('>', base, ''), roots: [join(base, 'gone')], layout: Float64Array.from([1, 0, 0, 0, 0, 0]), rels: ['x'], paths: ['/x'] });
    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open' });
    await new Promise((resolve) => setTimeout(resolve, 50)); // an unhandled rejection is reported after its tick
    expect(unhandled).toEqual([]);
    await archive.abort();
    expect(readdirSync(base).filter((n) => n.includes('partial'))).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
