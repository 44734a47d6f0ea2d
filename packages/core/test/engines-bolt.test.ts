/**
 * The read-only bbolt reader on podman's own libpod database (a store of our own made with
 * `podman --root/--runroot`): buckets and values as podman wrote them, a damaged file as
 * ERR_OVL_ENGINE_METADATA naming it, and the read waiting while another process holds
 * bbolt's writer lock (flock LOCK_EX).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readBolt, viewBolt } from '../src/engines/bolt/read.js';
import { parseBolt, BoltFormatError } from '../src/engines/bolt/pages.js';
import { OvlError } from '../src/index.js';
import { readLibpodState } from '../src/engines/podman/state.js';
import { holdWriteLock, settlesWithin } from './support/lock-holder.js';
import { makeBase, removeBase } from './support/layers.js';
import { bestEffort, describePodman, podman, requirePodman } from './support/podman.js';

describePodman('bbolt reader on a podman database', () => {
  if (!requirePodman()) return;
  let base = '';
  let db = '';
  const store = (): string[] => ['--root', join(base, 'root'), '--runroot', join(base, 'run')];
  const name = `ovl-test-podman-reader-bolt-${process.pid}`;

  beforeAll(() => {
    base = makeBase('ovl-bolt-');
    writeFileSync(join(base, 'empty.tar'), Buffer.alloc(10240));
    podman(...store(), 'import', '-q', join(base, 'empty.tar'), `localhost/${name}:1`);
    podman(...store(), 'create', '-q', '--name', name, `localhost/${name}:1`, '/x');
    db = join(base, 'root', 'libpod', 'bolt_state.db');
  }, 120_000);

  afterAll(() => {
    bestEffort(() => podman(...store(), 'rm', '-af'), () => podman(...store(), 'rmi', '-af'));
    removeBase(base);
  }, 120_000);

  it('reads buckets, nested buckets and values as podman wrote them', async () => {
    const parsed = await readBolt('podman', db);
    const config = parsed!.root.bucket('runtime-config')!;
    expect(config.get('graph-root')?.toString()).toBe(join(base, 'root'));
    expect(config.get('run-root')?.toString()).toBe(join(base, 'run'));
    const id = parsed!.root.bucket('name-registry')!.get(name)!.toString();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const ctr = parsed!.root.bucket('ctr')!.bucket(id)!;
    expect(JSON.parse(ctr.get('config')!.toString())).toMatchObject({ id, name });
    expect(JSON.parse(ctr.get('state')!.toString())).toHaveProperty('state');
    expect([...parsed!.root.entries()].map((e) => e.key.toString())).toEqual(expect.arrayContaining(['ctr', 'all-ctrs', 'id-registry', 'runtime-config']));
    // Read page by page under the lock, the same answers.
    const state = (db: NonNullable<typeof parsed>): string => ctrOf(db).get('state')!.toString();
    const ctrOf = (db: NonNullable<typeof parsed>) => db.root.bucket('ctr')!.bucket(id)!;
    expect(await viewBolt('podman', db, state)).toBe(state(parsed!));
    expect(await viewBolt('podman', join(base, 'nope.db'), state)).toBeUndefined();
    // Reading only the pages the visit reaches: the same answers.
    expect(await viewBolt('podman', db, state, 'visited')).toBe(state(parsed!));
    const runRoot = (d: NonNullable<typeof parsed>): string | undefined => d.root.bucket('runtime-config')?.get('run-root')?.toString();
    expect(await viewBolt('podman', db, runRoot, 'visited')).toBe(join(base, 'run'));
  });

  it("libpod's state: every container's, or only the run root when states are not wanted", async () => {
    const id = (await readBolt('podman', db))!.root.bucket('name-registry')!.get(name)!.toString();
    const full = await readLibpodState(join(base, 'root'));
    expect(full.runroot).toBe(join(base, 'run'));
    expect(full.states.get(id)).toBe('created');
    const lean = await readLibpodState(join(base, 'root'), false);
    expect(lean).toEqual({ states: new Map(), runroot: join(base, 'run') });
    expect(await readLibpodState(join(base, 'nowhere'), false)).toEqual({ states: new Map() });
  });

  it('a missing file is undefined; a damaged one names the file', async () => {
    expect(await readBolt('podman', join(base, 'nope.db'))).toBeUndefined();
    const bytes = readFileSync(db);
    // Both metas damaged: nothing to trust.
    const bad = Buffer.from(bytes);
    bad[16] = bad[16]! ^ 0xff;
    const meta1 = parseBolt(bytes).pageSize + 16;
    bad[meta1] = bad[meta1]! ^ 0xff;
    const badFile = join(base, 'bad.db');
    writeFileSync(badFile, bad);
    const err = await readBolt('podman', badFile).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OvlError);
    expect(err).toMatchObject({ code: 'ERR_OVL_ENGINE_METADATA', path: badFile });
    // Cut short: the pages the metas point at are gone.
    const shortFile = join(base, 'short.db');
    writeFileSync(shortFile, bytes.subarray(0, parseBolt(bytes).pageSize * 2 + 100));
    expect(await readBolt('podman', shortFile).catch((e: unknown) => e)).toMatchObject({ code: 'ERR_OVL_ENGINE_METADATA', path: shortFile });
    expect(() => parseBolt(Buffer.from('not a database'))).toThrow(BoltFormatError);
    expect(await viewBolt('podman', shortFile, (d) => [...d.root.entries()]).catch((e: unknown) => e)).toMatchObject({ code: 'ERR_OVL_ENGINE_METADATA', path: shortFile });
  });

  it('one damaged meta falls back to the other', async () => {
    const bytes = Buffer.from(readFileSync(db));
    const { txid } = parseBolt(bytes);
    // Damage the meta with the newer txid; the older one still describes a whole tree.
    const size = parseBolt(bytes).pageSize;
    const newer = bytes.readBigUInt64LE(16 + 48) === txid ? 0 : size;
    bytes[newer + 36] = bytes[newer + 36]! ^ 0xff;
    const parsed = parseBolt(bytes);
    expect(parsed.txid).toBe(txid - 1n);
  });

  it('waits while another process holds the writer lock (flock LOCK_EX)', async () => {
    const copy = join(base, 'copy.db');
    copyFileSync(db, copy);
    const holder = await holdWriteLock(copy, 'flock');
    const read = readBolt('podman', copy);
    try {
      expect(await settlesWithin(read, 300)).toBe(false);
    } finally {
      await holder.release();
    }
    expect((await read)!.root.bucket('runtime-config')).toBeDefined();
  });
});
