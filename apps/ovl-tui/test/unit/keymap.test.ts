// The key table and key decoding: sequences, F-keys, and the rule that nothing needs Ctrl.
import { describe, expect, it } from 'vitest';
import { decodeKeys, isPrintable } from '../../src/state/keys.js';
import { KEYMAP, keyLabel, resolveKey } from '../../src/state/keymap.js';

describe('key table', () => {
  it('every command has a binding without Ctrl', () => {
    for (const b of KEYMAP) expect(b.keys.some((k) => !k.startsWith('C-')), b.id).toBe(true);
  });

  it('no key is bound twice', () => {
    const keys = KEYMAP.flatMap((b) => b.keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('has the keys file-manager users expect', () => {
    const keysOf = (id: string) => KEYMAP.find((b) => b.id === id)!.keys;
    expect(keysOf('nav.down')).toEqual(expect.arrayContaining(['j', '<down>']));
    expect(keysOf('nav.top')).toContain('g g');
    expect(keysOf('nav.bottom')).toContain('G');
    expect(keysOf('nav.pageDown')).toContain('<pgdn>');
    expect(keysOf('nav.toggle')).toContain('<enter>');
    expect(keysOf('app.quit')).toContain('q');
    expect(keysOf('file.edit')).toEqual(expect.arrayContaining(['e', '<f4>']));
  });

  it('resolves sequences: g then g is the top, g then j moves down', () => {
    const g = resolveKey([], 'g');
    expect(g).toEqual({ pending: ['g'] });
    expect(resolveKey(g.pending, 'g')).toEqual({ command: 'nav.top', pending: [] });
    expect(resolveKey(g.pending, 'j')).toEqual({ command: 'nav.down', pending: [] });
    expect(resolveKey([], 'Z')).toEqual({ pending: [] });
  });

  it('labels keys for help', () => {
    expect(keyLabel('g g')).toBe('gg');
    expect(keyLabel('<f4>')).toBe('F4');
    expect(keyLabel('C-r')).toBe('Ctrl-r');
  });
});

describe('decodeKeys', () => {
  it('decodes arrows, paging, home/end and F-keys in their common forms', () => {
    expect(decodeKeys('\x1b[A')).toEqual(['<up>']);
    expect(decodeKeys('\x1bOB')).toEqual(['<down>']);
    expect(decodeKeys('\x1b[5~')).toEqual(['<pgup>']);
    expect(decodeKeys('\x1b[6~')).toEqual(['<pgdn>']);
    expect(decodeKeys('\x1b[H')).toEqual(['<home>']);
    expect(decodeKeys('\x1b[4~')).toEqual(['<end>']);
    expect(decodeKeys('\x1bOP')).toEqual(['<f1>']);
    expect(decodeKeys('\x1b[14~')).toEqual(['<f4>']);
    expect(decodeKeys('\x1b[[A')).toEqual(['<f1>']);
    expect(decodeKeys('\x1b[3~')).toEqual(['<delete>']);
  });

  it('splits typed text into keys and names control keys', () => {
    expect(decodeKeys('gg')).toEqual(['g', 'g']);
    expect(decodeKeys('\r')).toEqual(['<enter>']);
    expect(decodeKeys('\x7f')).toEqual(['<backspace>']);
    expect(decodeKeys('\x12')).toEqual(['C-r']);
    expect(decodeKeys('\x1b')).toEqual(['<esc>']);
  });

  it('knows what types into a prompt', () => {
    expect(isPrintable('a')).toBe(true);
    expect(isPrintable('<up>')).toBe(false);
    expect(isPrintable('C-r')).toBe(false);
  });
});
