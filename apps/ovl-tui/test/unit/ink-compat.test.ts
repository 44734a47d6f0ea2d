// The Ink workarounds (src/terminal/ink-compat/): they fit the Ink we ship, and the frame
// cache's frames come out exactly as Ink makes them without the reuse.
import { describe, expect, it } from 'vitest';
import { discreteInput } from '../../src/terminal/ink-compat/discrete-input.js';
import { frameCacheInstalled, inkOutputClass } from '../../src/terminal/ink-compat/frame-cache.js';
import { INK_WRITTEN_FOR, inkFits, inkVersion } from '../../src/terminal/ink-compat/version.js';

const Output = (await inkOutputClass())!;
type Frame = InstanceType<typeof Output> & {
  write(x: number, y: number, text: string, options: { transformers: unknown[] }): void;
  get(): { output: string; height: number };
};

const red = (s: string) => `\x1b[31m${s}\x1b[39m`;
const inverse = (s: string) => `\x1b[7m${s}\x1b[27m`;
const LINES = ['plain row', red('red row') + ' tail', inverse('cursor row'), '全角の行 wide', '😀 emoji row', red('a') + inverse('b') + 'c'];

/** One frame: each line written at (x, y); returns the frame and what Ink made of it. */
function frame(rows: Array<[number, number, string]>, size = { width: 30, height: 8 }) {
  const o = new Output(size) as Frame;
  for (const [x, y, text] of rows) o.write(x, y, text, { transformers: [] });
  return { o, text: o.get().output };
}

describe('ink compat', () => {
  it(`is written for the Ink this app ships with (${INK_WRITTEN_FOR}.x): an upgrade must look at every workaround again`, () => {
    expect(inkVersion()).toMatch(new RegExp(`^${INK_WRITTEN_FOR.replace('.', '\\.')}\\.`));
    expect(inkFits).toBe(true);
  });

  it('the frame cache is installed against the Ink this app ships with', () => {
    expect(frameCacheInstalled).toBe(true);
  });

  it("keys are flushed by the reconciler Ink renders with", () => {
    expect(discreteInput).toBe(true);
  });

  it("reuses the previous frame's parsed lines, and frames come out as without reuse", () => {
    const rows = LINES.map((l, i): [number, number, string] => [i % 3, i, l]);
    const first = frame(rows);
    // Scrolled by one row and shifted: same strings at other places, one new line.
    const moved = rows.slice(1).map(([x, y, l]): [number, number, string] => [x + 1, y - 1, l]).concat([[0, 6, 'new line']]);
    const second = frame(moved);
    for (const line of LINES.slice(1)) expect(second.o.caches.styledChars.get(line)).toBe(first.o.caches.styledChars.get(line));
    // The same frame after one that shares no line with it is parsed from scratch.
    frame([[0, 0, 'nothing in common']]);
    const fresh = frame(moved);
    expect(fresh.o.caches.styledChars.get(LINES[1]!)).not.toBe(first.o.caches.styledChars.get(LINES[1]!));
    expect(second.text).toBe(fresh.text);
    expect(second.text).toContain('全角の行 wide');
  });

  it("reuses the previous frame's measured widths (each line's, each block's), and only the previous frame's", () => {
    // Inside a clip, as Ink writes a box's text: it measures the text to clip it.
    const clipped = (rows: Array<[number, number, string]>) => {
      const o = new Output({ width: 30, height: 8 }) as Frame & { clip(c: object): void; unclip(): void };
      o.clip({ x1: 0, x2: 30, y1: 0, y2: 8 });
      for (const [x, y, text] of rows) o.write(x, y, text, { transformers: [] });
      o.unclip();
      return { o, text: o.get().output };
    };
    const first = clipped([[0, 0, 'measured'], [0, 1, red('block')]]);
    expect([first.o.caches.widths.get('measured'), first.o.caches.blockWidths.get(red('block'))]).toEqual([8, 5]);
    // Marked in the last frame's maps: a width measured again would come out right, not marked.
    first.o.caches.widths.set('measured', 99);
    first.o.caches.blockWidths.set(red('block'), 98);
    const second = clipped([[0, 2, 'measured'], [0, 3, red('block')]]);
    expect(second.o.caches.widths.get('measured')).toBe(99);
    expect(second.o.caches.blockWidths.get(red('block'))).toBe(98);
    clipped([[0, 0, 'other']]);
    const fourth = clipped([[0, 2, 'measured'], [0, 3, red('block')]]);
    expect(fourth.o.caches.widths.get('measured')).toBe(8);
    expect(fourth.o.caches.blockWidths.get(red('block'))).toBe(5);
  });

  it('keeps only the last frame: a line unused for a frame is parsed again', () => {
    const a = frame([[0, 0, red('kept?')]]);
    frame([[0, 0, 'other']]);
    const c = frame([[0, 0, red('kept?')]]);
    expect(c.o.caches.styledChars.get(red('kept?'))).not.toBe(a.o.caches.styledChars.get(red('kept?')));
  });
});
