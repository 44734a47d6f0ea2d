/** afterEach cleanup for mounting tests: lazily unmount anything left under a base dir, then remove it. */
import { readFileSync } from 'node:fs';
import { overlayMountsIn, parseMountInfo } from '../../src/mount/mountinfo.js';
import { unmountSync } from '../../src/index.js';
import { removeBase } from './layers.js';

/** Mount points at or under `base`, deepest first. */
function mountsUnder(base: string): string[] {
  return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'))
    .map((m) => m.mountPoint)
    .filter((p) => p === base || p.startsWith(`${base}/`))
    .sort((a, b) => b.length - a.length);
}

export function cleanupBase(base: string | undefined): void {
  if (base === undefined) return;
  for (const target of mountsUnder(base)) {
    try {
      unmountSync(target, { detach: true });
    } catch {
      // already gone
    }
  }
  removeBase(base);
}

export { overlayMountsIn };
