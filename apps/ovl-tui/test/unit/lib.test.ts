// Pure helpers: the line diff, column formats, provenance marks, preview decoding, layout.
import { describe, expect, it } from 'vitest';
import { diffLines, splitLines, withContext } from '../../src/lib/diff.js';
import { fit, formatMode, formatSize } from '../../src/lib/format.js';
import { markOf } from '../../src/lib/marks.js';
import { bytesToShow, hexLines, isBinary, textLines } from '../../src/lib/preview.js';
import { layout } from '../../src/ui/layout.js';
import { entry } from '../support/fake-service.js';

const render = (a: string, b: string) => diffLines(splitLines(a), splitLines(b)).map((l) => `${l.op}${l.text}`);

describe('diffLines', () => {
  it('finds a minimal edit script', () => {
    expect(render('a\nb\nc\n', 'a\nc\nd\n')).toEqual([' a', '-b', ' c', '+d']);
    expect(render('', 'x\n')).toEqual(['+x']);
    expect(render('x\n', 'x\n')).toEqual([' x']);
    expect(render('a\nb\n', 'b\na\n')).toHaveLength(3);
  });

  it('is a correct edit script on random inputs (applying it gives the new text)', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 5;
    for (let t = 0; t < 200; t++) {
      const a = Array.from({ length: rnd() * 3 }, () => String(rnd()));
      const b = Array.from({ length: rnd() * 3 }, () => String(rnd()));
      const d = diffLines(a, b);
      expect(d.filter((l) => l.op !== '+').map((l) => l.text)).toEqual(a);
      expect(d.filter((l) => l.op !== '-').map((l) => l.text)).toEqual(b);
    }
  });

  it('falls back to one replacement past maxEdits', () => {
    const d = diffLines(['a', 'b'], ['c', 'd'], 1);
    expect(d.map((l) => l.op)).toEqual(['-', '-', '+', '+']);
  });

  it('withContext keeps changed lines and their neighbours', () => {
    const a = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const b = [...a];
    b[10] = 'changed';
    const shown = withContext(diffLines(a, b), 1);
    expect(shown.map((l) => l.op)).toEqual(['…', ' ', '-', '+', ' ', '…']);
  });
});

describe('formats', () => {
  it('sizes', () => {
    expect(formatSize(512)).toBe('512B');
    expect(formatSize(1536)).toBe('1.5K');
    expect(formatSize(10 * 1024 * 1024)).toBe('10M');
  });
  it('modes like ls -l', () => {
    expect(formatMode(0o100644)).toBe('-rw-r--r--');
    expect(formatMode(0o40755)).toBe('drwxr-xr-x');
    expect(formatMode(0o104755)).toBe('-rwsr-xr-x');
    expect(formatMode(0o41777)).toBe('drwxrwxrwt');
  });
  it('fit cuts with an ellipsis and pads', () => {
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('ab', 4)).toBe('ab  ');
    expect(fit('a\x1bb', 3)).toBe('a?b');
  });
});

describe('marks', () => {
  it('name every kind of provenance, without needing colour', () => {
    expect(markOf(entry('/a', { layer: 'upper' })).text).toBe('new');
    expect(markOf(entry('/a', { layer: 'upper', copiedUp: true, shadows: [0] })).text).toBe('cp-up');
    expect(markOf(entry('/a', { layer: 2 })).text).toBe('L2');
    expect(markOf(entry('/a', { type: 'whiteout', layer: 'upper' }))).toMatchObject({ text: 'del', dim: true });
    expect(markOf(entry('/a', { type: 'dir', opaque: true, layer: 'upper' })).text).toBe('opaq');
    expect(markOf(entry('/a', { type: 'dir', redirect: '/b', layer: 'upper' })).text).toBe('redir');
    expect(markOf(entry('/a', { metacopy: true, layer: 'upper' })).text).toBe('meta');
  });
});

describe('preview', () => {
  it('tells binary from text by a NUL byte', () => {
    expect(isBinary(Buffer.from('hello\n'))).toBe(false);
    expect(isBinary(Buffer.from([0x7f, 0x45, 0x00]))).toBe(true);
  });
  it('cuts text lines to the pane and expands tabs', () => {
    expect(textLines(Buffer.from('a\tb\nlong line\nthird'), 2, 4)).toEqual(['a   ', 'long']);
  });
  it('hex dumps with offsets and ASCII', () => {
    expect(hexLines(Buffer.from('AB\0'), 5, 8)).toEqual([`00000000  ${'41 42 00'.padEnd(8 * 3 - 1)}  AB.`]);
  });
  it('reads no more than a screenful', () => {
    expect(bytesToShow(30, 60)).toBeLessThanOrEqual(64 * 1024);
  });
});

describe('layout', () => {
  it('splits wide terminals in two and keeps the frame one row short', () => {
    const l = layout(120, 40, 5);
    expect(l.treeWidth + l.sideWidth + 1).toBe(120);
    expect(5 + 1 + l.treeHeight + 1).toBe(39);
    expect(l.previewHeight + 1 + l.liveHeight + 1).toBe(l.treeHeight + 1);
  });
  it('drops the side pane on narrow terminals', () => {
    expect(layout(60, 20, 4).sideWidth).toBe(0);
  });
});
