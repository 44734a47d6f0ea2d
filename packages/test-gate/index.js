/**
 * The gate for tests that mount: they run only as root inside a private mount namespace
 * (scripts/in-private-mount-ns.sh), so a failing test cannot leave a mount on the machine.
 * Elsewhere they skip — unless OVL_REQUIRE_PRIVILEGED=1 (CI), where a skip would hide the
 * real work, so the suite fails instead. One copy for every workspace's vitest tests (plain
 * JS with a .d.ts: nothing to build).
 */
import { readlinkSync } from 'node:fs';
import { describe } from 'vitest';

/** True inside the namespace scripts/in-private-mount-ns.sh made (it records the namespace's id). */
function inPrivateMountNamespace() {
  const made = process.env.OVL_PRIVATE_MNT_NS;
  return made !== undefined && made !== '' && readlinkSync('/proc/self/ns/mnt') === made;
}

const isRoot = process.getuid?.() === 0;
export const canMount = isRoot && inPrivateMountNamespace();
/** Root without mounting (mknod, trusted.* xattrs). */
export const isPrivileged = isRoot;

function gate(ok, why) {
  if (ok) return describe;
  if (process.env.OVL_REQUIRE_PRIVILEGED === '1') {
    throw new Error(`OVL_REQUIRE_PRIVILEGED=1 but ${why}: run the tests as root through 'npm test' (which uses unshare --mount --propagation private).`);
  }
  return describe.skip;
}

/** describe() for tests that mount overlays. */
export const describeMounting = gate(canMount, 'this process cannot mount (not root, or not in a private mount namespace)');
/** describe() for tests that need root but no mount (mknod, trusted xattrs). */
export const describeRoot = gate(isPrivileged, 'this process is not root');
