// SIGKILL recovery: ovl-tui records each mount it makes (src/service/mount-records.ts); killed
// with -9 in tmux it leaves the mount and the record, which `ovl-tui --cleanup` (no terminal)
// or the next start's offer then undo. Everything runs in this test's mount namespace: the
// tmux server is started from here, so the killed ovl-tui's mount is visible where cleanup runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mountOverlay, unmount } from '@ovl/core';
import { findLeftovers, processStartTime, recordMount } from '../../src/service/mount-records.js';
import { describeMounting } from '../support/privileged.js';
import { CLI, overlayTargets, Tmux } from '../support/tmux.js';

let tmux: Tmux;
let base: string;
let runDir: string;

beforeEach(() => {
  tmux = new Tmux(120, 30);
  base = mkdtempSync(join(tmpdir(), 'ovl-tui-recovery-'));
  runDir = join(base, 'run');
});
afterEach(async () => {
  tmux.kill();
  for (const t of overlayTargets().filter((t) => t.startsWith(`${base}/`))) await unmount(t, { detach: true }).catch(() => undefined);
  rmSync(base, { recursive: true, force: true });
});

function stack(name: string) {
  const dir = join(base, name);
  for (const d of ['lower', 'upper', 'work', 'merged']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'lower', 'from-lower.txt'), 'lower\n');
  return { lower: join(dir, 'lower'), upper: join(dir, 'upper'), work: join(dir, 'work'), merged: join(dir, 'merged') };
}

const records = () => (existsSync(runDir) ? readdirSync(runDir).filter((n) => n.endsWith('.json')) : []);
const cli = (args: string[]) => spawnSync(CLI, args, { encoding: 'utf8', env: { ...process.env, OVL_RUN_DIR: runDir } });

/** ovl-tui --mount in tmux, then kill -9: returns the stack it left mounted. */
async function mountAndKill(name: string) {
  const s = stack(name);
  tmux.start(['--lower', s.lower, '--upper', s.upper, '--work', s.work, '--mount', s.merged], { OVL_RUN_DIR: runDir });
  await tmux.waitFor('from-lower.txt');
  const pid = tmux.appPid();
  const [file] = records();
  expect(JSON.parse(readFileSync(join(runDir, file!), 'utf8'))).toMatchObject({ pid, startTime: processStartTime(pid), target: s.merged, lower: [s.lower], upper: s.upper });
  process.kill(pid, 'SIGKILL');
  await tmux.waitFor('EXIT=137');
  expect(overlayTargets()).toContain(s.merged);
  expect(records()).toEqual([file]);
  return s;
}

describeMounting('ovl-tui killed with SIGKILL while it holds a mount', () => {
  it('leaves the mount and its record; --cleanup (no terminal) unmounts and forgets them', async () => {
    const s = await mountAndKill('a');
    const r = cli(['--cleanup']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`ovl-tui: unmounted ${s.merged} (lower ${s.lower}, upper ${s.upper})`);
    expect(r.status).toBe(0);
    expect(overlayTargets()).not.toContain(s.merged);
    expect(records()).toEqual([]);
    expect(readdirSync(s.upper)).toEqual([]); // the layers are left as they were
    const again = cli(['--cleanup']);
    expect([again.status, again.stdout]).toEqual([0, 'ovl-tui: nothing to clean up: no mount left by an ovl-tui that was killed.\n']);
  });

  it('--demo killed: --cleanup also removes the temp dir the demo made', async () => {
    tmux.start(['--demo'], { OVL_RUN_DIR: runDir });
    const screen = await tmux.waitFor(/new\s+upper\.txt/);
    const merged = /(\/\S+\/ovl-tui-demo-\w+\/merged)/.exec(screen)![1]!;
    process.kill(tmux.appPid(), 'SIGKILL');
    await tmux.waitFor('EXIT=137');
    expect(overlayTargets()).toContain(merged);
    const r = cli(['--cleanup']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(overlayTargets()).not.toContain(merged);
    expect(existsSync(join(merged, '..'))).toBe(false);
    expect(records()).toEqual([]);
  });

  it('--cleanup says what it could not undo, keeps that record, and exits 1', async () => {
    const s = await mountAndKill('busy');
    const fd = openSync(join(s.merged, 'from-lower.txt'), 'r');
    try {
      const r = cli(['--cleanup']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`ovl-tui: could not clean up ${s.merged}`);
      expect(r.stderr).toMatch(/EBUSY.*\n  hint: .*busy/);
      expect(overlayTargets()).toContain(s.merged);
      expect(records()).toHaveLength(1);
    } finally {
      closeSync(fd);
    }
    expect(cli(['--cleanup']).status).toBe(0);
    expect(records()).toEqual([]);
  });

  it('the next start offers to clean up before the UI takes the screen', async () => {
    const s = await mountAndKill('b');
    tmux.kill();
    tmux = new Tmux(250, 30); // wide enough for the leftover's line unwrapped
    const next = stack('next');
    tmux.start(['--lower', next.lower, '--upper', next.upper], { OVL_RUN_DIR: runDir });
    const screen = await tmux.waitFor('Unmount and forget them now? [Y/n]');
    expect(screen).toContain(`  ${s.merged} (lower ${s.lower}, upper ${s.upper}), mounted by ovl-tui pid`);
    expect(overlayTargets()).toContain(s.merged);
    tmux.keys('y', 'Enter');
    await tmux.waitFor(/offline view of 1 lower layer/); // then the app it was asked for
    expect(overlayTargets()).not.toContain(s.merged);
    expect(records()).toEqual([]);
    tmux.keys('q');
    await tmux.waitFor('EXIT=0');
  });

  it('a clean quit removes the record; a live process, a reused pid and a gone mount are told apart', async () => {
    const s = stack('c');
    tmux.start(['--lower', s.lower, '--upper', s.upper, '--work', s.work, '--mount', s.merged], { OVL_RUN_DIR: runDir });
    await tmux.waitFor('from-lower.txt');
    expect(records()).toHaveLength(1);
    tmux.keys('q');
    await tmux.waitFor('EXIT=0');
    expect(records()).toEqual([]);

    const m = await mountOverlay({ lower: [s.lower], upper: s.upper, work: s.work, target: s.merged });
    const layers = { target: s.merged, lower: [s.lower], upper: s.upper };
    const live = recordMount(layers, runDir); // this process: alive
    expect(await findLeftovers(runDir)).toEqual([]);
    // The same pid, started at another time: the pid was reused, the mounter is gone.
    const record = JSON.parse(readFileSync(live, 'utf8'));
    writeFileSync(live, JSON.stringify({ ...record, startTime: record.startTime - 1 }));
    expect((await findLeftovers(runDir)).map((l) => l.file)).toEqual([live]);
    await m.unmount();
    // Gone with its mount: a stale record, removed quietly.
    expect(await findLeftovers(runDir)).toEqual([]);
    expect(records()).toEqual([]);
    // A record for a path where another overlay (other layers) is mounted now: not ours to touch.
    const other = stack('other');
    const m2 = await mountOverlay({ lower: [other.lower], upper: other.upper, work: other.work, target: s.merged });
    try {
      writeFileSync(join(runDir, 'x.json'), JSON.stringify({ ...record, startTime: record.startTime - 1 }));
      expect(await findLeftovers(runDir)).toEqual([]);
      expect(execFileSync(CLI, ['--cleanup'], { encoding: 'utf8', env: { ...process.env, OVL_RUN_DIR: runDir } })).toContain('nothing to clean up');
      expect(overlayTargets()).toContain(s.merged);
    } finally {
      await m2.unmount();
    }
  });
});
