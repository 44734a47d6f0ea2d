// `ovl-tui --demo` in a real terminal (tmux): the article's steps, done from outside and from
// inside, show up on screen; quitting (q or SIGTERM) restores the screen and leaves no mount.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeMounting } from '../support/privileged.js';
import { overlayTargets, Tmux } from '../support/tmux.js';

let tmux: Tmux;
let scratch: string;
let before: string[];

/** A scripted $EDITOR: appends a line to the file it is given. */
function scriptedEditor(): string {
  const script = join(scratch, 'append-editor.sh');
  writeFileSync(script, '#!/bin/sh\necho "edited from ovl-tui" >> "$1"\n');
  chmodSync(script, 0o755);
  return script;
}

async function startDemo(env: Record<string, string> = {}) {
  tmux.start(['--demo'], env);
  const screen = await tmux.waitFor(/new\s+upper\.txt/);
  const merged = /(\/\S+\/ovl-tui-demo-\w+\/merged)/.exec(screen)?.[1];
  if (!merged) throw new Error(`no merged path on screen:\n${screen}`);
  return { merged, base: merged.slice(0, -'/merged'.length) };
}

async function waitUntil(ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describeMounting('ovl-tui --demo in tmux', () => {
  beforeEach(() => {
    tmux = new Tmux(140, 40);
    scratch = mkdtempSync(join(tmpdir(), 'ovl-tui-e2e-'));
    before = overlayTargets();
  });
  afterEach(async () => {
    // Killing the server hangs up on ovl-tui, which then unmounts: wait for that, so a failed
    // test cannot leave its mount to the next one.
    tmux.kill();
    rmSync(scratch, { recursive: true, force: true });
    await waitUntil(() => overlayTargets().length === before.length);
  });

  it('shows the article, follows changes live, edits through $EDITOR, and leaves nothing behind on q', async () => {
    const { merged, base } = await startDemo({ EDITOR: scriptedEditor(), VISUAL: '' });
    let screen = tmux.capture();
    // The four files with their marks, the merged path and the invitation.
    expect(screen).toMatch(/L0\s+delete-me\.txt/);
    expect(screen).toMatch(/cp-up\s+duplicate\.txt/);
    expect(screen).toMatch(/L0\s+lower\.txt/);
    expect(screen).toMatch(/new\s+upper\.txt/);
    expect(screen).toContain(`rm ${merged}/delete-me.txt`);
    expect(screen).toContain(`echo changed >> ${merged}/lower.txt`);
    expect(overlayTargets()).toContain(merged);

    // Another process deletes through merged: the row turns into a whiteout ghost.
    rmSync(join(merged, 'delete-me.txt'));
    screen = await tmux.waitFor(/del\s+delete-me\.txt/);
    expect(screen).toMatch(/deleted\s+\/delete-me\.txt/);

    // Another process writes a file into merged: the live panel shows it. How soon is printed,
    // not asserted: on a loaded machine the watch, the frame and tmux's capture can take more
    // than the second a quiet one needs (timing assertions do not belong in tests).
    const t0 = Date.now();
    writeFileSync(join(merged, 'from-outside.txt'), 'hello\n');
    await tmux.waitFor(/added\s+\/from-outside\.txt/);
    console.log(`demo: a write from outside shown after ${Date.now() - t0} ms (as tmux's capture saw it)`);

    // Search, then edit with the scripted editor: the change lands in upper, lower keeps its file.
    tmux.type('/lower.txt');
    tmux.keys('Enter');
    await tmux.waitFor(/>\s+L0\s+lower\.txt/);
    await tmux.waitFor('lower.txt: I live in the lower layer'); // previewed...
    expect(existsSync(join(base, 'upper', 'lower.txt'))).toBe(false); // ...without a copy-up
    tmux.type('e');
    screen = await tmux.waitFor(/cp-up\s+lower\.txt/);
    expect(screen).toContain('Edited /lower.txt');
    expect(readFileSync(join(base, 'upper', 'lower.txt'), 'utf8')).toMatch(/edited from ovl-tui\n$/);
    expect(readFileSync(join(base, 'lower', 'lower.txt'), 'utf8')).not.toContain('edited');
    await tmux.waitFor(/copied-up\s+\/lower\.txt/);

    tmux.type('q');
    screen = await tmux.waitFor('EXIT=0');
    expect(screen).not.toContain('merged tree'); // the alternate screen is gone
    expect(overlayTargets()).toEqual(before);
    expect(existsSync(base)).toBe(false);
  });

  it('creates, deletes and reverts through the real mount', async () => {
    const { merged, base } = await startDemo();
    tmux.type('a');
    tmux.type('made-here.txt');
    tmux.keys('Enter');
    await tmux.waitFor(/new\s+made-here\.txt/);
    expect(existsSync(join(base, 'upper', 'made-here.txt'))).toBe(true);

    tmux.type('/delete-me.txt');
    tmux.keys('Enter');
    tmux.type('x');
    await tmux.waitFor('Delete /delete-me.txt? (y/n)');
    tmux.type('y');
    await tmux.waitFor(/del\s+delete-me\.txt/);

    tmux.type('/duplicate.txt');
    tmux.keys('Enter');
    tmux.type('R');
    await tmux.waitFor('Revert /duplicate.txt to its lower version?');
    tmux.type('y');
    await tmux.waitFor(/L0\s+duplicate\.txt/);
    expect(existsSync(join(base, 'upper', 'duplicate.txt'))).toBe(false);
    expect(readFileSync(join(merged, 'duplicate.txt'), 'utf8')).toContain('lower layer');
    expect(overlayTargets()).toContain(merged);
  });

  it('restores the terminal and unmounts on SIGTERM', async () => {
    const { base } = await startDemo();
    process.kill(tmux.appPid(), 'SIGTERM');
    const screen = await tmux.waitFor('EXIT=143');
    expect(screen).not.toContain('merged tree');
    expect(overlayTargets()).toEqual(before);
    expect(existsSync(base)).toBe(false);
  });

  it('quits with Ctrl-C too, and shows all keys with ?', async () => {
    await startDemo();
    tmux.type('?');
    await tmux.waitFor('edit in $VISUAL/$EDITOR');
    tmux.keys('Escape');
    await tmux.waitFor(/new\s+upper\.txt/);
    tmux.keys('C-c');
    await tmux.waitFor('EXIT=0');
    expect(overlayTargets()).toEqual(before);
  });

  it('repaints cleanly after a resize', async () => {
    await startDemo();
    tmux.resize(90, 30);
    // Laid out for 90x30: the right-hand column starts after the tree's 49 columns, and the
    // whole frame (header to status bar) is on screen.
    const screen = await tmux.waitFor((s) => /^ {50}live: /m.test(s));
    const lines = screen.split('\n');
    expect(lines[0]).toMatch(/^ovl-tui /);
    expect(lines.findIndex((l) => l.startsWith('merged tree'))).toBe(7);
    expect(lines[28]).toMatch(/^j move/);
    expect(screen).toMatch(/new\s+upper\.txt/);
  });
});
