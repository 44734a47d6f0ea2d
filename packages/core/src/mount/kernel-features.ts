/**
 * What the running kernel can do, as questions (containerd's habit), each citing the
 * kernel version that answers it. Decided from the release string once: probing by
 * trial mounts would cost a mount per process.
 */
import { release } from 'node:os';
import { binding } from '../binding.js';

// The running kernel does not change under a process: ask uname once, not on every mount.
let running: string | undefined;

function kernelAtLeast(major: number, minor: number, rel: string = (running ??= release())): boolean {
  const m = /^(\d+)\.(\d+)/.exec(rel);
  if (!m) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > major || (maj === major && min >= minor);
}

/** fsopen/fsconfig/fsmount/move_mount: Linux 5.2. */
export function supportsNewMountApi(rel?: string): boolean {
  return kernelAtLeast(5, 2, rel);
}

/** overlayfs `lowerdir+` / `datadir+`, one layer per fsconfig call: Linux 6.8. */
export function supportsLowerdirPlus(rel?: string): boolean {
  return kernelAtLeast(6, 8, rel);
}

/** listmount(2) and statmount(2) with a mount's own options (STATMOUNT_MNT_OPTS): Linux 6.11. */
export function supportsStatmountOptions(rel?: string): boolean {
  return kernelAtLeast(6, 11, rel);
}

/** overlayfs layers passed as file descriptors with FSCONFIG_SET_FD: Linux 6.13. */
export function supportsLayerFds(rel?: string): boolean {
  return kernelAtLeast(6, 13, rel);
}

/** Bytes of option data mount(2) copies: one page (fs/namespace.c copy_mount_options). */
export function pageSize(): number {
  return binding().constants.PAGE_SIZE ?? 4096;
}
