/**
 * @ovl/core as a library for build steps and sandboxes (issue 15): mount handles that know
 * their own mount, kernel messages that belong to the attempt, shared upper/work dirs
 * refused, create failures that name the spec, and the step conveniences. Real mounts.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { listOverlayMounts, makeStepDirs, mountOverlay, mountOverlaySync, OvlError, SystemError, unmount, type OverlayMount } from '../src/index.js';
import { injectBinding, type ExamineAndMountResult, type ExaminedPaths, type NativeBinding } from '../src/binding.js';
import { cleanupBase } from './support/cleanup.js';
import { makeBase, mountTable, writeTree } from './support/layers.js';
import { describeMounting } from './support/privileged.js';

let base: string;
beforeEach(() => {
  base = makeBase('ovl-library-');
});
afterEach(() => cleanupBase(base));

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** An upper/work pair and the lower they sit on. */
function layers(name: string): { lower: string[]; upper: string; work: string } {
  return {
    lower: [writeTree(join(base, `${name}-lower`), { 'l.txt': `${name}\n` })],
    upper: writeTree(join(base, `${name}-upper`), {}),
    work: writeTree(join(base, `${name}-work`), {}),
  };
}

describeMounting('mount handles know their own mount', () => {
  for (const api of ['new', 'legacy'] as const) {
    it(`a stale handle never unmounts someone else's mount; dispose after a manual unmount is quiet (${api})`, async () => {
      const target = writeTree(join(base, 'merged'), {});
      const a = await mountOverlay({ ...layers('a'), target, api });
      expect(a.api).toBe(api);
      expect((await listOverlayMounts()).find((m) => m.target === target)?.mountId).toBe(a.mountId);
      await unmount(target); // by hand
      const b = await mountOverlay({ ...layers('b'), target });
      const e = await failure(a.unmount());
      expect(e).toBeInstanceOf(OvlError);
      expect(e).toMatchObject({ code: 'ERR_OVL_NOT_OURS', path: target });
      expect(readdirSync(target)).toEqual(['l.txt']); // b is still there
      await a[Symbol.asyncDispose](); // nothing of a's is left: quiet
      expect((await listOverlayMounts()).some((m) => m.mountId === b.mountId)).toBe(true);
      await b.unmount();
      await b.unmount(); // idempotent
      b.unmountSync();
      await b[Symbol.asyncDispose]();
      expect(mountTable()).not.toContain(` ${target} `);
    });
  }

  it('a handle whose mount another mount covers refuses, and works once that one is gone', async () => {
    const target = writeTree(join(base, 'merged'), {});
    const a = mountOverlaySync({ ...layers('a'), target });
    const c = mountOverlaySync({ ...layers('c'), target }); // over a
    expect(() => a.unmountSync()).toThrow(expect.objectContaining({ code: 'ERR_OVL_NOT_OURS', hint: expect.stringMatching(/over ours/) }));
    await expect(a[Symbol.asyncDispose]()).rejects.toMatchObject({ code: 'ERR_OVL_NOT_OURS' });
    await c.unmount();
    await a.unmount();
    expect(mountTable()).not.toContain(` ${target} `);
  });

  it('listOverlayMounts says readonly for an overlay without upper (ro in its super options)', async () => {
    const target = writeTree(join(base, 'merged'), {});
    const m = await mountOverlay({ lower: [writeTree(join(base, 'l1'), { a: 'a' }), writeTree(join(base, 'l2'), { b: 'b' })], target });
    try {
      const info = (await listOverlayMounts()).find((x) => x.mountId === m.mountId)!;
      expect(info.options.ro).toBe(true);
      expect(info.readonly).toBe(true);
    } finally {
      await m.unmount();
    }
  });
});

