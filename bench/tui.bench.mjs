// ovl-tui: cold start to the first frame in a real terminal (tmux, 120x40) on a small overlay,
// mounted and offline, against `node -e 0` in the same run; then on a 100,000-entry merged dir:
// time to first frame, `G` while the dir loads, keypress→frame latency while loading and
// while scrolling, peak RSS, and frame gaps during a 10,000-change burst made through the
// merged dir by another process. The 100,000-entry figures are measured in-process (the real
// app rendered by Ink to a fake stdout, so terminal emulator time is not included), in a child
// process so RSS is the app's own, started with the V8 flags the CLI's shebang gives node.
//
// OVL_BENCH_BEFORE=<checkout> (another checkout of ovl, built: e.g. a worktree of main) runs
// its ovl-tui too, alternated with this one, so before and after see the same machine load.
// OVL_BENCH_RUNS: runs of each 100,000-entry measure (default 3); cold starts run 3x that.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mountOverlay } from '@ovl/core';
import { fmt, median, percentile, printTable } from './lib/stats.mjs';
import { timeToOutput } from './lib/tui-start.mjs';

const ENTRIES = 100_000;
const BURST = 10_000;
const RUNS = Number(process.env.OVL_BENCH_RUNS ?? 3);
const here = fileURLToPath(new URL('..', import.meta.url));
const before = process.env.OVL_BENCH_BEFORE && resolve(process.env.OVL_BENCH_BEFORE);
/** The ovl-tui packages measured, by label. */
const apps = { after: join(here, 'apps/ovl-tui'), ...(before && { before: join(before, 'apps/ovl-tui') }) };

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const ms = (xs) => `${fmt(median(xs), 0)} ms`;
const range = (xs) => `${fmt(Math.min(...xs), 0)}-${fmt(Math.max(...xs), 0)}`;

/** The environment and V8 flags an ovl-tui's shebang (`#!/usr/bin/env -S [VAR=value...] node [flags]`) starts node with. */
function shebang(app) {
  const words = readFileSync(join(app, 'dist/cli.js'), 'utf8').split('\n')[0].replace(/^#!\/usr\/bin\/env -S\s*/, '').split(/\s+/).filter(Boolean);
  const node = words.indexOf('node');
  return { env: { ...process.env, ...Object.fromEntries(words.slice(0, node).map((w) => w.split(/=(.*)/s).slice(0, 2))) }, flags: words.slice(node + 1) };
}

async function coldStart(base) {
  const dirs = Object.fromEntries(['lower', 'upper', 'work', 'merged'].map((d) => [d, join(base, 'small', d)]));
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  writeFileSync(join(dirs.lower, 'from-lower.txt'), 'lower\n');
  writeFileSync(join(dirs.upper, 'from-upper.txt'), 'upper\n');
  const mount = await mountOverlay({ lower: [dirs.lower], upper: dirs.upper, work: dirs.work, target: dirs.merged });
  try {
    // What each program prints once it is up: ovl-tui's first frame holds the tree's rows.
    const programs = { 'node -e 0': { argv: [process.execPath, '-e', '0'], marker: '__exited__', after: '; echo __exited__' } };
    for (const [label, app] of Object.entries(apps)) {
      const cli = join(app, 'dist/cli.js');
      programs[`ovl-tui ${label}, mounted (attach)`] = { argv: [cli, dirs.merged], marker: 'from-upper.txt' };
      programs[`ovl-tui ${label}, offline (--lower --upper)`] = { argv: [cli, '--lower', dirs.lower, '--upper', dirs.upper], marker: 'from-upper.txt' };
    }
    const times = Object.fromEntries(Object.keys(programs).map((k) => [k, []]));
    const loadBefore = load();
    for (let i = 0; i < RUNS * 3; i++) {
      for (const [label, p] of Object.entries(programs)) {
        const t = await timeToOutput(p.argv, p.marker, { dir: base, after: p.after });
        if (t === undefined) throw new Error(`${label}: no first frame within the timeout`);
        times[label].push(t);
      }
    }
    const node = median(times['node -e 0']);
    console.log(`\n## ovl-tui cold start in tmux (120x40) to the first frame with rows, small overlay: median of ${RUNS * 3} alternated runs\n`);
    console.log(`load average before / after: ${loadBefore} / ${load()}\n`);
    printTable(['program', 'median', 'range', 'x node -e 0', 'target'], Object.entries(times).map(([label, xs]) => [
      label, ms(xs), range(xs), fmt(median(xs) / node, 1), label.startsWith('ovl-tui after') ? '<= 300 ms' : '',
    ]));
  } finally {
    await mount.unmount();
  }
}

/** One in-process measure of `app` on the 100,000-entry dir, with a fresh upper (the burst writes to it). */
async function bigDirRun(dirs, app) {
  for (const d of [dirs.upper, dirs.work]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d);
  }
  const mount = await mountOverlay({ lower: [dirs.lower], upper: dirs.upper, work: dirs.work, target: dirs.merged });
  try {
    const { env, flags } = shebang(app);
    const out = execFileSync(process.execPath, [...flags, fileURLToPath(new URL('./lib/tui-measure.mjs', import.meta.url)), dirs.merged, String(BURST), String(ENTRIES), app], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26, env,
    });
    return JSON.parse(out.trim().split('\n').at(-1));
  } finally {
    await mount.unmount();
  }
}

