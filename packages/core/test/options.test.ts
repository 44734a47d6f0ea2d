import { describe, expect, it } from 'vitest';
import { escapeLegacyPath, legacyMountData, MAX_LOWER_LAYERS, newApiParams, optionParams, checkSpecShape } from '../src/mount/options.js';
import { normalizeSpec, type OverlaySpec } from '../src/mount/spec.js';
import { OvlError } from '../src/errors.js';

const spec = (s: Partial<OverlaySpec>) => normalizeSpec({ lower: ['/l1', '/l2'], target: '/m', ...s }, '/cwd');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OvlError);
    return (e as OvlError).code;
  }
  return undefined;
}

describe('normalizeSpec', () => {
  it('resolves relative paths against the given directory, as mount(8) does', () => {
    const s = normalizeSpec({ lower: ['lower/'], upper: 'upper', work: './work', target: 'merged' }, '/base dir');
    expect([s.lower[0], s.upper, s.work, s.target]).toEqual(['/base dir/lower', '/base dir/upper', '/base dir/work', '/base dir/merged']);
  });
  it('refuses wrong types and empty paths with TypeError', () => {
    expect(() => normalizeSpec({ lower: 'a' as unknown as string[], target: '/m' })).toThrow(TypeError);
    expect(() => normalizeSpec({ lower: [''], target: '/m' })).toThrow(/empty/);
    expect(() => normalizeSpec({ lower: ['/a'], target: '/m', api: 'old' as 'new' })).toThrow(/api/);
  });
});

describe('checkSpecShape', () => {
  it('refuses NUL bytes in any path, naming the role', () => {
    expect(codeOf(() => checkSpecShape(spec({ lower: ['/a\0b', '/c'] })))).toBe('ERR_OVL_NUL_BYTE');
    expect(codeOf(() => checkSpecShape(spec({ upper: '/u\0', work: '/w' })))).toBe('ERR_OVL_NUL_BYTE');
    expect(codeOf(() => checkSpecShape(spec({ target: '/m\0' })))).toBe('ERR_OVL_NUL_BYTE');
  });
  it('requires upper and work together', () => {
    expect(codeOf(() => checkSpecShape(spec({ upper: '/u' })))).toBe('ERR_OVL_UPPER_WITHOUT_WORK');
    expect(codeOf(() => checkSpecShape(spec({ work: '/w' })))).toBe('ERR_OVL_WORK_WITHOUT_UPPER');
  });
  it('counts layers against the kernel limit of 500', () => {
    const lower = Array.from({ length: MAX_LOWER_LAYERS }, (_, i) => `/l${i}`);
    expect(codeOf(() => checkSpecShape(spec({ lower })))).toBeUndefined();
    expect(codeOf(() => checkSpecShape(spec({ lower: [...lower, '/one-more'] })))).toBe('ERR_OVL_TOO_MANY_LAYERS');
    expect(codeOf(() => checkSpecShape(spec({ lower, data: ['/d'] })))).toBe('ERR_OVL_TOO_MANY_LAYERS');
  });
  it('needs a lower, and two of them without an upper', () => {
    expect(codeOf(() => checkSpecShape(spec({ lower: [] })))).toBe('ERR_OVL_NO_LOWER');
    expect(codeOf(() => checkSpecShape(spec({ lower: ['/a'] })))).toBe('ERR_OVL_TOO_FEW_LAYERS');
    expect(codeOf(() => checkSpecShape(spec({ lower: ['/a'], upper: '/u', work: '/w' })))).toBeUndefined();
  });
});

describe('optionParams', () => {
  it('turns booleans into flags or on/off as overlayfs expects', () => {
    expect(optionParams({ userxattr: true, volatile: false, index: false, metacopy: true, redirect_dir: 'on' })).toEqual([
      { key: 'userxattr', value: true },
      { key: 'index', value: 'off' },
      { key: 'metacopy', value: 'on' },
      { key: 'redirect_dir', value: 'on' },
    ]);
  });
  it('refuses layers smuggled in as options, and malformed names', () => {
    expect(codeOf(() => optionParams({ upperdir: '/etc' }))).toBe('ERR_OVL_BAD_OPTION');
    expect(codeOf(() => optionParams({ 'lowerdir+': '/x' }))).toBe('ERR_OVL_BAD_OPTION');
    expect(codeOf(() => optionParams({ 'index,upperdir': 'on' }))).toBe('ERR_OVL_BAD_OPTION');
  });
});

describe('newApiParams', () => {
  it('sends one fsconfig per layer, top-most first, then options; paths untouched', () => {
    const s = spec({ lower: ['/a,upperdir=/etc', '/b:c'], upper: '/u\\x', work: '/w', options: { redirect_dir: 'on' } });
    expect(newApiParams(s, 'fd')).toEqual([
      { type: 'path', key: 'lowerdir+', value: '/a,upperdir=/etc' },
      { type: 'path', key: 'lowerdir+', value: '/b:c' },
      { type: 'path', key: 'upperdir', value: '/u\\x' },
      { type: 'path', key: 'workdir', value: '/w' },
      { type: 'string', key: 'redirect_dir', value: 'on' },
    ]);
    expect(newApiParams(s, 'string')[0]).toEqual({ type: 'string', key: 'lowerdir+', value: '/a,upperdir=/etc' });
  });
  it('refuses a path over 255 bytes when it must travel as a string', () => {
    const long = `/${'x'.repeat(300)}`;
    expect(codeOf(() => newApiParams(spec({ lower: [long, '/b'] }), 'string'))).toBe('ERR_OVL_PATH_TOO_LONG');
    expect(newApiParams(spec({ lower: [long, '/b'] }), 'fd')).toHaveLength(2);
  });
});

describe('legacyMountData', () => {
  it('escapes the three bytes the kernel unescapes, per path', () => {
    expect(escapeLegacyPath('/a,b:c\\d=e f')).toBe('/a\\,b\\:c\\\\d=e f');
    const s = spec({ lower: ['/x,upperdir=/etc', '/p:q'], data: ['/d'], upper: '/u', work: '/w', options: { userxattr: true, index: false } });
    expect(legacyMountData(s, 4096)).toBe('lowerdir=/x\\,upperdir=/etc:/p\\:q::/d,upperdir=/u,workdir=/w,userxattr,index=off');
  });
  it('refuses data the kernel would cut at a page, at exactly page size - 1 bytes', () => {
    const fits = (n: number) => spec({ lower: [`/${'a'.repeat(n)}`, '/b'] });
    const base = legacyMountData(fits(1), 4096).length - 1; // bytes besides the variable path part
    expect(legacyMountData(fits(4095 - base), 4096)).toHaveLength(4095);
    expect(codeOf(() => legacyMountData(fits(4096 - base), 4096))).toBe('ERR_OVL_OPTIONS_TOO_LONG');
  });
  it('refuses option values holding separators rather than sending them', () => {
    expect(codeOf(() => legacyMountData(spec({ options: { xino: 'on,upperdir=/etc' as 'on' } }), 4096))).toBe('ERR_OVL_BAD_OPTION');
  });
});
