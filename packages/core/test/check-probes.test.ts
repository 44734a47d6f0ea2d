/**
 * checkProbes on facts written as data (no filesystem, no root): each refusal a spec can
 * meet before the mount syscall, with its code and the path it names. The same refusals on
 * real dirs, through mountOverlay, are in preflight.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { PathProbe } from '../src/binding.js';
import { OvlError, SystemError, sys } from '../src/index.js';
import { checkProbes, probeList, type ProbeFacts } from '../src/mount/check-spec.js';
import type { OverlayMountInfo } from '../src/mount/mountinfo.js';
import { normalizeSpec, type OverlaySpec } from '../src/mount/spec.js';

const DIR = sys.constants.S_IFDIR | 0o755;
const FILE = sys.constants.S_IFREG | 0o644;

/** Probes for every path of `spec`: distinct dirs on mount 1, realpath = path, then `change` per path. */
function facts(spec: OverlaySpec, change: Record<string, Partial<PathProbe>> = {}, workEntries: string[] = [], liveOverlays: OverlayMountInfo[] = []): { spec: ReturnType<typeof normalizeSpec>; facts: ProbeFacts } {
  const n = normalizeSpec(spec, '/');
  const probes = probeList(n).map(({ path }, i): PathProbe => ({ errno: 0, mode: DIR, devMajor: 8, devMinor: 1, ino: BigInt(100 + i), mountId: 1, realpath: path, ...change[path] }));
  return { spec: n, facts: { probes, workEntries, liveOverlays } };
}

function refusal(spec: OverlaySpec, change?: Record<string, Partial<PathProbe>>, workEntries?: string[], live?: OverlayMountInfo[]): OvlError | SystemError | undefined {
  const f = facts(spec, change, workEntries, live);
  try {
    checkProbes(f.spec, f.facts);
    return undefined;
  } catch (e) {
    return e as OvlError | SystemError;
  }
}

const spec: OverlaySpec = { lower: ['/l1', '/l2'], upper: '/s/up', work: '/s/work', target: '/m' };

describe('checkProbes: facts in, verdict out', () => {
  it('accepts a sound spec, and a work dir the kernel used before', () => {
    expect(refusal(spec)).toBeUndefined();
    expect(refusal(spec, {}, ['work', 'index', 'incompat'])).toBeUndefined();
  });

  it.each([
    ['a missing layer', { '/l2': { errno: 2 } }, [], 'ERR_OVL_PATH_MISSING', '/l2'],
    ['a missing target', { '/m': { errno: 2 } }, [], 'ERR_OVL_TARGET_MISSING', '/m'],
    ['a layer that is a file', { '/l1': { mode: FILE } }, [], 'ERR_OVL_NOT_A_DIRECTORY', '/l1'],
    ['a target that is a file', { '/m': { mode: FILE } }, [], 'ERR_OVL_NOT_A_DIRECTORY', '/m'],
    ['one dir given twice (a symlink)', { '/l2': { ino: 100n } }, [], 'ERR_OVL_DUPLICATE_LAYER', '/l2'],
    ['a layer that is the target', { '/m': { ino: 101n } }, [], 'ERR_OVL_LAYER_IS_TARGET', '/l2'],
    ['upper and work on different mounts', { '/s/work': { mountId: 2 } }, [], 'ERR_OVL_CROSS_MOUNT', '/s/work'],
    ['work inside upper', { '/s/work': { realpath: '/s/up/w' } }, [], 'ERR_OVL_WORK_INSIDE_UPPER', '/s/work'],
    ['upper inside work', { '/s/up': { realpath: '/s/work/u' } }, [], 'ERR_OVL_UPPER_INSIDE_WORK', '/s/up'],
    ['nested lower layers', { '/l2': { realpath: '/l1/deeper' } }, [], 'ERR_OVL_LAYERS_OVERLAP', '/l2'],
    ['a work dir holding foreign files', {}, ['work', 'notes.txt'], 'ERR_OVL_WORKDIR_NOT_EMPTY', '/s/work'],
  ] as const)('refuses %s', (_what, change, work, code, path) => {
    const e = refusal(spec, change as Record<string, Partial<PathProbe>>, [...work]);
    expect(e).toBeInstanceOf(OvlError);
    expect(e).toMatchObject({ code, path });
    expect(e!.hint).toContain(path);
  });

  it('refuses an upper or work dir a live overlay uses, naming that mount (relative layer paths resolved as containers/storage mounts them)', () => {
    const live = (upper: string, work: string, target = '/var/lib/x/merged'): OverlayMountInfo => ({ mountId: 77, target, lower: ['/o'], data: [], upper, work, options: {}, readonly: false });
    expect(refusal(spec, {}, [], [live('/s/up', '/other/work')])).toMatchObject({ code: 'ERR_OVL_LAYER_IN_USE', path: '/s/up' });
    expect(refusal(spec, {}, [], [live('/other/up', '/s/up')])).toMatchObject({ code: 'ERR_OVL_LAYER_IN_USE', path: '/s/up' });
    expect(refusal(spec, {}, [], [live('/other/up', '/s/work')])).toMatchObject({ code: 'ERR_OVL_LAYER_IN_USE', path: '/s/work' });
    expect(refusal(spec, {}, [], [live('up', 'work', '/s/id/merged')])).toMatchObject({ code: 'ERR_OVL_LAYER_IN_USE', path: '/s/up' });
    expect(refusal(spec, {}, [], [live('up', 'work', '/s/id/merged')])!.message).toContain("'/s/id/merged' (mount id 77)");
    expect(refusal(spec, {}, [], [live('/other/up', '/other/work')])).toBeUndefined();
  });

  it('a path it cannot examine is a SystemError naming it', () => {
    const e = refusal(spec, { '/l1': { errno: 13 } });
    expect(e).toBeInstanceOf(SystemError);
    expect(e).toMatchObject({ code: 'EACCES', syscall: 'statx', path: '/l1' });
    expect(e!.hint).toMatch(/permission denied/);
  });

  it('reports existence before type, type before placement', () => {
    expect(refusal(spec, { '/l1': { mode: FILE }, '/l2': { errno: 2 } })).toMatchObject({ code: 'ERR_OVL_PATH_MISSING' });
    expect(refusal(spec, { '/l1': { mode: FILE }, '/s/work': { mountId: 2 } })).toMatchObject({ code: 'ERR_OVL_NOT_A_DIRECTORY' });
  });
});