describeMounting('kernel messages belong to the attempt that caused them', () => {
  it("a failure never quotes another mount's kernel log line, and the text has no log prefix", async () => {
    const target = writeTree(join(base, 'merged'), {});
    const l = layers('x');
    // Two failing legacy mounts in a row: each line names its own option.
    const xino = (await failure(mountOverlay({ ...l, target, api: 'legacy', options: { xino: 'bogus' as 'on' } }))) as SystemError;
    const redirect = (await failure(mountOverlay({ ...l, target, api: 'legacy', options: { redirect_dir: 'sideways' as 'on' } }))) as SystemError;
    expect(xino.kernelMessages.join('\n')).toMatch(/Bad value for 'xino'/);
    expect(redirect.kernelMessages.join('\n')).toMatch(/Bad value for 'redirect_dir'/);
    expect(redirect.kernelMessages.join('\n')).not.toMatch(/xino/);
    expect(redirect.hint).not.toMatch(/xino/);
    for (const line of [...xino.kernelMessages, ...redirect.kernelMessages]) expect(line).not.toMatch(/^(?:[ewi] )?overlay(?:fs)?: /);
    // A shared upper makes the kernel log "upperdir is in-use" (naming no path): a later,
    // unrelated failure must not carry it.
    const shared = layers('s');
    const one = await mountOverlay({ ...shared, target: writeTree(join(base, 'one'), {}) });
    const two = await mountOverlay({ ...shared, work: writeTree(join(base, 's-work2'), {}), target: writeTree(join(base, 'two'), {}), allowInUse: true });
    try {
      const conflicting = (await failure(mountOverlay({ ...layers('y'), target, options: { metacopy: true, nfs_export: true } }))) as SystemError;
      expect(conflicting).toBeInstanceOf(SystemError);
      expect(conflicting.kernelMessages.join('\n')).not.toMatch(/in-use/);
      expect(conflicting.kernelMessages.join('\n')).toMatch(/conflicting options/);
    } finally {
      await two.unmount();
      await one.unmount();
    }
  });

  it('a refusal at FSCONFIG_CMD_CREATE names the target, the layers and the reason', async () => {
    const target = writeTree(join(base, 'merged'), {});
    const l = layers('c');
    const e = (await failure(mountOverlay({ ...l, target, options: { metacopy: true, nfs_export: true } }))) as SystemError;
    expect(e).toBeInstanceOf(SystemError);
    expect(e.message).toBe(`EINVAL: invalid argument, fsconfig 'FSCONFIG_CMD_CREATE' '${target}'`);
    expect(e).toMatchObject({ step: 'create', path: target });
    expect(e.hint).toContain(`upper '${l.upper}'`);
    expect(e.hint).toContain(`'${l.lower[0]}'`);
    expect(e.hint).toMatch(/conflicting options/);
  });
});

describeMounting('a spec whose upper or work dir a live mount uses is refused', () => {
  it('ERR_OVL_LAYER_IN_USE, nothing mounted; allowInUse lets it through', async () => {
    const l = layers('u');
    const first = await mountOverlay({ ...l, target: writeTree(join(base, 'first'), {}) });
    try {
      const before = mountTable();
      const second = writeTree(join(base, 'second'), {});
      const e = await failure(mountOverlay({ ...l, work: writeTree(join(base, 'work2'), {}), target: second }));
      expect(e).toBeInstanceOf(OvlError);
      expect(e).toMatchObject({ code: 'ERR_OVL_LAYER_IN_USE', path: l.upper });
      expect((e as OvlError).message).toContain(`mount id ${first.mountId}`);
      expect(mountTable()).toBe(before);
      const e2 = await failure(mountOverlay({ lower: l.lower, upper: writeTree(join(base, 'up3'), {}), work: l.work, target: second }));
      expect(e2).toMatchObject({ code: 'ERR_OVL_LAYER_IN_USE', path: l.work });
      const allowed = await mountOverlay({ ...l, work: writeTree(join(base, 'work4'), {}), target: second, allowInUse: true });
      await allowed.unmount();
    } finally {
      await first.unmount();
    }
  });

  it('finds a shared dir whose name the mount options escape (a comma, a space)', () => {
    const l = { ...layers('e'), upper: writeTree(join(base, 'up,per dir'), {}) };
    const first = mountOverlaySync({ ...l, target: writeTree(join(base, 'first'), {}) });
    try {
      expect(() => mountOverlaySync({ ...l, work: writeTree(join(base, 'work2'), {}), target: writeTree(join(base, 'second'), {}) })).toThrow(
        expect.objectContaining({ code: 'ERR_OVL_LAYER_IN_USE', path: l.upper }),
      );
    } finally {
      first.unmountSync();
    }
  });

  it('refuses alike where the kernel cannot list mounts by type (before 6.8): the mount table is read instead', async () => {
    const native = createRequire(import.meta.url)('@ovl/native') as NativeBinding;
    const withoutMounts = ({ mounts: _, ...found }: ExaminedPaths): ExaminedPaths => ({ ...found, mountsErrno: 38 });
    // examineAndMount cannot list them either (no magic to ask for): its expectation about the
    // live overlays is unmet, it mounts nothing, and the facts go to checkProbes as from examinePaths.
    const blind = (args: Parameters<NativeBinding['examineAndMount']>): Parameters<NativeBinding['examineAndMount']> => [args[0], args[1], args[2], 0, args[4], args[5]];
    const unmet = (r: ExamineAndMountResult): ExamineAndMountResult => {
      expect(r.unmet).toBe('mounts: not listed');
      return r.unmet === undefined ? r : { ...withoutMounts(r), unmet: r.unmet };
    };
    const restore = injectBinding({
      ...native,
      examinePaths: (...args) => withoutMounts(native.examinePaths(...args)),
      examinePathsAsync: async (...args) => withoutMounts(await native.examinePathsAsync(...args)),
      examineAndMount: (...args) => unmet(native.examineAndMount(...blind(args))),
      examineAndMountAsync: async (...args) => unmet(await native.examineAndMountAsync(...blind(args))),
    });
    const l = layers('f');
    const first = mountOverlaySync({ ...l, target: writeTree(join(base, 'first'), {}) });
    try {
      const second = { ...l, work: writeTree(join(base, 'work2'), {}), target: writeTree(join(base, 'second'), {}) };
      expect(() => mountOverlaySync(second)).toThrow(expect.objectContaining({ code: 'ERR_OVL_LAYER_IN_USE', path: l.upper }));
      await expect(mountOverlay(second)).rejects.toMatchObject({ code: 'ERR_OVL_LAYER_IN_USE', path: l.upper });
    } finally {
      first.unmountSync();
      restore();
    }
  });
});

