// A big dir whose names are read long before their details (core's readdirChunks onNames):
// the whole listing is there from the names on, and every key works on it while the details
// come in piece by piece, the cursor staying on its entry as placeholders turn into entries.
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/ui/App.js';
import { InputGate } from '../../src/terminal/input-gate.js';
import { entry, FakeService } from '../support/fake-service.js';
import { KEYS, renderUi, type Rendered } from '../support/render.js';

const FILES = 1000; // more than one first piece: the names are shown before any detail
let ui: Rendered | undefined;
afterEach(() => ui?.unmount());

/** A dir of FILES files (f-0000 …) in lower 0 and one dir (sub), its details held back until `release()`. */
function bigDir() {
  const svc = new FakeService();
  svc.add(entry('/sub', { type: 'dir', layer: 0 }));
  for (let i = 0; i < FILES; i++) svc.add(entry(`/f-${String(i).padStart(4, '0')}`, { layer: 0, size: 10 }));
  let release = () => {};
  svc.holdDetails = new Promise<void>((r) => (release = r));
  ui = renderUi(<App service={svc} openEditor={() => ({ status: 0 })} gate={new InputGate()} size={{ columns: 100, rows: 30 }} schedulePreview={() => () => undefined} />);
  return { svc, r: ui, release: () => release() };
}

const TOTAL = FILES + 1;
/** The tree row of `name` (the left pane of its line). */
const row = (frame: string, name: string) => frame.split('\n').find((l) => new RegExp(`\\s${name}(?:/|\\s|$)`).test(l.slice(0, 55)))?.slice(0, 55) ?? '';
const at = (frame: string) => /merged tree\s+(\d+)\/(\d+)/.exec(frame)?.slice(1).map(Number);

describe('names first', () => {
  it('lays the dir out from its names, and G, / and n work on them before any detail', async () => {
    const { r, release } = bigDir();
    const shown = await r.waitFor((f) => at(f)?.[1] === TOTAL);
    expect(shown).toContain('loading…');
    expect(row(shown, 'sub')).toMatch(/…\s+▸ sub\//); // a dir, first, from its name alone
    expect(row(shown, 'f-0000')).toMatch(/…\s+f-0000\s*$/); // no size or mode yet
    r.press('G');
    const bottom = await r.waitFor((f) => at(f)?.[0] === TOTAL);
    expect(row(bottom, 'f-0999').startsWith('>')).toBe(true);
    r.press('/', ...'f-05', KEYS.enter);
    await r.waitFor((f) => row(f, 'f-0500').startsWith('>'));
    r.press('n');
    const next = await r.waitFor((f) => row(f, 'f-0501').startsWith('>'));
    expect(next).toContain('loading…'); // all of it before a single detail came
    expect(row(next, 'f-0501')).toMatch(/…\s+f-0501/);
    expect(next).toContain('reading its details…'); // the side pane reads nothing yet
    release();
    const done = await r.waitFor((f) => !f.includes('loading…'));
    expect(row(done, 'f-0501')).toMatch(/^>\s+L0\s+f-0501\s+10B/); // the cursor stayed on its entry
    expect(at(done)).toEqual([503, TOTAL]);
  });

  it('handles every key while the details come in, piece by piece', async () => {
    const { svc, r, release } = bigDir();
    let releaseSecond = () => {};
    svc.holdSecondPiece = new Promise<void>((res) => (releaseSecond = res));
    const held = new Promise<void>((res) => (svc.onHold = res));
    await r.waitFor((f) => at(f)?.[1] === TOTAL);
    r.press('j');
    await r.waitFor((f) => at(f)?.[0] === 2);
    r.press('jjj'); // one chunk of input: each key sees the one before
    await r.waitFor((f) => at(f)?.[0] === 5);
    release();
    await held; // the first half has its details, the second half waits
    const half = await r.waitFor((f) => /L0\s+f-0000/.test(row(f, 'f-0000')));
    expect(row(half, 'f-0003').startsWith('>')).toBe(true);
    r.press('k', KEYS.pgdn, 'G', 'k');
    const moved = await r.waitFor((f) => at(f)?.[0] === TOTAL - 1);
    expect(row(moved, 'f-0998')).toMatch(/^>\s+…\s+f-0998/); // still a placeholder: its piece is held
    releaseSecond();
    const done = await r.waitFor((f) => !f.includes('loading…'));
    expect(row(done, 'f-0998')).toMatch(/^>\s+L0\s+f-0998/);
  });
});
