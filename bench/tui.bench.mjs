// ovl-tui on a 100,000-entry merged dir: time to first frame, keypress→frame latency while
// scrolling, peak RSS, and frame gaps during a 10,000-change burst made through the merged
// dir by another process. Measured in-process: the real app rendered by Ink to a fake stdout
// (so terminal emulator time is not included), in a child process so RSS is the app's own,
// started with the V8 flags the CLI's shebang gives node.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mountOverlay } from '@ovl/core';
import { STARTUP_V8_FLAGS } from '../apps/ovl-tui/dist/terminal/runtime.js';
import { fmt, median, percentile, printTable } from './lib/stats.mjs';

const ENTRIES = 100_000;
const BURST = 10_000;

export async function run() {
  const base = mkdtempSync(join(tmpdir(), 'ovl-bench-tui-'));
  try {
    const t0 = Date.now();
    const dirs = Object.fromEntries(['lower', 'upper', 'work', 'merged'].map((d) => [d, join(base, d)]));
    for (const d of Object.values(dirs)) mkdirSync(d);
    for (let i = 0; i < ENTRIES; i++) writeFileSync(join(dirs.lower, `entry-${i}`), `entry ${i}\n`);
    console.log(`generated a lower layer of ${ENTRIES.toLocaleString('en')} files in ${Date.now() - t0} ms`);
    const mount = await mountOverlay({ lower: [dirs.lower], upper: dirs.upper, work: dirs.work, target: dirs.merged });
    try {
      const out = execFileSync(process.execPath, [...STARTUP_V8_FLAGS, fileURLToPath(new URL('./lib/tui-measure.mjs', import.meta.url)), dirs.merged, String(BURST)], {
        encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26,
      });
      const r = JSON.parse(out.trim().split('\n').at(-1));
      console.log('\n## ovl-tui, in-process (Ink rendering to a fake stdout, 120x40), 100,000-entry merged dir\n');
      printTable(['measure', 'value', 'target'], [
        ['time to first frame (header, "reading…")', `${fmt(r.anyFrameMs, 0)} ms`, ''],
        ['time to first frame with rows (the first piece of the dir: 256 names)', `${fmt(r.firstFrameMs, 0)} ms`, '<= 1000 ms'],
        ['time until all 100,000 entries are in the tree (title stops saying loading…)', `${fmt(r.fullLoadMs, 0)} ms`, ''],
        ['keypress → frame, median (300 keys: j, PgDn)', `${fmt(median(r.latency), 2)} ms`, '<= 16 ms'],
        ['keypress → frame, p99', `${fmt(percentile(r.latency, 99), 2)} ms`, ''],
        ['peak RSS of the app process', `${fmt(r.maxRssMB, 0)} MB`, '<= 250 MB'],
        ['  of which reached once the whole dir is loaded', `${fmt(r.rssAfterLoadMB, 0)} MB`, ''],
        ['  JS heap in use after load / scroll / burst / catch-up', Object.values(r.phases).map((p) => p.heapMB).join(' / ') + ' MB', ''],
        [`largest frame gap during the ${BURST.toLocaleString('en')}-change burst (scrolling every 20 ms)`, `${fmt(r.maxGap, 1)} ms`, '<= 100 ms'],
        ['  the next largest gaps', r.topGaps.slice(1).map((g) => fmt(g, 0)).join(', ') + ' ms', ''],
        ['keypress → frame during the burst, median / max', `${fmt(median(r.keyLatency), 1)} / ${fmt(Math.max(...r.keyLatency), 1)} ms`, ''],
        ['event-loop delay during the burst, max', `${fmt(r.loopDelayMaxMs, 1)} ms`, ''],
        ['burst duration / frames during it', `${fmt(r.burstMs, 0)} ms / ${r.frames}`, ''],
        ['CPU time of the app process during the burst (2 cores, shared with the writer)', `${fmt(r.burstCpuMs, 0)} ms`, ''],
        ['tree caught up with the burst after it ended', `${fmt(r.catchUpMs, 0)} ms (${r.rowsAfter}/${r.expected} rows)`, ''],
      ]);
    } finally {
      await mount.unmount();
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
