/**
 * The container engines' diff rules (diff-rules.ts) on listings written as data: no
 * filesystem, no root. The same rules against the real `podman diff` are in
 * changes-podman.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { classifyUpperEntry, descend, withAncestors, type LowerState } from '../src/view/diff-rules.js';
import { listing, type Spec } from './support/listings.js';

/** The kind rules 1–3 give the single upper entry `name`, over lower states given top first. */
function kindOf(upperEntry: Spec, lowers: Array<Record<string, Spec> | 'absent' | 'whited-out'>): string | undefined {
  const upper = listing('/d', { n: upperEntry });
  const states: LowerState[] = lowers.map((l) => (typeof l === 'string' ? l : listing('/d', l)));
  return classifyUpperEntry(upper, 0, states);
}

const dir = (mtime: [number, number], extra: Partial<Spec> = {}): Spec => ({ kind: 'dir', size: 4096, mtime, ...extra });

describe('diff rules (podman diff)', () => {
  it('1: a whiteout in upper is D, in either form', () => {
    expect(kindOf({ kind: 'wh' }, [{ n: { kind: 'file' } }])).toBe('D');
    expect(kindOf({ kind: 'xwh' }, [])).toBe('D');
  });

  it('2: an opaque dir is D when the first lower holding the name holds a non-whiteout', () => {
    expect(kindOf({ kind: 'opaque' }, [{}, { n: { kind: 'dir' } }])).toBe('D');
    expect(kindOf({ kind: 'opaque' }, [{ n: { kind: 'wh' } }, { n: { kind: 'dir' } }])).toBe('A');
    expect(kindOf({ kind: 'opaque' }, ['whited-out', { n: { kind: 'dir' } }])).toBe('A');
    expect(kindOf({ kind: 'opaque' }, [{}])).toBe('A');
  });

  it('3: A when no lower has it or a whiteout stops the scan; C for anything that differs', () => {
    expect(kindOf({ kind: 'file' }, [{}, 'absent'])).toBe('A');
    expect(kindOf({ kind: 'file' }, [{ n: { kind: 'wh' } }, { n: { kind: 'file' } }])).toBe('A');
    expect(kindOf({ kind: 'file' }, ['whited-out', { n: { kind: 'file' } }])).toBe('A');
    expect(kindOf({ kind: 'file' }, [{}, { n: { kind: 'file' } }])).toBe('C');
    expect(kindOf(dir([10, 5]), [{ n: { kind: 'file' } }])).toBe('C');
  });

  it('3: two dirs are unchanged with equal size, mode and mtime; seconds alone count when either lacks nanoseconds', () => {
    expect(kindOf(dir([10, 5]), [{ n: dir([10, 5]) }])).toBeUndefined();
    expect(kindOf(dir([10, 5]), [{ n: dir([10, 0]) }])).toBeUndefined();
    expect(kindOf(dir([10, 0]), [{ n: dir([10, 7]) }])).toBeUndefined();
    expect(kindOf(dir([10, 5]), [{ n: dir([10, 6]) }])).toBe('C');
    expect(kindOf(dir([11, 0]), [{ n: dir([10, 0]) }])).toBe('C'); // one second apart is a change
    expect(kindOf(dir([10, 5], { perm: 0o700 }), [{ n: dir([10, 5]) }])).toBe('C');
    expect(kindOf(dir([10, 5], { size: 8192 }), [{ n: dir([10, 5]) }])).toBe('C');
    // the first lower that has the path decides, whatever is below it
    expect(kindOf(dir([10, 5]), [{}, { n: dir([10, 5]) }, { n: { kind: 'file' } }])).toBeUndefined();
  });

  it('what each lower has at a child dir, from the parent listings', () => {
    const l = listing('/d', { sub: { kind: 'dir' }, gone: { kind: 'wh' }, f: { kind: 'file' } });
    expect(descend([l, 'whited-out', 'absent'], 'sub')).toEqual(['dir', 'whited-out', 'absent']);
    expect(descend([l], 'gone')).toEqual(['whited-out']);
    expect(descend([l], 'f')).toEqual(['absent']);
    expect(descend([l], 'missing')).toEqual(['absent']);
  });

  it('4: ancestors of A and D become C unless recorded; C does not propagate; sorted by path', () => {
    const recorded = new Map<string, 'A' | 'C' | 'D'>([['/a/b/new', 'A'], ['/x/y', 'C'], ['/a', 'A'], ['/d/gone', 'D']]);
    expect(withAncestors(recorded)).toEqual([
      { path: '/a', kind: 'A' },
      { path: '/a/b', kind: 'C' },
      { path: '/a/b/new', kind: 'A' },
      { path: '/d', kind: 'C' },
      { path: '/d/gone', kind: 'D' },
      { path: '/x/y', kind: 'C' },
    ]);
  });
});
