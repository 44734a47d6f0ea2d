// The Ink workarounds (src/terminal/ink-compat/): they fit the Ink we ship, and the frame
// cache's frames come out exactly as Ink makes them without the reuse.
import { describe, expect, it } from 'vitest';
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

  it('keeps only the last frame: a line unused for a frame is parsed again', () => {
    const a = frame([[0, 0, red('kept?')]]);
    frame([[0, 0, 'other']]);
    const c = frame([[0, 0, red('kept?')]]);
    expect(c.o.caches.styledChars.get(red('kept?'))).not.toBe(a.o.caches.styledChars.get(red('kept?')));
  });
});
