/**
 * Turns a failed mount sequence into a SystemError a person can act on: the step and key
 * that failed, the kernel's own words, and a hint for the causes we know. The words belong
 * to this attempt: the fs_context log (only this mount's context writes it) first; the
 * kernel log, shared by every mount on the machine, only for lines that name a path or an
 * option of this spec — another mount's line never ends up in a hint.
 */
import { constants as osConstants } from 'node:os';
import { cleanKernelMessage, publicError, SystemError } from '../errors.js';
import type { NormalizedSpec } from './spec.js';
import { overlayKernelMessagesSince } from './kernel-log.js';

/** Paths and option keys of `spec`: what a kernel log line must name to belong to this attempt. */
function attemptWords(spec: NormalizedSpec): string[] {
  const paths = [...spec.lower, ...spec.data, spec.upper, spec.work, spec.target].filter((p): p is string => p !== undefined);
  // Options appear as 'key' (parser errors) or key=value ("conflicting options: metacopy=on,...").
  return [...paths, ...Object.keys(spec.options).flatMap((k) => [`'${k}'`, `${k}=`])];
}

/**
 * Kernel log records already given to an earlier failed attempt of this process: the window
 * the log is read over reaches back before an attempt started (the log's clock lags), so
 * without this a second failure would quote the first one's line when both name the same
 * option. Bounded: only recent attempts can overlap.
 */
const attributed: number[] = [];
const ATTRIBUTED_KEPT = 256;

/** Kernel log lines since the attempt started that name this spec and no earlier attempt took; the rest are other mounts'. */
function kernelLinesOfAttempt(spec: NormalizedSpec, startedMicros: number): string[] {
  const words = attemptWords(spec);
  const ours = overlayKernelMessagesSince(startedMicros).filter((r) => !attributed.includes(r.seq) && words.some((w) => r.text.includes(w)));
  attributed.push(...ours.map((r) => r.seq));
  attributed.splice(0, Math.max(0, attributed.length - ATTRIBUTED_KEPT));
  return ours.map((r) => cleanKernelMessage(r.text));
}

/** What the spec mounts, in a few words for a message. */
function describeSpec(spec: NormalizedSpec): string {
  const lower = spec.lower.map((l) => `'${l}'`).join(', ');
  return `lower ${lower}${spec.upper !== undefined ? `, upper '${spec.upper}', work '${spec.work ?? '?'}'` : ''} on '${spec.target}'`;
}

/**
 * The one shape of "the overlay came up read-only although an upper dir was given" (the
 * kernel does that, and says why only in its log, when the work dir is unusable): on the
 * new API the addon refuses it before attaching (step 'verify', syscall 'fstatvfs'); on
 * legacy mount(2) the addon sees it right after and unmounts (mountLegacy). Both: EROFS, step
 * 'verify', the target.
 */
function readonlyMount(syscall: 'fsmount' | 'mount', spec: NormalizedSpec, kernelMessages: string[] = []): SystemError {
  return new SystemError({ errno: osConstants.errno.EROFS, syscall, step: 'verify', path: spec.target, kernelMessages });
}

function isReadonlyMount(e: unknown): boolean {
  return e instanceof SystemError && e.step === 'verify' && e.code === 'EROFS';
}

function mountHint(err: SystemError, spec: NormalizedSpec): string | undefined {
  const kernelSays = err.kernelMessages.at(-1);
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
  if (err.step === 'create' || err.syscall === 'mount') {
    return `The kernel refused the overlay of ${describeSpec(spec)}: ${kernelSays ?? 'it said why only in its own log, in words that name neither a path nor an option of this mount (see dmesg)'}.`;
  }
  if (kernelSays) return `The kernel says: ${kernelSays}`;
  return undefined;
}

/** FSCONFIG_CMD_CREATE names nothing by itself: the error names the target, the hint the layers. */
function createFailure(e: SystemError, spec: NormalizedSpec): SystemError {
  return new SystemError({ errno: e.errno, syscall: e.syscall, step: 'create', key: 'FSCONFIG_CMD_CREATE', path: spec.target, kernelMessages: [...e.kernelMessages] });
}

/** Build the error for a failed mount attempt of `spec` that started at `startedMicros` (CLOCK_MONOTONIC). */
export function mountFailure(e: unknown, startedMicros: number, spec: NormalizedSpec): Error {
  let failed = e;
  if (isReadonlyMount(e)) failed = readonlyMount((e as SystemError).syscall === 'mount' ? 'mount' : 'fsmount', spec, [...(e as SystemError).kernelMessages]);
  else if (e instanceof SystemError && e.step === 'create' && e.path === undefined) failed = createFailure(e, spec);
  return publicError(failed, mountFailure, (sys) => {
    // The fs_context log, when it has lines, is exactly about this attempt; the kernel log
    // is shared by everyone, so it is read only when the precise channel said nothing.
    if (sys.kernelMessages.length === 0 && (sys.step === 'create' || sys.step === 'verify' || sys.syscall === 'mount')) {
      sys.kernelMessages.push(...kernelLinesOfAttempt(spec, startedMicros));
    }
    return mountHint(sys, spec);
  });
}
