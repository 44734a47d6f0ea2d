// The whole app against the fake service, driven by keys, read from frames.
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemError } from '@ovl/core';
import { App } from '../../src/ui/App.js';
import type { PreviewScheduler } from '../../src/ui/use-pane-content.js';
import { InputGate } from '../../src/terminal/input-gate.js';
import { articleService, entry, FakeService } from '../support/fake-service.js';
import { KEYS, manualPreview, renderUi, type Rendered } from '../support/render.js';

const SIZE = { columns: 100, rows: 30 };
let ui: Rendered | undefined;
afterEach(() => ui?.unmount());

function start(service: FakeService, edits: string[] = [], schedulePreview?: PreviewScheduler) {
  const openEditor = (file: string) => {
    edits.push(file);
    service.append(file.replace('/fake/merged', ''), 'edited\n');
    return { status: 0 };
  };
  ui = renderUi(<App service={service} openEditor={openEditor} gate={new InputGate()} size={SIZE} schedulePreview={schedulePreview} />);
  return ui;
}

/** The tree row of `name` in a frame (the left pane of the line). */
const row = (frame: string, name: string) => frame.split('\n').find((l) => new RegExp(`\\s${name.replace('.', '\\.')}\\s`).test(l.slice(0, 55)))?.slice(0, 55) ?? '';

