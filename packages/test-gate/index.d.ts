import type { describe } from 'vitest';

/** Root, inside the private mount namespace scripts/in-private-mount-ns.sh made. */
export declare const canMount: boolean;
/** Root without mounting (mknod, trusted.* xattrs). */
export declare const isPrivileged: boolean;
/** describe() for tests that mount overlays: skips elsewhere, throws under OVL_REQUIRE_PRIVILEGED=1. */
export declare const describeMounting: typeof describe;
/** describe() for tests that need root but no mount. */
export declare const describeRoot: typeof describe;
