// The reducer, one action per case: each test starts from a small known state and applies one action.
import { describe, expect, it } from 'vitest';
import { reducer } from '../../src/state/reducer.js';
import { initialState, MAX_EVENTS, type Action, type State } from '../../src/state/state.js';
import { entry } from '../support/fake-service.js';

const ROOT = [
  entry('/etc', { type: 'dir' }),
  entry('/b.txt', { size: 10 }),
  entry('/a.txt', { size: 300 }),
  entry('/.hidden', { size: 1 }),
  entry('/gone.txt', { type: 'whiteout', layer: 'upper', shadows: [0] }),
];
const ETC = [entry('/etc/hosts', { layer: 'upper', copiedUp: true, shadows: [0] }), entry('/etc/passwd')];

function run(s: State, ...actions: Action[]): State {
  return actions.reduce(reducer, s);
}

/** Root loaded, ten-row viewport, cursor on the first row. */
function loaded(height = 10): State {
  return run(initialState(height), { type: 'dir.loaded', path: '/', entries: ROOT });
}

const names = (s: State) => [...s.rows].map((r) => r.entry.name);
const at = (s: State) => s.rows.at(s.cursor)?.entry.path;

describe('reducer', () => {
  it('dir.loading marks a dir as being read', () => {
    const s = reducer(initialState(), { type: 'dir.loading', path: '/' });
    expect(s.dirs.get('/')?.status).toBe('loading');
  });

  it('dir.loaded sorts dirs first, then by name, and builds rows', () => {
    expect(names(loaded())).toEqual(['etc', '.hidden', 'a.txt', 'b.txt', 'gone.txt']);
  });

  it('dir.partial shows the pieces read so far and keeps the dir loading (live patches wait)', () => {
    const s = run(initialState(), { type: 'dir.loading', path: '/' }, { type: 'dir.partial', path: '/', entries: [entry('/b.txt'), entry('/etc', { type: 'dir' })] });
    expect(names(s)).toEqual(['etc', 'b.txt']);
    expect(s.dirs.get('/')?.status).toBe('loading');
    const patched = reducer(s, { type: 'events.received', events: [], updates: [{ path: '/new.txt', entry: entry('/new.txt') }] });
    expect(names(patched)).toEqual(['etc', 'b.txt']);
    expect(names(reducer(s, { type: 'dir.loaded', path: '/', entries: [entry('/b.txt'), entry('/etc', { type: 'dir' }), entry('/c.txt')] }))).toEqual(['etc', 'b.txt', 'c.txt']);
  });

  it('dir.failed records the error and says so on the status bar', () => {
    const s = reducer(initialState(), { type: 'dir.failed', path: '/', error: 'EACCES' });
    expect(s.dirs.get('/')?.status).toBe('error');
    expect(s.message).toEqual({ text: '/: EACCES', error: true });
  });

  it('changes.loaded fills the change sets with the dirs above each change', () => {
    const s = reducer(loaded(), { type: 'changes.loaded', changes: [{ path: '/etc/hosts', kind: 'C' }] });
    expect(s.sets.changed.get('/etc/hosts')).toBe('C');
    expect(s.sets.ancestors.has('/etc')).toBe(true);
  });

  it('events.received patches the tree in place and keeps the events newest first', () => {
    const s0 = run(loaded(), { type: 'cursor.to', path: '/b.txt' });
    const s = reducer(s0, {
      type: 'events.received',
      events: [{ path: '/a.txt', kind: 'deleted', time: 1 }, { path: '/new.txt', kind: 'added', time: 2 }],
      updates: [
        { path: '/a.txt', entry: entry('/a.txt', { type: 'whiteout', layer: 'upper', shadows: [0] }) },
        { path: '/new.txt', entry: entry('/new.txt', { layer: 'upper' }) },
      ],
    });
    expect(s.events.map((e) => e.path)).toEqual(['/new.txt', '/a.txt']);
    expect([...s.rows].find((r) => r.entry.name === 'a.txt')?.entry.type).toBe('whiteout');
    expect(names(s)).toContain('new.txt');
    expect(at(s)).toBe('/b.txt'); // the cursor stays on its row
    expect(s.sets.changed.get('/a.txt')).toBe('D');
    expect(s.sets.changed.get('/new.txt')).toBe('A');
  });

  it('events.received keeps at most MAX_EVENTS events', () => {
    const events = Array.from({ length: MAX_EVENTS + 5 }, (_, i) => ({ path: `/f${i}`, kind: 'added' as const, time: i }));
    expect(reducer(loaded(), { type: 'events.received', events, updates: [] }).events).toHaveLength(MAX_EVENTS);
  });

  it('tree.reload keeps open dirs (marked for reading) and drops closed ones', () => {
    const s0 = run(loaded(), { type: 'dir.loaded', path: '/etc', entries: ETC });
    const s = reducer(s0, { type: 'tree.reload' });
    expect(s.dirs.get('/')?.status).toBe('loading');
    expect(s.dirs.get('/')?.entries).toHaveLength(ROOT.length);
    expect(s.dirs.has('/etc')).toBe(false);
    expect(s.generation).toBe(s0.generation + 1);
  });

  it('viewport.resized keeps the cursor on screen', () => {
    const s0 = run(loaded(), { type: 'cursor.bottom' });
    const s = reducer(s0, { type: 'viewport.resized', height: 2 });
    expect(s.cursor).toBeGreaterThanOrEqual(s.scroll);
    expect(s.cursor).toBeLessThan(s.scroll + 2);
  });

  it('cursor.move moves and stops at the ends', () => {
    expect(at(reducer(loaded(), { type: 'cursor.move', delta: 2 }))).toBe('/a.txt');
    expect(reducer(loaded(), { type: 'cursor.move', delta: -5 }).cursor).toBe(0);
    expect(reducer(loaded(), { type: 'cursor.move', delta: 50 }).cursor).toBe(4);
  });

  it('cursor.page moves a screenful and scrolls with it', () => {
    const many = Array.from({ length: 100 }, (_, i) => entry(`/f${String(i).padStart(3, '0')}`));
    const s0 = run(initialState(10), { type: 'dir.loaded', path: '/', entries: many });
    const s = reducer(s0, { type: 'cursor.page', direction: 1 });
    expect(s.cursor).toBe(10);
    expect(s.scroll).toBeGreaterThan(0);
  });

  it('cursor.top goes to the first row', () => {
    expect(reducer(run(loaded(), { type: 'cursor.bottom' }), { type: 'cursor.top' }).cursor).toBe(0);
  });

  it('cursor.bottom goes to the last row', () => {
    expect(at(reducer(loaded(), { type: 'cursor.bottom' }))).toBe('/gone.txt');
  });

  it('cursor.to jumps to a path', () => {
    expect(at(reducer(loaded(), { type: 'cursor.to', path: '/b.txt' }))).toBe('/b.txt');
  });

  it('tree.open expands a dir (its rows come when it is loaded)', () => {
    const s = reducer(loaded(), { type: 'tree.open' });
    expect(s.expanded.has('/etc')).toBe(true);
    const withKids = reducer(s, { type: 'dir.loaded', path: '/etc', entries: ETC });
    expect(names(withKids).slice(0, 3)).toEqual(['etc', 'hosts', 'passwd']);
    expect(withKids.rows.at(1)?.depth).toBe(1);
  });

  it('tree.open on a file shows its preview', () => {
    const s = reducer(run(loaded(), { type: 'panel.set', panel: 'diff' }, { type: 'cursor.to', path: '/a.txt' }), { type: 'tree.open' });
    expect(s.panel).toBe('preview');
  });

  it('tree.close collapses an open dir, or goes to the parent', () => {
    const open = run(loaded(), { type: 'tree.open' }, { type: 'dir.loaded', path: '/etc', entries: ETC });
    expect(reducer(open, { type: 'tree.close' }).expanded.has('/etc')).toBe(false);
    const inside = run(open, { type: 'cursor.to', path: '/etc/passwd' });
    expect(at(reducer(inside, { type: 'tree.close' }))).toBe('/etc');
  });

  it('tree.toggle opens a closed dir and closes an open one', () => {
    const open = reducer(loaded(), { type: 'tree.toggle' });
    expect(open.expanded.has('/etc')).toBe(true);
    expect(reducer(open, { type: 'tree.toggle' }).expanded.has('/etc')).toBe(false);
  });

  it('option.toggle ghosts hides and shows whiteout rows', () => {
    const s = reducer(loaded(), { type: 'option.toggle', option: 'ghosts' });
    expect(names(s)).not.toContain('gone.txt');
  });

  it('option.toggle hidden hides dot files', () => {
    expect(names(reducer(loaded(), { type: 'option.toggle', option: 'hidden' }))).not.toContain('.hidden');
  });

  it('option.toggle changesOnly shows only changed paths and the dirs above them', () => {
    const s0 = run(loaded(), { type: 'changes.loaded', changes: [{ path: '/etc/hosts', kind: 'C' }, { path: '/gone.txt', kind: 'D' }] });
    expect(names(reducer(s0, { type: 'option.toggle', option: 'changesOnly' }))).toEqual(['etc', 'gone.txt']);
  });

  it('sort.set size puts the biggest files first (dirs still first)', () => {
    expect(names(reducer(loaded(), { type: 'sort.set', key: 'size' })).slice(0, 3)).toEqual(['etc', 'a.txt', 'b.txt']);
  });

  it('panel.set switches the right-hand pane', () => {
    expect(reducer(loaded(), { type: 'panel.set', panel: 'diff' }).panel).toBe('diff');
  });

  it('help.toggle opens and closes the help screen', () => {
    const s = reducer(loaded(), { type: 'help.toggle' });
    expect(s.mode.kind).toBe('help');
    expect(reducer(s, { type: 'help.toggle' }).mode.kind).toBe('normal');
  });

  it('prompt.open starts a prompt on the current row', () => {
    const s = reducer(run(loaded(), { type: 'cursor.to', path: '/a.txt' }), { type: 'prompt.open', prompt: 'rename', text: 'a.txt' });
    expect(s.mode).toEqual({ kind: 'prompt', prompt: 'rename', text: 'a.txt', origin: 2, path: '/a.txt' });
  });

  it('prompt.edit in a search jumps to the first match as you type', () => {
    const s = reducer(run(loaded(), { type: 'prompt.open', prompt: 'search' }), { type: 'prompt.edit', text: 'B.T' });
    expect(at(s)).toBe('/b.txt');
  });

  it('prompt.submit of a search remembers the query; of a filter, applies it', () => {
    const searched = reducer(run(loaded(), { type: 'prompt.open', prompt: 'search' }, { type: 'prompt.edit', text: 'TXT' }), { type: 'prompt.submit' });
    expect(searched.query).toBe('txt');
    expect(searched.mode.kind).toBe('normal');
    const filtered = reducer(run(loaded(), { type: 'prompt.open', prompt: 'filter' }, { type: 'prompt.edit', text: 'a.' }), { type: 'prompt.submit' });
    expect(names(filtered)).toEqual(['etc', 'a.txt']);
  });

  it('prompt.cancel closes the prompt and puts the cursor back', () => {
    const s = reducer(run(loaded(), { type: 'prompt.open', prompt: 'search' }, { type: 'prompt.edit', text: 'gone' }), { type: 'prompt.cancel' });
    expect(s.mode.kind).toBe('normal');
    expect(s.cursor).toBe(0);
  });

  it('search.next and previous wrap around the matches', () => {
    const s0 = run(loaded(), { type: 'prompt.open', prompt: 'search' }, { type: 'prompt.edit', text: '.txt' }, { type: 'prompt.submit' });
    expect(at(s0)).toBe('/a.txt');
    const next = reducer(s0, { type: 'search.next', direction: 1 });
    expect(at(next)).toBe('/b.txt');
    expect(at(reducer(s0, { type: 'search.next', direction: -1 }))).toBe('/gone.txt');
    expect(reducer(loaded(), { type: 'search.next', direction: 1 }).message?.text).toMatch(/press \//);
  });

  it('confirm.open asks about the current row', () => {
    const s = reducer(run(loaded(), { type: 'cursor.to', path: '/b.txt' }), { type: 'confirm.open', confirm: 'delete' });
    expect(s.mode).toEqual({ kind: 'confirm', confirm: 'delete', path: '/b.txt' });
  });

  it('keys.pending records an unfinished key sequence', () => {
    expect(reducer(loaded(), { type: 'keys.pending', pending: ['g'] }).pending).toEqual(['g']);
  });

  it('message.show sets the status message', () => {
    expect(reducer(loaded(), { type: 'message.show', text: 'hi' }).message).toEqual({ text: 'hi', error: false });
  });

  it('editor.suspend hands the screen to the editor', () => {
    expect(reducer(loaded(), { type: 'editor.suspend', path: '/a.txt' }).mode).toEqual({ kind: 'suspended', path: '/a.txt' });
  });

  it('editor.resume takes it back', () => {
    expect(run(loaded(), { type: 'editor.suspend', path: '/a.txt' }, { type: 'editor.resume' }).mode.kind).toBe('normal');
  });
});