describe('App', () => {
  it('shows the header and the four article files with their provenance marks', async () => {
    const r = start(articleService());
    const f = await r.waitFor('upper.txt');
    expect(f).toContain('/fake/merged');
    expect(f).toMatch(/upper\s+\/fake\/upper/);
    expect(f).toMatch(/L0\s+\/fake\/lower/);
    expect(f).toContain('options: rw');
    expect(row(f, 'delete-me.txt')).toMatch(/L0\s+delete-me\.txt/);
    expect(row(f, 'duplicate.txt')).toMatch(/cp-up\s+duplicate\.txt/);
    expect(row(f, 'lower.txt')).toMatch(/L0\s+lower\.txt/);
    expect(row(f, 'upper.txt')).toMatch(/new\s+upper\.txt/);
    expect(f).toMatch(/\? all/); // the status bar's keys
  });

  it('paints a key before its input handler returns (flushed: no queued work runs first)', async () => {
    const r = start(articleService());
    await r.waitFor((f) => row(f, 'delete-me.txt').startsWith('>'));
    r.press('j');
    // No await: the frame with the moved cursor is already written.
    expect(row(r.lastFrame(), 'duplicate.txt')).toMatch(/^>/);
    r.press('k');
    expect(row(r.lastFrame(), 'delete-me.txt')).toMatch(/^>/);
  });

  it('moves with j/k and arrows, previews the file under the cursor, reading only what is shown', async () => {
    const svc = articleService();
    const r = start(svc);
    await r.waitFor('delete-me.txt: I live in the lower layer');
    r.press('j');
    await r.waitFor('duplicate.txt: I live in the upper layer');
    r.press(KEYS.down, 'k');
    await r.waitFor((f) => row(f, 'duplicate.txt').startsWith('>'));
    expect(Math.max(...svc.reads.map((x) => x.length))).toBeLessThanOrEqual(64 * 1024);
  });

  it('never shows one file\'s bytes under another\'s name, and reads nothing for rows passed quickly', async () => {
    const svc = articleService();
    // The test decides when the cursor has rested: a preview is read only when it says so.
    const { schedule, rest, pending } = manualPreview();
    const r = start(svc, [], schedule);
    await rest('/delete-me.txt');
    await r.waitFor('delete-me.txt: I live in the lower layer');
    const readsBefore = svc.reads.length;
    for (const name of ['duplicate.txt', 'lower.txt', 'upper.txt']) {
      r.press('j'); // one at a time, each painted: a person holding j, not one burst of input
      const moved = await r.waitFor((f) => row(f, name).startsWith('>'));
      // The pane follows the cursor at once: the new path, never the old file's text.
      expect(moved).not.toContain('delete-me.txt: I live in the lower layer');
    }
    expect(svc.reads.length - readsBefore).toBe(0); // rows passed: nothing read
    await rest('/upper.txt');
    expect([...pending.keys()]).toEqual(['/upper.txt']); // the rows passed were cancelled, unread
    await r.waitFor('upper.txt: I live in the upper layer');
    expect(svc.reads.length - readsBefore).toBe(1);
  });

  it('shows the first piece of a dir that is slow to read, then the rest', async () => {
    const svc = articleService();
    let release = () => {};
    svc.holdSecondPiece = new Promise<void>((r) => (release = r));
    const r = start(svc);
    // Name order: delete-me.txt and duplicate.txt come first, lower.txt and upper.txt second.
    const first = await r.waitFor((f) => row(f, 'duplicate.txt') !== '');
    expect(first).toContain('loading…');
    expect(row(first, 'upper.txt')).toBe('');
    release();
    const all = await r.waitFor((f) => row(f, 'upper.txt') !== '');
    expect(all).not.toContain('loading…');
  });

  it('a dir read again keeps its rows and the cursor until the whole new list is in', async () => {
    const svc = articleService();
    const r = start(svc);
    await r.waitFor('upper.txt');
    r.press('G'); // the last row: upper.txt, in the second piece
    await r.waitFor((f) => row(f, 'upper.txt').startsWith('>'));
    let release = () => {};
    svc.holdSecondPiece = new Promise<void>((res) => (release = res));
    const held = new Promise<void>((res) => (svc.onHold = res));
    r.press(KEYS.f5);
    await held; // the first piece of the new list is out; the rest waits
    await new Promise((res) => setImmediate(res)); // the loader's turn to show it, were it to
    await new Promise((res) => setImmediate(res));
    const during = await r.waitFor('loading…');
    expect(row(during, 'upper.txt').startsWith('>')).toBe(true); // not cut to the first piece
    release();
    const after = await r.waitFor((f) => !f.includes('loading…'));
    expect(row(after, 'upper.txt').startsWith('>')).toBe(true);
  });

  it('diffs a copied-up file against the lower version with d', async () => {
    const r = start(articleService());
    await r.waitFor('upper.txt');
    r.press('j', 'd');
    const f = await r.waitFor('+ duplicate.txt: I live in the upper layer');
    expect(f).toContain('- duplicate.txt: I live in the lower layer');
  });

  it('shows a change as it happens: the row turns into a whiteout ghost, the live panel lists it', async () => {
    const svc = articleService();
    const r = start(svc);
    await r.waitFor('upper.txt');
    await svc.remove('/delete-me.txt');
    const f = await r.waitFor((fr) => /del\s+delete-me\.txt/.test(row(fr, 'delete-me.txt')));
    expect(f).toMatch(/deleted\s+\/delete-me/);
  });

  it('says so on the status bar when the live feed cannot start, and browses on', async () => {
    const svc = articleService();
    svc.watchFailure = new SystemError({ errno: 24, syscall: 'inotify_init1', hint: 'raise fs.inotify.max_user_instances' });
    const r = start(svc);
    await r.waitFor((f) => f.includes('not watching: EMFILE') && f.includes('upper.txt'));
    r.press('j');
    await r.waitFor((f) => row(f, 'duplicate.txt').startsWith('>'));
  });

  it("says so when a dir cannot be watched (a limit reached), and keeps following the rest", async () => {
    const svc = articleService();
    const r = start(svc);
    await r.waitFor('upper.txt');
    await svc.whenWatched;
    svc.emit('/deep', 'unwatched', new SystemError({ errno: 28, syscall: 'inotify_add_watch', path: '/fake/upper/deep', hint: 'raise fs.inotify.max_user_watches' }));
    await r.waitFor('not watching /deep: ENOSPC');
    await svc.remove('/delete-me.txt');
    await r.waitFor((fr) => /del\s+delete-me\.txt/.test(row(fr, 'delete-me.txt')));
  });

  it('searches with / and edits with e: the edit lands in upper and the row shows cp-up', async () => {
    const svc = articleService();
    const edits: string[] = [];
    const r = start(svc, edits);
    await r.waitFor('upper.txt');
    r.press('/', 'lower.txt');
    await r.waitFor('/lower.txt█');
    r.press(KEYS.enter);
    await r.waitFor((f) => row(f, 'lower.txt').startsWith('>'));
    r.press('e');
    const f = await r.waitFor((fr) => /cp-up\s+lower\.txt/.test(row(fr, 'lower.txt')));
    expect(edits).toEqual(['/fake/merged/lower.txt']);
    expect(f).toContain('Edited /lower.txt');
    expect(svc.content.get('/lower.txt')?.toString()).toMatch(/edited\n$/);
  });

  it('n and N jump between matches', async () => {
    const r = start(articleService());
    await r.waitFor('upper.txt');
    r.press('/', 'e.txt', KEYS.enter);
    await r.waitFor((f) => row(f, 'delete-me.txt').startsWith('>'));
    r.press('n');
    await r.waitFor((f) => row(f, 'duplicate.txt').startsWith('>'));
    r.press('n'); // wraps: only delete-me.txt and duplicate.txt hold 'e.txt'
    await r.waitFor((f) => row(f, 'delete-me.txt').startsWith('>'));
    r.press('N');
    await r.waitFor((f) => row(f, 'duplicate.txt').startsWith('>'));
  });

  it('deletes after a confirmation, leaving a whiteout', async () => {
    const svc = articleService();
    const r = start(svc);
    await r.waitFor('upper.txt');
    r.press('x');
    await r.waitFor('Delete /delete-me.txt? (y/n)');
    r.press('y');
    await r.waitFor((f) => /del\s+delete-me\.txt/.test(row(f, 'delete-me.txt')));
  });

  it('creates a file and a dir, and renames', async () => {
    const svc = articleService();
    const r = start(svc);
    await r.waitFor('upper.txt');
    r.press('a', 'fresh.txt', KEYS.enter);
    await r.waitFor((f) => /new\s+fresh\.txt/.test(row(f, 'fresh.txt')));
    r.press('A', 'sub', KEYS.enter);
    await r.waitFor('sub/');
    r.press('G', 'r');
    await r.waitFor('rename to: upper.txt█');
    r.press(KEYS.backspace.repeat(3), 'md', KEYS.enter);
    await r.waitFor('upper.md');
    expect(svc.entries.has('/upper.txt')).toBe(false);
  });

  it('reverts a copied-up file to its lower version after a confirmation', async () => {
    const svc = articleService();
    const r = start(svc);
    await r.waitFor('upper.txt');
    r.press('j', 'R');
    await r.waitFor('Revert /duplicate.txt to its lower version?');
    r.press('y');
    await r.waitFor((f) => /L0\s+duplicate\.txt/.test(row(f, 'duplicate.txt')));
  });

  it('refuses revert on a mount it did not make, and writes in a read-only view', async () => {
    const svc = articleService();
    svc.header = { ...svc.header, canRevert: false, writable: false, mode: 'offline' };
    const r = start(svc);
    await r.waitFor('upper.txt');
    r.press('R', 'y');
    await r.waitFor('only for overlays ovl-tui mounted itself');
    r.press('e');
    await r.waitFor('Read-only view');
  });

  it('toggles changes only, ghosts, hidden files, and sorts by size', async () => {
    const svc = articleService();
    svc.add(entry('/.dot', { layer: 0 }), 'x');
    svc.add(entry('/big', { layer: 0 }), 'x'.repeat(5000));
    await svc.remove('/delete-me.txt');
    const r = start(svc);
    await r.waitFor('upper.txt');
    r.press('c');
    let f = await r.waitFor('changes only');
    expect(f).not.toMatch(/\slower\.txt/);
    r.press('c', 'w');
    f = await r.waitFor('ghosts off');
    expect(row(f, 'delete-me.txt')).toBe('');
    r.press('.');
    f = await r.waitFor('hidden off');
    expect(f).not.toContain('.dot');
    r.press('s', 's');
    f = await r.waitFor('sort:size');
    const lines = f.split('\n');
    expect(lines.findIndex((l) => row(l, 'big') !== '')).toBeLessThan(lines.findIndex((l) => row(l, 'duplicate.txt') !== ''));
  });

  it('filters names with f', async () => {
    const r = start(articleService());
    await r.waitFor('upper.txt');
    r.press('f', 'dup', KEYS.enter);
    const f = await r.waitFor('filter:dup');
    expect(row(f, 'lower.txt')).toBe('');
    expect(row(f, 'duplicate.txt')).not.toBe('');
  });

  it('opens and closes dirs with l/h and Enter', async () => {
    const svc = articleService();
    svc.add(entry('/etc', { type: 'dir' }));
    svc.add(entry('/etc/hosts'), 'localhost\n');
    const r = start(svc);
    await r.waitFor('▸ etc/');
    r.press('l');
    await r.waitFor('hosts');
    r.press('l');
    await r.waitFor((f) => row(f, 'hosts').startsWith('>'));
    r.press('h');
    await r.waitFor((f) => row(f, 'etc/').startsWith('>'));
    r.press(KEYS.enter);
    await r.waitFor((f) => !f.includes('hosts'));
  });

  it('renders only the rows on screen, and jumps with G, gg, PgDn', async () => {
    const svc = new FakeService();
    for (let i = 0; i < 5000; i++) svc.add(entry(`/f${String(i).padStart(5, '0')}`), '');
    const r = start(svc);
    const f = await r.waitFor('f00000');
    expect(f.split('\n').length).toBeLessThanOrEqual(SIZE.rows);
    expect(f).not.toContain('f00100');
    r.press('G');
    await r.waitFor((fr) => row(fr, 'f04999').startsWith('>'));
    r.press('g', 'g');
    await r.waitFor((fr) => row(fr, 'f00000').startsWith('>'));
    r.press(KEYS.pgdn);
    await r.waitFor('f00030');
  });

  it('shows every key with ? and closes the help with any key', async () => {
    const r = start(articleService());
    await r.waitFor('upper.txt');
    r.press('?');
    const f = await r.waitFor('Keys');
    expect(f).toContain('edit in $VISUAL/$EDITOR');
    expect(f).toContain('whiteout: deleted in upper');
    r.press(KEYS.esc);
    await r.waitFor('upper.txt');
  });

  it('shows binary files as hex', async () => {
    const svc = new FakeService();
    svc.add(entry('/bin'), '\x7fELF\0\0\x01');
    const r = start(svc);
    await r.waitFor('00000000  7f 45 4c 46 00 00 01');
  });
});
