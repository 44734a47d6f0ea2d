/**
 * How many native calls a mount costs, counted on the real kernel: async, the thread-pool
 * jobs the addon queues (async_hooks sees each as a resource named after its call); sync, the
 * addon's calls themselves (the real addon, injected with a counter). A checked mount is one
 * call — examineAndMount — and so is every refusal (the facts come back unmounted and
 * checkProbes refuses: nothing changed); only a spec the expectations are too strict for (a
 * layer named through a symlink) takes a second call, and a spec whose paths nest (refused
 * for sure) is only examined.
 */
import { createHook } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { injectBinding, type NativeBinding } from '../src/binding.js';
import { mountOverlay, mountOverlaySync, type OverlaySpec } from '../src/index.js';
import { describeMounting } from './support/privileged.js';
import { makeBase, mountTable, snapshotTree, writeTree } from './support/layers.js';
import { cleanupBase } from './support/cleanup.js';

const native = createRequire(import.meta.url)('@ovl/native') as NativeBinding;
const callNames = new Set(Object.keys(native));

/** The addon's thread-pool jobs while `fn` runs (each named after its call), and what fn gave. */
async function poolJobs<T>(fn: () => Promise<T>): Promise<{ jobs: string[]; out: T | Error }> {
  const jobs: string[] = [];
  const hook = createHook({ init: (_id, type) => void (callNames.has(type) && jobs.push(type)) });
  hook.enable();
  try {
    return { jobs, out: await fn() };
  } catch (e) {
    return { jobs, out: e as Error };
  } finally {
    hook.disable();
  }
}

/** The addon's calls (sync form) while `fn` runs; `close` (fds of a two-call mount) left out. */
function syncCalls<T>(fn: () => T): { calls: string[]; out: T | Error } {
  const calls: string[] = [];
  const counted = Object.fromEntries(
    Object.entries(native).map(([name, v]) => [name, typeof v === 'function' && name !== 'close' ? (...args: unknown[]) => (calls.push(name), (v as (...a: unknown[]) => unknown)(...args)) : v]),
  ) as unknown as NativeBinding;
  const restore = injectBinding(counted);
  try {
    return { calls, out: fn() };
  } catch (e) {
    return { calls, out: e as Error };
  } finally {
    restore();
  }
}

let base: string;
let spec: { lower: string[]; upper: string; work: string; target: string };
beforeEach(() => {
  base = makeBase('ovl-hops-');
  spec = {
    lower: [writeTree(join(base, 'lower'), { 'l.txt': 'l' })],
    upper: writeTree(join(base, 'upper'), { 'u.txt': 'u' }),
    work: writeTree(join(base, 'work'), {}),
    target: writeTree(join(base, 'merged'), {}),
  };
});
afterEach(() => cleanupBase(base));

