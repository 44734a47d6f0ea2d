/**
 * Property tests of the mountinfo parser (src/mount/mountinfo.ts) with fast-check: lines
 * written the way the kernel escapes them (proc(5)'s octal escapes; overlayfs's seq_show_option
 * escaping of `, \t\n\\` in option values; the legacy form's own `\:` `\,` `\\`) parse back to
 * what was written, for any path of any length; and any input at all, random or a valid line
 * mutated, gives entries or a coded error, never another exception and never a hang (each
 * input runs under a vm timeout, which interrupts even a synchronous loop). Seeds and replay:
 * support/property.ts.
 */
import vm from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { overlayMountsIn, parseMountInfo, unescapeOctal, type OverlayMountInfo } from '../src/mount/mountinfo.js';
import { OvlError } from '../src/errors.js';
import { propertyParams } from './support/property.js';

/** proc(5)'s escape of a mountinfo field: space, tab, newline and backslash as `\ooo`. */
const octal = (s: string, chars: string): string =>
  [...s].map((c) => (chars.includes(c) ? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}` : c)).join('');
const escapeField = (s: string): string => octal(s, ' \t\n\\');
/** seq_show_option's escape of an option value: also the comma that separates options. */
const escapeOptionValue = (s: string): string => octal(s, ', \t\n\\');
/** overlayfs's own escape of a legacy-form layer path, before seq_show_option's. */
const escapeLegacyLayer = (s: string): string => s.replace(/[\\:,]/g, (c) => `\\${c}`);

/** Path-like strings weighted towards the bytes that are syntax somewhere in the chain. */
const awkward = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(',', ':', '::', '\\', '=', ' ', '\t', '\n', '\\054', '\\134', '-', '/', 'lowerdir=') },
  { weight: 5, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
const pathArb = fc
  .string({ unit: awkward, minLength: 1, maxLength: 40 })
  .filter((s) => !s.includes('\0'))
  .map((s) => `/${s}`);
const optionKey = fc.oneof(
  fc.stringMatching(/^[a-z][a-z_]{0,11}$/).filter((k) => !['lowerdir', 'upperdir', 'workdir'].includes(k)),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'),
);
const optionValue = fc.oneof(fc.constant(true as const), fc.stringMatching(/^[a-z0-9]{0,8}$/));

/** What a generated line says: the parser's result (readonly aside) and which form it is in. */
type Written = Omit<OverlayMountInfo, 'readonly'> & { form: 'new' | 'legacy' };

const writtenArb: fc.Arbitrary<Written> = fc
  .record({
    form: fc.constantFrom('new' as const, 'legacy' as const),
    mountId: fc.nat({ max: 2 ** 31 - 1 }),
    target: pathArb,
    lower: fc.array(pathArb, { minLength: 1, maxLength: 6 }),
    data: fc.array(pathArb, { maxLength: 2 }),
    upperWork: fc.option(fc.tuple(pathArb, pathArb), { nil: undefined }),
    options: fc.uniqueArray(fc.tuple(optionKey, optionValue), { selector: ([k]) => k, maxLength: 5 }),
  })
  .map(({ upperWork, options, ...w }) => {
    const out: Written = { ...w, options: Object.fromEntries(options) };
    if (upperWork) [out.upper, out.work] = upperWork;
    return out;
  });

/** The line the kernel would show for `w` (fs/proc_namespace.c, fs/overlayfs/params.c). */
function renderLine(w: Written): string {
  const items: string[] = ['rw'];
  if (w.form === 'legacy') {
    const lower = w.lower.map(escapeLegacyLayer).join(':');
    const data = w.data.map((d) => `::${escapeLegacyLayer(d)}`).join('');
    items.push(`lowerdir=${escapeOptionValue(lower + data)}`);
    if (w.upper !== undefined) items.push(`upperdir=${escapeOptionValue(escapeLegacyLayer(w.upper))}`);
    if (w.work !== undefined) items.push(`workdir=${escapeOptionValue(escapeLegacyLayer(w.work))}`);
  } else {
    items.push(...w.lower.map((l) => `lowerdir+=${escapeOptionValue(l)}`));
    items.push(...w.data.map((d) => `datadir+=${escapeOptionValue(d)}`));
    if (w.upper !== undefined) items.push(`upperdir=${escapeOptionValue(w.upper)}`);
    if (w.work !== undefined) items.push(`workdir=${escapeOptionValue(w.work)}`);
  }
  for (const [key, value] of Object.entries(w.options)) items.push(value === true ? key : `${key}=${value}`);
  return `${w.mountId} 1 0:42 / ${escapeField(w.target)} rw,relatime shared:7 - overlay ${escapeField('over lay')} ${items.join(',')}`;
}

/** Runs `fn` under a hard time limit: vm's watchdog terminates even a synchronous endless loop. */
function bounded<T>(fn: () => T): T {
  return vm.runInNewContext('fn()', { fn }, { timeout: 5_000 }) as T;
}

/** The parser may refuse input only with one of ovl's coded errors. */
function parsesOrRefusesWithACode(text: string): void {
  try {
    bounded(() => overlayMountsIn(text));
    bounded(() => parseMountInfo(text));
  } catch (e) {
    if (e instanceof OvlError && e.code.startsWith('ERR_OVL_')) return;
    throw e;
  }
}

const plain = (info: OverlayMountInfo) => ({ ...info, options: { ...info.options } });

describe('mountinfo parser, properties', () => {
  it('decodes octal escapes back to the characters, whichever characters were escaped', () => {
    // Per character: the kernel escapes ASCII only, so a raw byte never splits a UTF-8 sequence.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.boolean()), { maxLength: 200 }), (chars) => {
        const escaped = chars
          .map(([c, escape]) => (escape ? [...Buffer.from(c, 'utf8')].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('') : c))
          .join('');
        expect(unescapeOctal(escaped)).toBe(chars.map(([c]) => c).join(''));
      }),
      propertyParams('octal escapes', 500),
    );
  });

  it('reads back the layers, target and options of any line the kernel would write, either form', () => {
    fc.assert(
      fc.property(writtenArb, fc.array(fc.constantFrom('', '22 1 254:0 / / rw - ext4 /dev/vda rw'), { maxLength: 3 }), (w, others) => {
        const text = [...others, renderLine(w), ...others].join('\n');
        const infos = bounded(() => overlayMountsIn(text));
        expect(infos).toHaveLength(1);
        const expected = { mountId: w.mountId, target: w.target, lower: w.lower, data: w.data, options: { rw: true, ...w.options } };
        expect(plain(infos[0]!)).toMatchObject(expected);
        expect(Object.keys(infos[0]!.options).sort()).toEqual(Object.keys(expected.options).sort());
        expect(infos[0]!.upper).toBe(w.upper);
        expect(infos[0]!.work).toBe(w.work);
      }),
      propertyParams('kernel lines', 500),
    );
  });

  it('reads a line of any length (500 layers of 200 bytes)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: awkward, minLength: 190, maxLength: 200 }), { minLength: 500, maxLength: 500 }), (names) => {
        const w: Written = { form: 'new', mountId: 9, target: '/m', lower: names.map((n) => `/${n.replaceAll('\0', '')}`), data: [], options: {} };
        expect(bounded(() => overlayMountsIn(renderLine(w)))[0]!.lower).toEqual(w.lower);
        expect(bounded(() => overlayMountsIn(renderLine({ ...w, form: 'legacy' })))[0]!.lower).toEqual(w.lower);
      }),
      propertyParams('long lines', 5),
    );
  });

  it('gives entries or a coded error for random input, never another exception or a hang', () => {
    const anything = fc.oneof(
      { weight: 10, arbitrary: fc.string({ unit: 'binary', maxLength: 2_000 }) },
      { weight: 10, arbitrary: fc.string({ unit: fc.constantFrom(' ', '-', '\\', '0', '7', ',', '=', ':', '\n', 'overlay', 'lowerdir=', 'lowerdir+=', 'upperdir=', '1'), maxLength: 500 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 50_000, maxLength: 100_000 }) },
    );
    fc.assert(fc.property(anything, parsesOrRefusesWithACode), propertyParams('random input', 300));
  });

  it('gives entries or a coded error for valid lines cut, spliced and garbled, never another exception or a hang', () => {
    const edit = fc.record({
      at: fc.nat(),
      cut: fc.nat({ max: 40 }),
      insert: fc.string({ unit: fc.constantFrom(' ', '-', '\\', '\\0', '\\05', ',', '=', ':', '::', '\n', 'x', '\u{1F600}', '\uFFFD'), maxLength: 6 }),
    });
    const mutated = fc.tuple(writtenArb, fc.array(edit, { minLength: 1, maxLength: 8 })).map(([w, edits]) =>
      edits.reduce((line, { at, cut, insert }) => {
        const i = at % (line.length + 1);
        return line.slice(0, i) + insert + line.slice(i + cut);
      }, renderLine(w)),
    );
    fc.assert(fc.property(mutated, parsesOrRefusesWithACode), propertyParams('mutated lines', 500));
  });
});
