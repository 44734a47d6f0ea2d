import { describe, expect, it } from 'vitest';
import { overlayMountsIn, parseMountInfo, splitLegacyLowerdir, unescapeOctal } from '../src/mount/mountinfo.js';

// Lines as this kernel (6.18) printed them, for mounts made through each channel.
const NEW_API_LINE =
  '66 43 0:39 / /tmp/exp/m2 rw,relatime - overlay none rw,lowerdir+=/tmp/exp/x:y,lowerdir+=/tmp/exp/p\\054q,lowerdir+=/tmp/exp/n\\012l,datadir+=/tmp/exp/b\\134s,upperdir=/tmp/exp/u\\134b\\054c:d,workdir=/tmp/exp/w2,redirect_dir=on,metacopy=on';
const LEGACY_LINE =
  '67 43 0:39 / /tmp/exp/m\\0402 rw,relatime shared:5 master:1 - overlay overlay rw,lowerdir=/tmp/exp/x\\134:y:/tmp/exp/p\\134\\054q::/tmp/exp/b\\134\\134s,upperdir=/tmp/exp/u\\134\\134b\\134\\054c\\134:d,workdir=/tmp/exp/w2,uuid=on';
const OTHER = '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw';

describe('unescapeOctal', () => {
  it('decodes the kernel escapes and keeps non-ASCII bytes', () => {
    expect(unescapeOctal('a\\040b\\011c\\012d\\134e\\054f')).toBe('a b\tc\nd\\e,f');
    expect(unescapeOctal('/tmp/ünï\\040x')).toBe('/tmp/ünï x');
    expect(unescapeOctal('\\303\\274')).toBe('ü');
  });
});

describe('parseMountInfo', () => {
  it('reads optional fields and escaped mount points', () => {
    const [legacy] = parseMountInfo(LEGACY_LINE);
    expect(legacy).toMatchObject({ mountId: 67, parentId: 43, major: 0, minor: 39, mountPoint: '/tmp/exp/m 2', fstype: 'overlay', source: 'overlay' });
    expect(legacy!.optionalFields).toEqual(['shared:5', 'master:1']);
  });
  it('skips malformed lines instead of guessing', () => {
    expect(parseMountInfo('garbage\n\n1 2 3')).toEqual([]);
  });
});

describe('overlay super options', () => {
  it('reads lowerdir+/datadir+ layers raw (new API)', () => {
    const [m] = overlayMountsIn(`${OTHER}\n${NEW_API_LINE}\n`);
    expect(m).toMatchObject({
      mountId: 66,
      target: '/tmp/exp/m2',
      lower: ['/tmp/exp/x:y', '/tmp/exp/p,q', '/tmp/exp/n\nl'],
      data: ['/tmp/exp/b\\s'],
      upper: '/tmp/exp/u\\b,c:d',
      work: '/tmp/exp/w2',
      options: { rw: true, redirect_dir: 'on', metacopy: 'on' },
      readonly: false,
    });
  });
  it('reads the escaped legacy lowerdir= form, with :: data layers', () => {
    const [m] = overlayMountsIn(LEGACY_LINE);
    expect(m).toMatchObject({ lower: ['/tmp/exp/x:y', '/tmp/exp/p,q'], data: ['/tmp/exp/b\\s'], upper: '/tmp/exp/u\\b,c:d', options: { uuid: 'on' } });
  });
  it('keeps an option named __proto__ as an option (found by mountinfo-property.test.ts)', () => {
    const [m] = overlayMountsIn('1 2 0:1 / /m rw - overlay none rw,lowerdir+=/l,__proto__=x,constructor');
    expect(Object.keys(m!.options)).toEqual(['rw', '__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(m!.options, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(m!.options)).toBe(Object.prototype);
  });
  it('splits legacy lowerdir only on unescaped colons', () => {
    expect(splitLegacyLowerdir('/a\\:b:/c\\\\:/d::/e::/f')).toEqual({ lower: ['/a:b', '/c\\', '/d'], data: ['/e', '/f'] });
  });
  it('handles lines of any length (500 layers of 200 bytes)', () => {
    const layers = Array.from({ length: 500 }, (_, i) => `/${String(i).padStart(3, '0')}${'x'.repeat(195)}`);
    const line = `900 43 0:40 / /m ro,relatime - overlay none ro,${layers.map((l) => `lowerdir+=${l}`).join(',')}`;
    expect(line.length).toBeGreaterThan(100_000);
    const [m] = overlayMountsIn(line);
    expect(m!.lower).toEqual(layers);
    expect(m!.readonly).toBe(true);
  });
});