describeMounting('build-step conveniences', () => {
  it('step dirs, the mount as a view, changes without ignored paths, the upper usage, a clean work dir after', async () => {
    const lower = writeTree(join(base, 'base-layer'), { etc: { hosts: 'h\n', keep: 'k\n' }, usr: { 'a.txt': 'a\n' } });
    const step = await makeStepDirs(join(base, 'step1'));
    const m: OverlayMount = await mountOverlay({ lower: [lower], ...step });
    try {
      writeFileSync(join(step.target, 'etc', 'hosts'), 'changed\n');
      writeFileSync(join(step.target, 'new.txt'), '12345');
      const view = await m.view();
      expect((await view.readdir('/')).map((e) => e.name)).toEqual(['etc', 'new.txt', 'usr']);
      // /etc was only copied up as a parent (its times kept): unchanged, as podman diff says
      expect(await view.changes()).toEqual([
        { path: '/etc/hosts', kind: 'C' },
        { path: '/new.txt', kind: 'A' },
      ]);
      expect(await view.changes({ ignore: ['/etc/hosts'] })).toEqual([{ path: '/new.txt', kind: 'A' }]);
      expect(await view.upperUsage()).toEqual({ entries: 3, bytes: 'changed\n'.length + 5 });
    } finally {
      await m.unmount({ cleanWork: true });
    }
    expect(readdirSync(step.work)).toEqual([]);
    // the upper is now a layer: the next step mounts it as its top lower
    const next = await makeStepDirs(join(base, 'step2'));
    const m2 = await mountOverlay({ lower: [step.upper, lower], ...next });
    expect(readdirSync(join(next.target, 'etc')).sort()).toEqual(['hosts', 'keep']);
    await m2.unmount({ cleanWork: true });
    await expect(makeStepDirs(join(base, 'step1'))).rejects.toMatchObject({ code: 'ERR_OVL_STEP_DIR_IN_USE', path: step.upper });
  });

  it('watch({ signal }) ends when the signal aborts', async () => {
    const step = await makeStepDirs(join(base, 'step'));
    const m = await mountOverlay({ lower: [writeTree(join(base, 'l'), {})], ...step });
    try {
      const ac = new AbortController();
      const w = (await m.view()).watch({ signal: ac.signal });
      const it = w[Symbol.asyncIterator]();
      const first = it.next();
      writeFileSync(join(step.target, 'x'), 'x');
      expect((await first).value).toMatchObject({ path: '/x', kind: 'added' });
      const pending = it.next();
      ac.abort();
      expect(await pending).toEqual({ value: undefined, done: true });
    } finally {
      await m.unmount();
    }
  });
});
