/**
 * The real podman for tests: run it, clean up after it, and gate the suites that need it.
 * Without podman those suites skip, or fail under OVL_REQUIRE_PRIVILEGED=1 (CI installs it).
 */
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { describeMounting } from './privileged.js';

function podmanAvailable(): boolean {
  return spawnSync('podman', ['--version'], { encoding: 'utf8' }).status === 0;
}

const present = podmanAvailable();

/** describe for suites that need root, a private mount namespace and podman. */
export const describePodman: typeof describe = present || process.env.OVL_REQUIRE_PRIVILEGED === '1' ? describeMounting : (describe.skip as typeof describe);

/** Call first inside a describePodman body: without podman (under OVL_REQUIRE_PRIVILEGED=1) it adds one failing case and says false. */
export function requirePodman(): boolean {
  if (present) return true;
  it('podman is installed', () => {
    throw new Error("OVL_REQUIRE_PRIVILEGED=1 but podman is not installed: install it (apt-get install -y podman; CI's .ci/run does).");
  });
  return false;
}

/** Run podman; its stdout, trimmed. Throws with its stderr when it fails. */
export function podman(...args: string[]): string {
  const r = spawnSync('podman', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`podman ${args.join(' ')} exited with ${r.status}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** Run each step even if one fails (cleanup). */
export function bestEffort(...steps: Array<() => unknown>): void {
  for (const step of steps) {
    try {
      step();
    } catch {
      // already gone
    }
  }
}