async function bigDir(base) {
  const t0 = Date.now();
  const dirs = Object.fromEntries(['lower', 'upper', 'work', 'merged'].map((d) => [d, join(base, 'big', d)]));
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  for (let i = 0; i < ENTRIES; i++) writeFileSync(join(dirs.lower, `entry-${i}`), `entry ${i}\n`);
  console.log(`\ngenerated a lower layer of ${ENTRIES.toLocaleString('en')} files in ${Date.now() - t0} ms`);
  const runs = Object.fromEntries(Object.keys(apps).map((k) => [k, []]));
  const loadBefore = load();
  for (let i = 0; i < RUNS; i++) for (const [label, app] of Object.entries(apps)) runs[label].push(await bigDirRun(dirs, app));
  console.log(`\n## ovl-tui, in-process (Ink rendering to a fake stdout, 120x40), ${ENTRIES.toLocaleString('en')}-entry merged dir: median of ${RUNS} runs${before ? ', before and after alternated' : ''}\n`);
  console.log(`load average before / after: ${loadBefore} / ${load()}\n`);
  const labels = Object.keys(apps);
  const row = (measure, f, target = '') => [measure, ...labels.map((l) => f(runs[l])), target];
  const med = (pick, digits = 0, unit = ' ms') => (rs) => `${fmt(median(rs.map(pick).filter(Number.isFinite)), digits)}${unit}`;
  printTable(['measure', ...labels, 'target'], [
    row('time to first frame (header, before any row)', med((r) => r.anyFrameMs)),
    row('time to first frame with rows (the first piece of the dir: 256 names)', med((r) => r.firstFrameMs), '<= 1000 ms'),
    row('names read (after: the tree is laid out by name from here)', med((r) => r.namesMs ?? NaN)),
    row('G pressed at names read (before: at the first rows) → cursor on the last entry', med((r) => r.gFromPressMs), '<= 200 ms'),
    row('G: time from opening to the cursor on the last entry', med((r) => r.gLandMs)),
    row('time until all entries are in the tree (title stops saying loading…)', med((r) => r.fullLoadMs)),
    row('keypress → frame while the dir loads (k/j after G), median / max', (rs) => {
      const all = rs.flatMap((r) => r.loadingLatency);
      return all.length ? `${fmt(median(all), 1)} / ${fmt(Math.max(...all), 1)} ms (${all.length} keys)` : 'no keys (loaded first)';
    }, '<= 16 ms'),
    row('keypress → frame, median (300 keys: j, PgDn)', (rs) => `${fmt(median(rs.flatMap((r) => r.latency)), 2)} ms`, '<= 16 ms'),
    row('keypress → frame, p99', (rs) => `${fmt(percentile(rs.flatMap((r) => r.latency), 99), 2)} ms`),
    row('peak RSS of the app process (median, range)', (rs) => `${fmt(median(rs.map((r) => r.maxRssMB)), 0)} MB (${range(rs.map((r) => r.maxRssMB))})`, '<= 150 MB'),
    row('  of which reached once the whole dir is loaded', med((r) => r.rssAfterLoadMB, 0, ' MB')),
    row('  JS heap in use after load / scroll / burst / catch-up', (rs) => Object.values(rs[0].phases).map((p) => p.heapMB).join(' / ') + ' MB (first run)'),
    row(`largest frame gap during the ${BURST.toLocaleString('en')}-change burst (scrolling every 20 ms)`, med((r) => r.maxGap, 1), '<= 100 ms'),
    row('keypress → frame during the burst, median', (rs) => `${fmt(median(rs.flatMap((r) => r.keyLatency)), 1)} ms`),
    row('event-loop delay during the burst, max', med((r) => r.loopDelayMaxMs, 1)),
    row('burst duration', med((r) => r.burstMs)),
    row('tree caught up with the burst after it ended', (rs) => `${fmt(median(rs.map((r) => r.catchUpMs)), 0)} ms (${rs.map((r) => `${r.rowsAfter}/${r.expected}`).join(', ')} rows)`),
  ]);
}

export async function run() {
  const base = mkdtempSync(join(tmpdir(), 'ovl-bench-tui-'));
  try {
    await coldStart(base);
    await bigDir(base);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
