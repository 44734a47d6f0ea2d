// The row strings the build puts into the bundled Ink's Output.get (scripts/build.mjs).
import { beforeEach, describe, expect, it } from 'vitest';
import { BLANK_CELL, forgetRows, rowString } from '../../src/terminal/ink-compat/output-rows.js';

type Cell = { value: string };
const cell = (value: string): Cell => ({ value });
const join = (calls: Cell[][]) => (cells: Cell[]) => (calls.push(cells), cells.map((c) => c.value).join(''));

describe('output rows', () => {
  beforeEach(forgetRows);

  it('reuses a row string only while the row holds the same cell objects as a frame ago', () => {
    const calls: Cell[][] = [];
    const [a, b] = [cell('a'), cell('b')];
    expect(rowString([a, b, BLANK_CELL], 0, join(calls))).toBe('ab');
    expect(rowString([a, b, BLANK_CELL], 0, join(calls))).toBe('ab'); // a new row array, same cells
    expect(calls).toHaveLength(1);
    // an equal-looking but different cell object (Ink made it anew): made again
    expect(rowString([a, cell('b'), BLANK_CELL], 0, join(calls))).toBe('ab');
    expect(rowString([a, cell('c')], 0, join(calls))).toBe('ac');
    expect(calls).toHaveLength(3);
  });

  it('keeps each row number apart, drops gaps and trims the end as Ink does', () => {
    const calls: Cell[][] = [];
    const a = cell('a');
    const gappy: Array<Cell | undefined> = [a, undefined, cell('b'), BLANK_CELL];
    expect(rowString(gappy, 1, join(calls))).toBe('ab');
    expect(calls[0]).not.toContain(undefined);
    expect(rowString([a], 0, join(calls))).toBe('a');
    expect(rowString(gappy, 1, join(calls))).toBe('ab');
    expect(calls).toHaveLength(2);
  });
});
