// A copy-up that fills the upper layer, through ovl-tui in a real terminal: the upper is a
// 1 MiB tmpfs, the lower file 4 MiB. Renaming it in the app copies it up first and fails with
// ENOSPC: the status bar says so with core's hint, the app keeps running, and the layers are
// as they were (the lower file intact, nothing of it in upper or in the merged view).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { sys, unmount } from '@ovl/core';
import { describeMounting } from '../support/privileged.js';
import { overlayTargets, Tmux } from '../support/tmux.js';

let tmux: Tmux;
let base: string;

beforeEach(() => {
  tmux = new Tmux(200, 30);
  base = mkdtempSync(join(tmpdir(), 'ovl-tui-full-upper-'));
});
afterEach(async () => {
  tmux.kill();
  for (const t of overlayTargets().filter((t) => t.startsWith(`${base}/`)).reverse()) await unmount(t, { detach: true }).catch(() => undefined);
  try {
    sys.umount2(join(base, 'small'), sys.constants.MNT_DETACH);
  } catch {
    // not mounted
  }
  rmSync(base, { recursive: true, force: true });
});

describeMounting('ovl-tui with an upper layer that fills during a copy-up', () => {
  it('shows the ENOSPC with its hint, keeps running, and loses nothing', async () => {
    const big = randomBytes(4 << 20);
    const lower = join(base, 'lower');
    mkdirSync(lower);
    writeFileSync(join(lower, 'big.bin'), big);
    writeFileSync(join(lower, 'note.txt'), 'note\n');
    const small = join(base, 'small');
    mkdirSync(small);
    sys.mount('tmpfs', small, 'tmpfs', 0, 'size=1m');
    const [upper, work, merged] = [join(small, 'upper'), join(small, 'work'), join(base, 'merged')];
    for (const d of [upper, work, merged]) mkdirSync(d);

    tmux.start(['--lower', lower, '--upper', upper, '--work', work, '--mount', merged]);
    await tmux.waitFor(/L0\s+big\.bin/);
    tmux.type('/big');
    tmux.keys('Enter', 'r');
    await tmux.waitFor('rename to: big.bin');
    tmux.type('.moved');
    tmux.keys('Enter');
    const screen = await tmux.waitFor('ENOSPC');
    expect(screen).toContain(`rename /big.bin: ENOSPC: no space left on device, rename '${merged}/big.bin'`);
    expect(screen).toContain('No room in the upper layer');

    // still running: it moves, reads the other file and quits cleanly
    tmux.type('/note');
    tmux.keys('Enter');
    expect(await tmux.waitFor(/2\/2\s+sort:name\s+\/note\.txt/)).toMatch(/> L0\s+note\.txt\s+5B/);
    expect(readFileSync(join(lower, 'big.bin')).equals(big)).toBe(true);
    expect(readdirSync(upper)).toEqual([]);
    expect(readdirSync(merged).sort()).toEqual(['big.bin', 'note.txt']);
    expect(readFileSync(join(merged, 'big.bin')).equals(big)).toBe(true);
    tmux.keys('q');
    await tmux.waitFor('EXIT=0');
    expect(overlayTargets()).not.toContain(merged);
  });
});
