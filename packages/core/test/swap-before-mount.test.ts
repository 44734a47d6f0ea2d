/**
 * A layer dir swapped for another between the checks and the mount (a rename race by a
 * process that owns the parent dir). Core opens every layer once (O_PATH) at check time and
 * hands the kernel those fds (FSCONFIG_SET_FD, 6.13+), so what is mounted is the dir that was
 * checked, whatever now stands at its path. Usually examining and mounting are one native
 * call (examineAndMount: the fds it examined are the fds it mounts, and no JS runs between);
 * the window JS can reach is the two-call route, taken when the addon's expectations are not
 * met and checkProbes accepts — here because the layers are named through symlinks (the
 * expectations want canonical paths). The race is made deterministic with a seam: the real
 * addon, injected with its second (mount) call wrapped so that the swap happens after the
 * checks and right before the kernel is asked to mount. Each test first shows the swap
 * happened, so the two-call route was taken.
 *
 * Legacy mount(2) (and `lowerdir+` strings, 6.8–6.12) can only name paths: the kernel
 * resolves them again at mount time, so the swapped-in dir is what gets mounted. The last
 * test shows it — which also proves the seam really swaps, so the first tests can fail.
 */
import { createRequire } from 'node:module';
import { readdirSync, realpathSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { injectBinding, type NativeBinding } from '../src/binding.js';
import { mountOverlay, mountOverlaySync, supportsLayerFds, type OverlayMount } from '../src/index.js';
import { describeMounting } from './support/privileged.js';
import { makeBase, writeTree } from './support/layers.js';
import { cleanupBase } from './support/cleanup.js';

const real = createRequire(import.meta.url)('@ovl/native') as NativeBinding;

let base: string;
let restore: (() => void) | undefined;
beforeEach(() => {
  base = makeBase('ovl-swap-');
});
afterEach(() => {
  restore?.();
  restore = undefined;
  cleanupBase(base);
});

/** The real addon, with `swap` run just before each mount call (sync or async, either API). */
function withSwapBeforeMount(swap: () => void): NativeBinding {
  const once = () => {
    const s = swap;
    swap = () => undefined;
    s();
  };
  return {
    ...real,
    fsmountPlan: (plan) => (once(), real.fsmountPlan(plan)),
    fsmountPlanAsync: (plan) => (once(), real.fsmountPlanAsync(plan)),
    mountLegacy: (...args: Parameters<NativeBinding['mountLegacy']>) => (once(), real.mountLegacy(...args)),
    mountLegacyAsync: (...args: Parameters<NativeBinding['mountLegacyAsync']>) => (once(), real.mountLegacyAsync(...args)),
  } as NativeBinding;
}

/** Layers checked by core, and impostors ready to take their paths. */
function stack() {
  const lower = writeTree(join(base, 'lower'), { 'checked-lower.txt': 'the checked lower\n' });
  const upper = writeTree(join(base, 'upper'), { 'checked-upper.txt': 'the checked upper\n' });
  const work = writeTree(join(base, 'work'), {});
  const target = writeTree(join(base, 'merged'), {});
  writeTree(join(base, 'impostor-lower'), { 'impostor-lower.txt': 'swapped in\n' });
  writeTree(join(base, 'impostor-upper'), { 'impostor-upper.txt': 'swapped in\n' });
  // Named through symlinks: the one-call route's expectations are not met, checkProbes accepts.
  symlinkSync('lower', join(base, 'lower-link'));
  symlinkSync('upper', join(base, 'upper-link'));
  const swap = () => {
    for (const layer of ['lower', 'upper']) {
      renameSync(join(base, layer), join(base, `${layer}.checked`));
      renameSync(join(base, `impostor-${layer}`), join(base, layer));
    }
  };
  expect([lower, upper].map((p) => realpathSync(p))).toEqual([lower, upper]);
  return { spec: { lower: [join(base, 'lower-link')], upper: join(base, 'upper-link'), work, target }, swap };
}

describeMounting('a layer dir swapped between the checks and the mount', () => {
  it.skipIf(!supportsLayerFds())('new API (async): the dirs that were checked are mounted, not what took their paths', async () => {
    const { spec, swap } = stack();
    restore = injectBinding(withSwapBeforeMount(swap));
    const m: OverlayMount = await mountOverlay({ ...spec, api: 'new' });
    try {
      expect(readdirSync(join(base, 'lower'))).toEqual(['impostor-lower.txt']); // the swap happened
      expect(readdirSync(spec.target).sort()).toEqual(['checked-lower.txt', 'checked-upper.txt']);
    } finally {
      await m.unmount();
    }
  });

  it.skipIf(!supportsLayerFds())('new API (sync): the same', () => {
    const { spec, swap } = stack();
    restore = injectBinding(withSwapBeforeMount(swap));
    const m = mountOverlaySync({ ...spec, api: 'new' });
    try {
      expect(readdirSync(join(base, 'lower'))).toEqual(['impostor-lower.txt']); // the swap happened
      expect(readdirSync(spec.target).sort()).toEqual(['checked-lower.txt', 'checked-upper.txt']);
    } finally {
      m.unmountSync();
    }
  });

  it('legacy mount(2) can only name paths: it mounts what stands there at mount time', async () => {
    const { spec, swap } = stack();
    restore = injectBinding(withSwapBeforeMount(swap));
    const m = await mountOverlay({ ...spec, api: 'legacy' });
    try {
      expect(readdirSync(join(base, 'lower'))).toEqual(['impostor-lower.txt']); // the swap happened
      expect(readdirSync(spec.target).sort()).toEqual(['impostor-lower.txt', 'impostor-upper.txt']);
    } finally {
      await m.unmount();
    }
  });
});
