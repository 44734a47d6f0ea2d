/**
 * The readers of untrusted formats on random and mutated input: what a damaged store, a
 * half-written file or a hostile archive gives them is entries or a coded error — never
 * another kind of throw, never a hang (each case has a time limit), never a write outside
 * the dir an archive is applied to.
 * - tar: TarReader and applyLayer on random bytes and on mutations of a real archive;
 * - bbolt: parseBolt on mutations of a real podman libpod db;
 * - Docker: the reader on a data root with one metadata file mutated;
 * - podman: the reader on a real store (podman import + create) with one file mutated.
 * fast-check settings and replay: support/property.ts (OVL_FC_SEED, OVL_FC_PATH, OVL_FC_RUNS).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLayer, listContainers, listImages, OvlError } from '../src/index.js';
import { BoltFormatError, parseBolt } from '../src/engines/bolt/pages.js';
import { TarReader } from '../src/layers/tar/reader.js';
import { END_OF_ARCHIVE, encodeHeader, padding } from '../src/layers/tar/header.js';
import { cleanupBase } from './support/cleanup.js';
import { writeStore } from './support/docker-store.js';
import { makeBase, snapshotTree } from './support/layers.js';
import { requirePodman, describePodman } from './support/podman.js';
import { tempStore, type TempStore } from './support/podman-store.js';
import { describeRoot } from './support/privileged.js';
import { propertyParams } from './support/property.js';

const LIMIT_MS = 10_000;

/** A mutation of a file's bytes, as fast-check draws it. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 3 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(b: Buffer, m: Mutation): Buffer {
  if (m.kind === 'json') return Buffer.from(JSON.stringify(m.value) ?? 'null');
  const at = Math.floor(m.at * b.length);
  if (m.kind === 'truncate') return b.subarray(0, at);
  if (m.kind === 'insert') return Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
  const out = Buffer.from(b);
  m.bytes.forEach((x, i) => {
    if (at + i < out.length) out[at + i] = x;
  });
  return out;
}

/** Within the time limit: what `work` gives, or the throw. A hang fails the case. */
async function bounded<T>(work: () => Promise<T>): Promise<{ ok: T } | { error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${LIMIT_MS} ms: a hang`)), LIMIT_MS);
  });
  try {
    return { ok: await Promise.race([work(), hang]) };
  } catch (error) {
    if (error instanceof Error && error.message.includes('a hang')) throw error;
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

function expectCoded(r: { ok: unknown } | { error: unknown }, codes: readonly string[]): void {
  if ('ok' in r) return;
  if (!(r.error instanceof OvlError) || !codes.includes(r.error.code)) throw new Error(`not a coded error: ${String((r.error as Error)?.stack ?? r.error)}`);
}

/** Every regular file under dir, as paths relative to it. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, n.name);
      if (n.isDirectory()) walk(p);
      else if (n.isFile() && statSync(p).size < 1 << 20) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

const TAR_CODES = ['ERR_OVL_TAR_CORRUPT', 'ERR_OVL_TAR_TRUNCATED', 'ERR_OVL_TAR_UNSUPPORTED', 'ERR_OVL_TAR_UNSAFE'];
const ENGINE_CODES = ['ERR_OVL_ENGINE_METADATA', 'ERR_OVL_STORAGE_UNREADABLE', 'ERR_OVL_ENGINE_BUSY'];

function sampleArchive(): Buffer {
  const entry = (name: string, type: 'file' | 'dir' | 'symlink', content = '', extra = {}): Buffer => {
    const data = Buffer.from(content);
    return Buffer.concat([encodeHeader({ name: Buffer.from(name), type, mode: 0o644, uid: 0, gid: 0, size: type === 'file' ? data.length : 0, mtimeMs: 0, ...extra }), data, padding(data.length)]);
  };
  return Buffer.concat([
    entry('d', 'dir'),
    entry('d/f', 'file', 'hello\n', { xattrs: [['user.k', Buffer.from([1, 2, 3])]] }),
    entry(`d/${'long'.repeat(40)}`, 'file', 'x'.repeat(700)),
    entry('d/l', 'symlink', '', { linkname: Buffer.from('f') }),
    entry('d/.wh.gone', 'file'),
    END_OF_ARCHIVE,
  ]);
}

describe('tar reader on random and mutated archives', () => {
  it('TarReader gives entries or a coded error', async () => {
    const base = sampleArchive();
    const input = fc.oneof(fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b)), mutation.map((m) => mutate(base, m)));
    await fc.assert(
      fc.asyncProperty(input, async (bytes) => {
        const r = await bounded(async () => {
          const reader = new TarReader((async function* () {
            yield bytes;
          })());
          let n = 0;
          for (let e = await reader.next(); e !== undefined; e = await reader.next()) {
            for await (const _ of reader.readContent(1000)) n++;
          }
          return n;
        });
        expectCoded(r, TAR_CODES);
      }),
      propertyParams('TarReader', 2000),
    );
  });
});

describeRoot('applyLayer on mutated archives', () => {
  let base: string;
  beforeAll(() => {
    base = makeBase('ovl-fuzz-apply-');
  });
  afterAll(() => cleanupBase(base));

  it('applies or refuses with a code, and never writes outside the dir', async () => {
    const archive = sampleArchive();
    const outside = join(base, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'keep'), 'k');
    const before = snapshotTree(outside);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutation, fc.constantFrom('layer' as const, 'rootfs' as const), async (m, as) => {
        const dir = join(base, `d${n}`);
        const file = join(base, `t${n++}.tar`);
        mkdirSync(dir);
        writeFileSync(file, mutate(archive, m));
        expectCoded(await bounded(() => applyLayer(file, dir, { as })), TAR_CODES);
        expect(snapshotTree(outside)).toBe(before);
      }),
      propertyParams('applyLayer', 300),
    );
  });
});

describeRoot('Docker reader on a data root with one file mutated', () => {
  let base: string;
  let pristine: string;
  let files: string[];
  beforeAll(() => {
    base = makeBase('ovl-fuzz-docker-');
    pristine = join(base, 'pristine');
    writeStore(pristine);
    files = filesUnder(pristine);
  });
  afterAll(() => cleanupBase(base));

  it('lists or refuses with a code', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutation, async (which, m) => {
        const root = join(base, `r${n++}`);
        cpSync(pristine, root, { recursive: true, verbatimSymlinks: true });
        const file = join(root, files[which % files.length]!);
        writeFileSync(file, mutate(readFileSync(file), m));
        const opts = { engines: ['docker' as const], roots: { docker: root } };
        expectCoded(await bounded(() => listContainers(opts)), ENGINE_CODES);
        expectCoded(await bounded(() => listImages(opts)), ENGINE_CODES);
      }),
      propertyParams('Docker reader', 200),
    );
  });
});

describePodman('podman reader and bbolt parser on a real store with one file mutated', () => {
  if (!requirePodman()) return;
  let base: string;
  let store: TempStore;
  let files: string[];
  beforeAll(() => {
    base = makeBase('ovl-fuzz-podman-');
    store = tempStore(join(base, 'store'));
    const src = join(base, 'src');
    mkdirSync(join(src, 'etc'), { recursive: true });
    writeFileSync(join(src, 'etc', 'conf'), 'a=1\n');
    const tar = join(base, 'src.tar');
    expect(spawnSync('tar', ['-C', src, '-cf', tar, '.']).status).toBe(0);
    store.run('import', '-q', tar, 'ovl-test-fuzz');
    store.run('create', '-q', '--name', 'ovl-test-fuzz', 'ovl-test-fuzz', '/bin/true');
    // Metadata only: the JSON records, lock-free link/lower files and the libpod bolt db.
    files = filesUnder(store.root).filter((f) => /\.json$|\/lower$|\/link$|\.db$/.test(f));
  });
  afterAll(() => {
    store.clean();
    cleanupBase(base);
  });

  it('parseBolt gives a db or a BoltFormatError', async () => {
    const db = files.find((f) => f.endsWith('bolt_state.db'));
    expect(db).toBeDefined();
    const bytes = readFileSync(join(store.root, db!));
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const r = await bounded(async () => parseBolt(mutate(bytes, m)));
        if ('error' in r && !(r.error instanceof BoltFormatError)) throw new Error(`not a BoltFormatError: ${String((r.error as Error)?.stack ?? r.error)}`);
      }),
      propertyParams('parseBolt', 500),
    );
  });

  it('the reader lists or refuses with a code', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutation, async (which, m) => {
        const root = join(base, `r${n++}`);
        cpSync(store.root, root, { recursive: true, verbatimSymlinks: true });
        const file = join(root, files[which % files.length]!);
        writeFileSync(file, mutate(readFileSync(file), m));
        const opts = { engines: ['podman' as const], roots: { podman: root } };
        expectCoded(await bounded(() => listContainers(opts)), ENGINE_CODES);
        expectCoded(await bounded(() => listImages(opts)), ENGINE_CODES);
      }),
      propertyParams('podman reader', 100),
    );
  });
});
