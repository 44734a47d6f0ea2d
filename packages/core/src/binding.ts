/**
 * Where core gets the native addon. The binding is injected, not imported at each call
 * site (the @parcel/watcher habit), so unprivileged tests can run core's error shaping
 * against a fake binding.
 */
import { createRequire } from 'node:module';
import type { NativeBinding } from '@ovl/native';

export type { NativeBinding, NativeError, FsParam, FsMountPlan, PathProbe } from '@ovl/native';

let current: NativeBinding | undefined;

/** The addon in use (loaded on first use). */
export function binding(): NativeBinding {
  current ??= createRequire(import.meta.url)('@ovl/native') as NativeBinding;
  return current;
}

/** Replace the addon (tests only); returns a function that restores the previous one. */
export function injectBinding(fake: NativeBinding): () => void {
  const previous = current;
  current = fake;
  return () => {
    current = previous;
  };
}