describeMounting('native calls per mount', () => {
  for (const api of ['new', 'legacy'] as const) {
    it(`${api}: a mount is one thread-pool job (examineAndMount), its unmount one (umountIf); sync, one call each`, async () => {
      const mounted = await poolJobs(() => mountOverlay({ ...spec, api }));
      expect(mounted.jobs).toEqual(['examineAndMount']);
      const m = mounted.out as Awaited<ReturnType<typeof mountOverlay>>;
      expect(m.api).toBe(api);
      expect(readdirSync(spec.target).sort()).toEqual(['l.txt', 'u.txt']);
      expect((await poolJobs(() => m.unmount())).jobs).toEqual(['umountIf']);

      const sync = syncCalls(() => mountOverlaySync({ ...spec, api }));
      expect(sync.calls).toEqual(['examineAndMount']);
      expect(readdirSync(spec.target).sort()).toEqual(['l.txt', 'u.txt']);
      (sync.out as ReturnType<typeof mountOverlaySync>).unmountSync();
    });
  }

  it('one job also for a read-only overlay, and for a shared upper dir with allowInUse', async () => {
    const second = writeTree(join(base, 'lower2'), { 'l2.txt': 'x' });
    const ro = await poolJobs(() => mountOverlay({ lower: [spec.lower[0]!, second], target: spec.target }));
    expect(ro.jobs).toEqual(['examineAndMount']);
    const first = (ro.out as Awaited<ReturnType<typeof mountOverlay>>);
    await first.unmount();
    const a = await mountOverlay(spec);
    try {
      const shared = { ...spec, work: writeTree(join(base, 'work2'), {}), target: writeTree(join(base, 'merged2'), {}), allowInUse: true };
      const b = await poolJobs(() => mountOverlay(shared));
      expect(b.jobs).toEqual(['examineAndMount']);
      await (b.out as Awaited<ReturnType<typeof mountOverlay>>).unmount();
    } finally {
      await a.unmount();
    }
  });

  describe('refusals: one job, the precise error, nothing changed', () => {
    const refusals: Array<[string, () => OverlaySpec, string]> = [
      ['a work dir holding a foreign file (no work/work made in it)', () => (writeFileSync(join(spec.work, 'foreign'), 'x'), spec), 'ERR_OVL_WORKDIR_NOT_EMPTY'],
      ['a missing lower dir', () => ({ ...spec, lower: [join(base, 'missing')] }), 'ERR_OVL_PATH_MISSING'],
      ['a file as lower dir', () => ({ ...spec, lower: [(writeFileSync(join(base, 'file'), ''), join(base, 'file'))] }), 'ERR_OVL_NOT_A_DIRECTORY'],
      ['the target as a layer, through a symlink', () => (symlinkSync('merged', join(base, 'merged-link')), { ...spec, lower: [join(base, 'merged-link')] }), 'ERR_OVL_LAYER_IS_TARGET'],
      ['the same dir twice, under another name', () => (symlinkSync('lower', join(base, 'again')), { ...spec, lower: [spec.lower[0]!, join(base, 'again')] }), 'ERR_OVL_DUPLICATE_LAYER'],
    ];
    for (const [what, make, code] of refusals) {
      it(what, async () => {
        const bad = make();
        const table = mountTable();
        const tree = snapshotTree(base);
        const r = await poolJobs(() => mountOverlay(bad));
        expect(r.out).toMatchObject({ code });
        expect(r.jobs).toEqual(['examineAndMount']);
        const s = syncCalls(() => mountOverlaySync(bad));
        expect(s.out).toMatchObject({ code });
        expect(s.calls).toEqual(['examineAndMount']);
        expect(mountTable()).toBe(table);
        expect(snapshotTree(base)).toBe(tree);
      });
    }

    it('an upper dir a live overlay uses', async () => {
      const live = await mountOverlay(spec);
      try {
        const shared = { ...spec, work: writeTree(join(base, 'work2'), {}), target: writeTree(join(base, 'merged2'), {}) };
        const table = mountTable();
        const r = await poolJobs(() => mountOverlay(shared));
        expect(r.out).toMatchObject({ code: 'ERR_OVL_LAYER_IN_USE', path: spec.upper });
        expect(r.jobs).toEqual(['examineAndMount']);
        expect(mountTable()).toBe(table);
        expect(readdirSync(shared.work)).toEqual([]);
      } finally {
        await live.unmount();
      }
    });

    it('nested layers: refused for sure from the paths alone, so only examined (examinePaths)', async () => {
      mkdirSync(join(spec.lower[0]!, 'inner'));
      const r = await poolJobs(() => mountOverlay({ ...spec, lower: [spec.lower[0]!, join(spec.lower[0]!, 'inner')] }));
      expect(r.out).toMatchObject({ code: 'ERR_OVL_LAYERS_OVERLAP' });
      expect(r.jobs).toEqual(['examinePaths']);
    });
  });

  for (const api of ['new', 'legacy'] as const) {
    it(`${api}: a layer named through a symlink is more than the expectations take (canonical paths): checkProbes accepts, a second job mounts`, async () => {
      symlinkSync('lower', join(base, 'lower-link'));
      const r = await poolJobs(() => mountOverlay({ ...spec, lower: [join(base, 'lower-link')], api }));
      expect(r.jobs).toEqual(['examineAndMount', api === 'new' ? 'fsmountPlan' : 'mountLegacy']);
      expect(readdirSync(spec.target).sort()).toEqual(['l.txt', 'u.txt']);
      await (r.out as Awaited<ReturnType<typeof mountOverlay>>).unmount();
    });
  }
});
