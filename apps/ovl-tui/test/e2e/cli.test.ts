// The ovl-tui command as scripts see it: help, version, usage errors (exit 2, no stack trace),
// the root check, --json, and refusals that explain themselves.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeMounting } from '../support/privileged.js';
import { CLI, overlayTargets } from '../support/tmux.js';

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'ovl-tui-cli-'));
  mkdirSync(join(base, 'lower'));
  mkdirSync(join(base, 'upper'));
  writeFileSync(join(base, 'lower', 'lower.txt'), 'l\n');
  writeFileSync(join(base, 'lower', 'both.txt'), 'l\n');
  writeFileSync(join(base, 'upper', 'both.txt'), 'u\n');
  writeFileSync(join(base, 'upper', 'upper.txt'), 'u\n');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

// Run as users run it: the program itself, through its shebang (node with the startup V8 flags).
// `asNonRoot`: in a user namespace of its own, where it is uid 65534 with no capabilities in
// the machine's namespace — yet still reads the checkout as its owner, so the test works
// wherever the checkout lives (under /root, in a 0700 temp dir), which running as the
// nobody user cannot.
function cli(args: string[], opts: { asNonRoot?: boolean } = {}) {
  const [cmd, argv] = opts.asNonRoot ? ['unshare', ['--user', '--', CLI, ...args]] : [CLI, args];
  return spawnSync(cmd, argv as string[], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('ovl-tui command line', () => {
  it('--help prints the usage', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ovl-tui --demo');
    expect(r.stdout).toContain('--keep');
  });

  it('--version prints the version', () => {
    expect(cli(['--version']).stdout).toMatch(/^ovl-tui \d+\.\d+\.\d+\n$/);
  });

  it.each([[['--nope']], [['a', 'b']], [['--lower', 'A', '--keep']], [['--json']]])('bad arguments %j: usage on stderr, exit 2, no stack trace', (args) => {
    const r = cli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ovl-tui: /);
    expect(r.stderr).toContain('Usage:');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('--json prints the offline merged tree with provenance and the changes', () => {
    const r = cli(['--json', '--lower', join(base, 'lower'), '--upper', join(base, 'upper')]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.mode).toBe('offline');
    expect(out.entries.map((e: { path: string; layer: unknown }) => [e.path, e.layer])).toEqual([['/both.txt', 'upper'], ['/lower.txt', 0], ['/upper.txt', 'upper']]);
    expect(out.changes).toEqual(expect.arrayContaining([{ path: '/both.txt', kind: 'C' }, { path: '/upper.txt', kind: 'A' }]));
  });

  it('explains a dir that is not an overlay, without a stack trace, with a hint in its own flags', () => {
    for (const args of [['--json', base], [base]]) {
      const r = cli(args);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/not the mount point of an overlay/);
      expect(r.stderr).toMatch(/hint: .*--lower DIR \[--upper DIR\]/);
      expect(r.stderr).not.toMatch(/openOverlay/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('says what is wrong with a path before asking for a terminal: missing, a file, given twice', () => {
    const file = join(base, 'lower', 'lower.txt');
    const cases: Array<[string[], RegExp]> = [
      [[join(base, 'nonexistent')], /'.*nonexistent' does not exist/],
      [['--lower', join(base, 'nope')], /--lower '.*nope' does not exist/],
      [['--lower', file], /--lower '.*lower\.txt' is a file, not a directory/],
      [['--lower', join(base, 'lower'), '--upper', join(base, 'lower')], /is given twice \(--lower and --upper\)/],
      [['--json', '--lower', join(base, 'lower'), '--lower', `${join(base, 'lower')}/`], /is given twice \(--lower and --lower\)/],
    ];
    for (const [args, message] of cases) {
      const r = cli(args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/needs a terminal/);
      expect(r.stderr).toContain('hint:');
    }
  });

  it('needs a terminal for the app', () => {
    const r = cli(['--lower', join(base, 'lower')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--json');
  });

  it('says in one sentence that mounting needs root and the offline view does not', () => {
    const r = cli(['--demo'], { asNonRoot: true });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/needs root.*offline view works without it/);
  });
});

describeMounting('ovl-tui --json on a mount', () => {
  it('mounts, prints and unmounts', () => {
    const before = overlayTargets();
    mkdirSync(join(base, 'work'));
    mkdirSync(join(base, 'merged'));
    const r = cli(['--json', '--lower', join(base, 'lower'), '--upper', join(base, 'upper'), '--work', join(base, 'work'), '--mount', join(base, 'merged')]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.mode).toBe('mounted');
    expect(out.options).toHaveProperty('rw');
    expect(out.entries.find((e: { path: string }) => e.path === '/both.txt')).toMatchObject({ layer: 'upper', copiedUp: true, shadows: [0] });
    expect(overlayTargets()).toEqual(before);
  });
});
