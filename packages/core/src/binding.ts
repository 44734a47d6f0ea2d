/**
 * The one way into the native addon: no other file of core imports @ovl/native (a test
 * checks). Everything the addon exports is handed out guarded — every function, sync or
 * async, and the InotifyWatcher class — so whatever fails comes out as a SystemError (a
 * failed syscall, in Node's format), a TypeError (an argument the addon refused) or an
 * OvlError (anything else, ERR_OVL_INTERNAL), never as a raw addon error. Callers add hints
 * and trim stacks (errors.ts: publicError); they do not have to remember to convert.
 *
 * The binding is injected, not imported at each call site (the @parcel/watcher habit), so
 * unprivileged tests can drive core against a fake binding (injectBinding).
 */
import { createRequire } from 'node:module';
import type { Constants, InotifyEvent, InotifyWatcher, InotifyWatcherConstructor, NativeBinding } from '@ovl/native';
import { fromNative, OvlError } from './errors.js';

export type {
  BeneathStat, ConditionalMount, Constants, DirScan, ExamineAndMountResult, ExaminedPaths, FsMountPlan, FsParam, InotifyEvent, InotifyWatcher, ManyRead, MountExpectations, MountOfType, NativeBinding, NativeError, PathProbe, ScanDirOptions, ScanFailure, StatfsResult, StreamBeneathResult, StreamHash, WriteBeneathEntry,
} from '@ovl/native';

// any: the native signatures differ; the guard only forwards the arguments.
type AnyFn = (...args: any[]) => unknown;

/** The addon as loaded, and the one in use (the same, unless a test injected a fake). */
let loaded: NativeBinding | undefined;
let raw: NativeBinding | undefined;
let guarded: NativeBinding | undefined;

function load(): NativeBinding {
  try {
    return createRequire(import.meta.url)('@ovl/native') as NativeBinding;
  } catch (e) {
    throw new OvlError('ERR_OVL_ADDON_MISSING', `ovl: the native addon @ovl/native could not be loaded: ${e instanceof Error ? e.message : String(e)}`, {
      hint: 'The package ships a prebuilt addon for linux-x64 (glibc) only; elsewhere build it from source: `npm rebuild @ovl/native` (npm 11 may first ask `npm install-scripts approve @ovl/native`; needs g++, make and python3).',
    });
  }
}

/** Call `fn`, turning a throw or a rejection into a public error (a sync one's stack starts at `site`'s caller). */
function guardCall(fn: AnyFn, self: unknown, args: unknown[], site: Function): unknown {
  let result: unknown;
  try {
    result = fn.apply(self, args);
  } catch (e) {
    throw fromNative(e, site);
  }
  // No stack is captured up front for async calls: that would cost microseconds on every
  // call of a walk (thousands per tree) to help only the rare failure. A rejection keeps
  // V8's async stack (the awaiting functions), and the public entry points that need the
  // caller's exact line capture it themselves (runAsync).
  if (result instanceof Promise) return result.catch((e: unknown) => Promise.reject(fromNative(e, site)));
  return result;
}

/** The InotifyWatcher class, guarded: construction, add, remove and close throw only public errors. */
function guardWatcher(Native: InotifyWatcherConstructor): InotifyWatcherConstructor {
  class GuardedInotifyWatcher implements InotifyWatcher {
    private readonly inner: InotifyWatcher;
    constructor(onEvents: (events: InotifyEvent[]) => void) {
      try {
        this.inner = new Native(onEvents);
      } catch (e) {
        throw fromNative(e, GuardedInotifyWatcher);
      }
    }
    add(path: string | Buffer, mask: number): number {
      return guardCall(this.inner.add, this.inner, [path, mask], this.add) as number;
    }
    remove(wd: number): void {
      guardCall(this.inner.remove, this.inner, [wd], this.remove);
    }
    close(): void {
      guardCall(this.inner.close, this.inner, [], this.close);
    }
    ref(): void {
      this.inner.ref();
    }
    unref(): void {
      this.inner.unref();
    }
  }
  Object.defineProperty(GuardedInotifyWatcher, 'name', { value: 'InotifyWatcher' });
  return GuardedInotifyWatcher;
}

function guard(b: NativeBinding): NativeBinding {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(b)) {
    if (name === 'InotifyWatcher') out[name] = guardWatcher(value as InotifyWatcherConstructor);
    else if (typeof value === 'function') {
      const fn = value as AnyFn;
      const wrapped = (...args: unknown[]): unknown => guardCall(fn, b, args, wrapped);
      Object.defineProperty(wrapped, 'name', { value: name });
      out[name] = wrapped;
    } else out[name] = value;
  }
  return Object.freeze(out) as unknown as NativeBinding;
}

/** The addon, guarded (loaded on first use). @throws OvlError ERR_OVL_ADDON_MISSING when it cannot be loaded. */
export function binding(): NativeBinding {
  if (guarded === undefined) {
    raw ??= loaded ??= load();
    guarded = guard(raw);
  }
  return guarded;
}

/**
 * The platform's constants (S_IF*, SCAN_* bits, ...) from the real addon, even while a test
 * injects a fake binding: they describe the data on disk, not behaviour to fake.
 */
export function platformConstants(): Constants {
  return (loaded ??= load()).constants;
}

/** Replace the addon (tests only) — it is guarded like the real one; returns a function that restores the previous one. */
export function injectBinding(fake: NativeBinding): () => void {
  const [previousRaw, previousGuarded] = [raw, guarded];
  raw = fake;
  guarded = guard(fake);
  return () => {
    raw = previousRaw;
    guarded = previousGuarded;
  };
}
