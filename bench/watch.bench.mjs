// watch() event latency: from a change made through the merged dir to its event, against
// Node's own recursive fs.watch on the same upper dir (names only, no kinds) receiving the same
// changes. Two settings:
// - idle: one change at a time (a copy-up of a lower file, then a new file), the next only once
//   both watchers have reported it — the targets are p50 <= 5 ms, p99 <= 20 ms here;
// - during a burst: markers stamped by another process (bench/lib/burst-writer.mjs) while it
//   makes OVL_BENCH_BURST_OPS operations (default 20,000) on a deep tree.
// Prints percentiles, ratios and the load average; asserts nothing.
import { spawn, execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, watch as fsWatch, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mountOverlay, openOverlay } from '@ovl/core';
import { fmt, percentile, printTable } from './lib/stats.mjs';

/** At most 648: half of them copy up distinct lower files, of which the tree has 324 at depth 4. */
const IDLE_CHANGES = Math.min(648, Number(process.env.OVL_BENCH_WATCH_CHANGES ?? 400));
const BURST_OPS = Number(process.env.OVL_BENCH_BURST_OPS ?? 20_000);
const WRITER = fileURLToPath(new URL('./lib/burst-writer.mjs', import.meta.url));

const now = () => process.hrtime.bigint();
const ms = (ns) => Number(ns) / 1e6;

/** First arrival time of each path, and a way to wait for one. */
function arrivals() {
  const seen = new Map();
  const waiting = new Map();
  return {
    seen,
    saw(path) {
      if (seen.has(path)) return;
      seen.set(path, now());
      waiting.get(path)?.();
      waiting.delete(path);
    },
    wait(path) {
      return seen.has(path) ? Promise.resolve() : new Promise((resolve) => waiting.set(path, resolve));
    },
  };
}

async function stack(base) {
  const lower = join(base, 'lower');
  execFileSync(process.execPath, [WRITER, 'tree', lower]);
  const [upper, work, merged] = ['upper', 'work', 'merged'].map((d) => join(base, d));
  for (const d of [upper, work, merged]) mkdirSync(d);
  const m = await mountOverlay({ lower: [lower], upper, work, target: merged });
  return { upper, merged, m };
}

/** Both watchers on one upper dir; resolves each path's first event time per watcher. */
function watchBoth(view, upper) {
  const ovl = arrivals();
  const node = arrivals();
  const w = view.watch({ coalesceMs: 0 });
  void (async () => {
    for await (const e of w) {
      if (e.kind === 'rescan') ovl.rescans = (ovl.rescans ?? 0) + 1;
      ovl.saw(e.path);
    }
  })();
  const fw = fsWatch(upper, { recursive: true }, (_type, name) => name && node.saw(`/${name}`));
  return { ovl, node, close: async () => (fw.close(), await w.close()) };
}

async function idle(view, merged, upper) {
  const both = watchBoth(view, upper);
  const lat = { ovl: [], node: [] };
  try {
    // Let the watches settle (fs.watch walks the tree asynchronously when it starts).
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < IDLE_CHANGES; i++) {
      // alternately the first write to a lower file (a copy-up; 324 distinct ones 4 levels
      // down) and a new file
      const j = i >> 1;
      const dir = `/d${j % 3}/d${Math.floor(j / 3) % 3}/d${Math.floor(j / 9) % 3}/d${Math.floor(j / 27) % 3}`;
      const fresh = i % 2 === 0 ? `${dir}/f${Math.floor(j / 81) % 4}.txt` : `${dir}/idle-${i}`;
      const t0 = now();
      if (i % 2 === 0) appendFileSync(merged + fresh, 'x');
      else writeFileSync(merged + fresh, 'x');
      await Promise.all([both.ovl.wait(fresh), both.node.wait(fresh)]);
      lat.ovl.push(ms(both.ovl.seen.get(fresh) - t0));
      lat.node.push(ms(both.node.seen.get(fresh) - t0));
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    await both.close();
  }
  return lat;
}

function runWriter(merged, ops) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, 'burst', merged, String(ops), '7', '100'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`burst writer exited ${code}`))));
  });
}

async function duringBurst(view, merged, upper) {
  const both = watchBoth(view, upper);
  try {
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    const { markers } = await runWriter(merged, BURST_OPS);
    const wrote = performance.now() - t0;
    // Until every marker is in: after a queue overflow (ovl: a rescan; fs.watch: nothing said)
    // the last one may come before others, or never; a sentinel written now comes after all.
    const sentinel = '/.bench-sentinel';
    writeFileSync(merged + sentinel, '');
    await Promise.race([Promise.all([both.ovl.wait(sentinel), both.node.wait(sentinel)]), new Promise((r) => setTimeout(r, 60_000))]);
    await new Promise((r) => setTimeout(r, 1000));
    const lat = (a) => markers.filter((mk) => a.seen.has(mk.path)).map((mk) => ms(a.seen.get(mk.path) - BigInt(mk.ns)));
    const found = (a) => markers.filter((mk) => a.seen.has(mk.path)).length;
    return { wrote, markers: markers.length, ovl: lat(both.ovl), node: lat(both.node), ovlFound: found(both.ovl), nodeFound: found(both.node), rescans: both.ovl.rescans ?? 0 };
  } finally {
    await both.close();
  }
}

export async function run() {
  const base = mkdtempSync(join(tmpdir(), 'ovl-bench-watch-'));
  try {
    const { upper, merged, m } = await stack(base);
    try {
      const view = await openOverlay(merged);
      const a = await idle(view, merged, upper);
      const b = await duringBurst(view, merged, upper);
      const row = (name, xs, ys) => [name, fmt(percentile(xs, 50), 2), fmt(percentile(xs, 99), 2), fmt(percentile(ys, 50), 2), fmt(percentile(ys, 99), 2), fmt(percentile(ys, 50) / percentile(xs, 50), 2)];
      console.log(`idle: ${IDLE_CHANGES} changes one at a time; burst: ${BURST_OPS} operations by another process in ${fmt(b.wrote / 1000)} s, a marker every 100 (${b.markers})`);
      printTable(
        ['latency (ms)', 'ovl p50', 'ovl p99', 'fs.watch p50', 'fs.watch p99', 'fs.watch/ovl p50'],
        [row('idle', a.ovl, a.node), row('during the burst', b.ovl, b.node)],
      );
      console.log(`markers seen during the burst: ovl ${b.ovlFound}/${b.markers} (${b.rescans} rescans), fs.watch ${b.nodeFound}/${b.markers}`);
      console.log(`targets when idle: p50 <= 5 ms, p99 <= 20 ms; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    } finally {
      await m.unmount();
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
