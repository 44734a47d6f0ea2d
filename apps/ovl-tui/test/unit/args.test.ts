// Argument parsing: every way to start ovl-tui, and the mistakes that must end in a usage message.
import { describe, expect, it } from 'vitest';
import { needsRoot } from '../../src/cli/args.js';
import { error, ok } from '../support/parse-command.js';

describe('parseCommand', () => {
  it('attaches to a merged dir', () => {
    expect(ok(['/run/merged'])).toEqual({ kind: 'attach', merged: '/run/merged', json: false });
  });

  it('mounts with layer flags, keeping the lower order', () => {
    expect(ok(['--lower', 'A', '--lower', 'B', '--upper', 'U', '--work', 'W', '--mount', 'M', '--keep'])).toEqual({
      kind: 'mount', lower: ['A', 'B'], upper: 'U', work: 'W', target: 'M', keep: true, json: false,
    });
    expect(ok(['--lower', 'A', '--mount', 'M'])).toEqual({ kind: 'mount', lower: ['A'], target: 'M', keep: false, json: false });
  });

  it('opens layers offline without --mount', () => {
    expect(ok(['--lower', 'A', '--upper', 'U'])).toEqual({ kind: 'offline', lower: ['A'], upper: 'U', json: false });
  });

  it('knows --demo, --help, --version and --json', () => {
    expect(ok(['--demo'])).toEqual({ kind: 'demo' });
    expect(ok(['--help'])).toEqual({ kind: 'help' });
    expect(ok(['-h'])).toEqual({ kind: 'help' });
    expect(ok(['--version'])).toEqual({ kind: 'version' });
    expect(ok(['--json', '/m'])).toEqual({ kind: 'attach', merged: '/m', json: true });
    expect(ok(['--json', '--lower', 'A'])).toMatchObject({ kind: 'offline', json: true });
  });

  it.each([
    [['--json'], /--json needs something to print/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['a', 'b'], /one merged dir/],
    [['/m', '--lower', 'A'], /either a merged dir or layer flags/],
    [['--upper', 'U', '--work', 'W', '--mount', 'M'], /--mount needs at least one --lower/],
    [['--lower', 'A', '--upper', 'U', '--mount', 'M'], /--upper and --work go together/],
    [['--lower', 'A', '--work', 'W'], /--work is only used with --mount/],
    [['--lower', 'A', '--keep'], /--keep is only used with --mount/],
    [['--demo', '/m'], /--demo takes no other arguments/],
    [['--lower'], /argument missing/],
    [['--lower', ''], /empty string/],
  ])('refuses %j', (argv, message) => {
    expect(error(argv as string[])).toMatch(message as RegExp);
  });

  it('knows which commands need root', () => {
    expect(needsRoot(ok(['--demo']))).toBe(true);
    expect(needsRoot(ok(['--lower', 'A', '--mount', 'M']))).toBe(true);
    expect(needsRoot(ok(['--lower', 'A']))).toBe(false);
    expect(needsRoot(ok(['/m']))).toBe(false);
  });
});

describe('--cleanup', () => {
  it('stands alone and needs root', () => {
    expect(ok(['--cleanup'])).toEqual({ kind: 'cleanup' });
    expect(needsRoot(ok(['--cleanup']))).toBe(true);
    expect(error(['--cleanup', '/m'])).toMatch(/--cleanup takes no other arguments/);
    expect(error(['--cleanup', '--json'])).toMatch(/--cleanup takes no other arguments/);
  });
});
