// ovl-tui on a generated layer stack, in tmux: mounted with --lower/--upper/--work/--mount
// (every provenance mark on screen, dirs opened, unmounted on quit, or kept with --keep),
// and the same layers offline (no root), with and without colour.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sys, unmount } from '@ovl/core';
import { describeMounting, isPrivileged } from '../support/privileged.js';
import { overlayTargets, Tmux } from '../support/tmux.js';

let tmux: Tmux;
let base: string;

interface Stack {
  lower: string[];
  upper: string;
  work: string;
  merged: string;
}

/**
 * lower1 (bottom): etc/group, etc/hosts, etc/old.conf, data/a;  lower0: etc/passwd, data/x;
 * upper: etc/hosts (copied up), etc/old.conf deleted (whiteout), data/ opaque with data/b, new.txt.
 */
function makeStack(withWhiteouts: boolean): Stack {
  const mk = (p: string, content?: string) => {
    const abs = join(base, p);
    if (content === undefined) mkdirSync(abs, { recursive: true });
    else writeFileSync(abs, content);
  };
  for (const d of ['l1/etc', 'l1/data', 'l0/etc', 'l0/data', 'u/etc', 'u/data', 'w', 'm']) mk(d);
  mk('l1/etc/group', 'root:x:0:\n');
  mk('l1/etc/hosts', '127.0.0.1 localhost\n');
  mk('l1/etc/old.conf', 'old\n');
  mk('l1/data/a', 'a\n');
  mk('l0/etc/passwd', 'root:x:0:0::/root:/bin/sh\n');
  mk('l0/data/x', 'x\n');
  mk('u/etc/hosts', '127.0.0.1 localhost\n10.0.0.1 db\n');
  mk('u/data/b', 'b\n');
  mk('u/new.txt', 'new\n');
  if (withWhiteouts) {
    sys.mknod(join(base, 'u/etc/old.conf'), sys.constants.S_IFCHR, 0, 0);
    sys.lsetxattr(join(base, 'u/data'), 'trusted.overlay.opaque', 'y', 0);
  }
  return { lower: [join(base, 'l0'), join(base, 'l1')], upper: join(base, 'u'), work: join(base, 'w'), merged: join(base, 'm') };
}

const layerFlags = (s: Stack) => [...s.lower.flatMap((l) => ['--lower', l]), '--upper', s.upper];

beforeEach(() => {
  tmux = new Tmux(130, 40);
  base = mkdtempSync(join(tmpdir(), 'ovl-tui-stack-'));
});
afterEach(() => {
  tmux.kill();
  rmSync(base, { recursive: true, force: true });
});

describeMounting('a generated stack mounted by ovl-tui', () => {
  it('shows every mark, opens dirs, and unmounts on q', async () => {
    const before = overlayTargets();
    const s = makeStack(true);
    tmux.start([...layerFlags(s), '--work', s.work, '--mount', s.merged]);
    let screen = await tmux.waitFor(/new\s+new\.txt/);
    expect(screen).toContain(`ovl-tui  ${s.merged}  [mounted]`);
    expect(screen).toMatch(/L0\s+\S+\/l0$/m);
    expect(screen).toMatch(/L1\s+\S+\/l1$/m);
    expect(screen).toMatch(/opaq\s+▸ data\//);
    expect(overlayTargets()).toContain(s.merged);

    tmux.type('/etc');
    tmux.keys('Enter', 'l');
    screen = await tmux.waitFor(/cp-up\s+hosts/);
    expect(screen).toMatch(/L1\s+group/);
    expect(screen).toMatch(/del\s+old\.conf/);
    expect(screen).toMatch(/L0\s+passwd/);

    // The diff of the copied-up hosts against lower 1's.
    tmux.type('/hosts');
    tmux.keys('Enter', 'd');
    screen = await tmux.waitFor('+ 10.0.0.1 db');
    expect(screen).toContain('  127.0.0.1 localhost');

    tmux.type('q');
    await tmux.waitFor('EXIT=0');
    expect(overlayTargets()).toEqual(before);
  });

  it('leaves the overlay mounted with --keep', async () => {
    const s = makeStack(false);
    tmux.start([...layerFlags(s), '--work', s.work, '--mount', s.merged, '--keep']);
    await tmux.waitFor(/new\s+new\.txt/);
    tmux.type('q');
    await tmux.waitFor('EXIT=0');
    try {
      expect(overlayTargets()).toContain(s.merged);
    } finally {
      await unmount(s.merged);
    }
  });

  it('attaches to an overlay mounted by someone else, without revert', async () => {
    const s = makeStack(false);
    const { mountOverlay } = await import('@ovl/core');
    const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged });
    try {
      tmux.start([s.merged]);
      await tmux.waitFor(/\[attached\][\s\S]*new\s+new\.txt/);
      tmux.type('/new.txt');
      tmux.keys('Enter', 'R');
      await tmux.waitFor('Revert /new.txt');
      tmux.type('y');
      await tmux.waitFor('only for overlays ovl-tui mounted itself');
      tmux.type('q');
      await tmux.waitFor('EXIT=0');
      expect(overlayTargets()).toContain(s.merged);
    } finally {
      await m.unmount();
    }
  });
});

describe('the offline view in tmux (no root needed)', () => {
  it('shows the layers read-only, with marks readable without colour', async () => {
    const s = makeStack(isPrivileged);
    tmux.start(layerFlags(s), { NO_COLOR: '1' });
    const screen = await tmux.waitFor(/new\s+new\.txt/);
    expect(screen).toContain('read-only');
    expect(screen).toMatch(/options: \(none: not mounted\)/);
    expect(screen).toMatch(/cp-up\s+▸ etc\//);
    // No colour escapes (SGR 30-37, 90-97, 38;...) anywhere on screen.
    expect(tmux.capture(true)).not.toMatch(/\x1b\[[0-9;]*\b(3[0-8]|9[0-7])[;m]/);
    tmux.type('e');
    await tmux.waitFor('Read-only view');
    tmux.type('q');
    await tmux.waitFor('EXIT=0');
  });

  it('uses colour when NO_COLOR is not set', async () => {
    const s = makeStack(false);
    tmux.start(layerFlags(s), { NO_COLOR: '' });
    await tmux.waitFor(/new\s+new\.txt/);
    expect(tmux.capture(true)).toMatch(/\x1b\[[0-9;]*(3[0-7]|9[0-7])m/);
    tmux.type('q');
    await tmux.waitFor('EXIT=0');
  });
});
