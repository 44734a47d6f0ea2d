/**
 * Turns a failed mount sequence into a SystemError a person can act on: the step and key
 * that failed, the kernel's own words (fs_context log, then the overlayfs lines of the
 * kernel log, read only after a failure), and a hint for the causes we know.
 */
import { constants as osConstants } from 'node:os';
import { publicError, SystemError } from '../errors.js';
import type { NormalizedSpec } from './spec.js';
import { overlayKernelMessagesSince } from './kernel-log.js';

/** The newest lines are the ones this attempt caused; older ones in the window are someone else's. */
const KERNEL_LOG_LINES = 3;

/**
 * The one shape of "the overlay came up read-only although an upper dir was given" (the
 * kernel does that, and says why only in its log, when the work dir is unusable): on the
 * new API the addon refuses it before attaching (step 'verify', syscall 'fstatvfs'); on
 * legacy mount(2) ovl sees it after and unmounts. Both: EROFS, step 'verify', the target.
 */
export function readonlyMount(syscall: 'fsmount' | 'mount', spec: NormalizedSpec, kernelMessages: string[] = []): SystemError {
  return new SystemError({ errno: osConstants.errno.EROFS, syscall, step: 'verify', path: spec.target, kernelMessages });
}

function isReadonlyMount(e: unknown): boolean {
  return e instanceof SystemError && e.step === 'verify' && e.code === 'EROFS';
}

function mountHint(err: SystemError, spec: NormalizedSpec): string | undefined {
  const kernelSays = err.kernelMessages.at(-1)?.replace(/^([ewi] )?overlay(fs)?: /, '');
  switch (`${err.step ?? err.syscall}:${err.code}`) {
    case 'verify:EROFS':
      return `The overlay came up read-only although upper '${spec.upper ?? '?'}' was given, so it was not left mounted: the kernel could not use the work dir '${spec.work ?? '?'}'${kernelSays ? ` (${kernelSays})` : ' (not writable, or its filesystem lacks what overlayfs needs)'}.`;
    case 'open-layer:ENOENT':
      return `'${err.path ?? '?'}' disappeared between the check and the mount.`;
    case 'create:ELOOP':
    case 'mount:ELOOP':
      return 'Layers overlap, or the overlay would be stacked too deep (an overlay on an overlay works, a third level does not).';
    case 'create:EBUSY':
    case 'mount:EBUSY':
      return 'The upper or work dir is in use by another overlay mount (with index=on the kernel refuses to share them).';
    case 'move_mount:ENOENT':
    case 'move_mount:ENOTDIR':
      return `The mount target '${err.path ?? '?'}' is gone or is not a directory.`;
    case 'fsopen:ENODEV':
      return 'This kernel has no overlay filesystem (modprobe overlay).';
    default:
      break;
  }
  if (err.code === 'EPERM') return undefined; // the generic root hint fits
  if (kernelSays) return `The kernel says: ${kernelSays}`;
  if (err.step === 'create' || err.syscall === 'mount') {
    return 'overlayfs refused this combination of layers and options without saying why (see dmesg).';
  }
  return undefined;
}

/** Build the error for a failed mount attempt of `spec` that started at `startedMicros` (CLOCK_MONOTONIC). */
export function mountFailure(e: unknown, startedMicros: number, spec: NormalizedSpec): Error {
  const failed = isReadonlyMount(e) ? readonlyMount((e as SystemError).syscall === 'mount' ? 'mount' : 'fsmount', spec, [...(e as SystemError).kernelMessages]) : e;
  const err = publicError(failed, mountFailure, (sys) => {
    // The fs_context log, when it has lines, is exactly about this attempt; the kernel log
    // is shared by everyone, so it is only read when the precise channel said nothing.
    if (sys.kernelMessages.length === 0 && (sys.step === 'create' || sys.step === 'verify' || sys.syscall === 'mount')) {
      sys.kernelMessages.push(...overlayKernelMessagesSince(startedMicros).slice(-KERNEL_LOG_LINES));
    }
    return mountHint(sys, spec);
  });
  return err;
}
