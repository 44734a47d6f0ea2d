// watch() event latency: from a change made through the merged dir to its event, against
// Node's own recursive fs.watch on the same upper dir (names only, no kinds), one watcher at a
// time on like changes. Two settings:
// - idle: one change at a time (a copy-up of a lower file, then a new file), the next only once
//   the watcher has reported it — the targets are p50 <= 5 ms, p99 <= 20 ms here;
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

/** The writer's deep tree as the lower layer of a fresh mount under `base/name`. */
async function stack(base, name) {
  base = join(base, name);
  const lower = join(base, 'lower');
  execFileSync(process.execPath, [WRITER, 'tree', lower]);
  const [upper, work, merged] = ['upper', 'work', 'merged'].map((d) => join(base, d));
  for (const d of [upper, work, merged]) mkdirSync(d);
  const m = await mountOverlay({ lower: [lower], upper, work, target: merged });
  return { upper, merged, m, view: await openOverlay(merged) };
}

/** One watcher on the upper dir ('ovl': view.watch(); 'node': recursive fs.watch, names only). */
function watchWith(kind, view, upper) {
  const seen = arrivals();
  if (kind === 'node') {
    const fw = fsWatch(upper, { recursive: true }, (_type, name) => name && seen.saw(`/${name}`));
    return { seen, close: async () => fw.close() };
  }
  const w = view.watch({ coalesceMs: 0 });
  void (async () => {
    for await (const e of w) {
      if (e.kind === 'rescan') seen.rescans = (seen.rescans ?? 0) + 1;
      seen.saw(e.path);
    }
  })();
  return { seen, close: () => w.close() };
}

/** `count` changes one at a time from change number `from`: half first writes to lower files (copy-ups), half new files. */
async function idle(kind, view, merged, upper, from, count) {
  const watcher = watchWith(kind, view, upper);
  const lat = [];
  try {
    // Let the watch settle (fs.watch walks the tree asynchronously when it starts).
    await new Promise((r) => setTimeout(r, 500));
    for (let i = from; i < from + count; i++) {
      // 324 distinct lower files 4 levels down, each copied up once
      const j = i >> 1;
      const dir = `/d${j % 3}/d${Math.floor(j / 3) % 3}/d${Math.floor(j / 9) % 3}/d${Math.floor(j / 27) % 3}`;
      const path = i % 2 === 0 ? `${dir}/f${Math.floor(j / 81) % 4}.txt` : `${dir}/idle-${i}`;
      const t0 = now();
      if (i % 2 === 0) appendFileSync(merged + path, 'x');
      else writeFileSync(merged + path, 'x');
      await watcher.seen.wait(path);
      lat.push(ms(watcher.seen.seen.get(path) - t0));
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    await watcher.close();
  }
  return lat;
}

function runWriter(merged, ops, seed) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, 'burst', merged, String(ops), String(seed), '100'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`burst writer exited ${code}`))));
  });
}

/** A burst on a fresh tree (the writer knows the pristine tree only), watched by `kind`. */
async function duringBurst(kind, base, seed) {
  const { upper, merged, m, view } = await stack(base, `burst-${kind}`);
  const watcher = watchWith(kind, view, upper);
  try {
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    const { markers } = await runWriter(merged, BURST_OPS, seed);
    const wrote = performance.now() - t0;
    // Until every marker is in: after a queue overflow (ovl: a rescan; fs.watch: nothing said)
    // the last one may come before others, or never; a sentinel written now comes after all.
    const sentinel = `/.bench-sentinel-${seed}`;
    writeFileSync(merged + sentinel, '');
    await Promise.race([watcher.seen.wait(sentinel), new Promise((r) => setTimeout(r, 60_000))]);
    await new Promise((r) => setTimeout(r, 1000));
    const { seen } = watcher;
    const lat = markers.filter((mk) => seen.seen.has(mk.path)).map((mk) => ms(seen.seen.get(mk.path) - BigInt(mk.ns)));
    return { wrote, lat, found: lat.length, markers: markers.length, rescans: seen.rescans ?? 0 };
  } finally {
    await watcher.close();
    await m.unmount();
  }
}

export async function run() {
  const base = mkdtempSync(join(tmpdir(), 'ovl-bench-watch-'));
  try {
    const { upper, merged, m, view } = await stack(base, 'idle');
    let a;
    try {
      // One watcher at a time (fs.watch's recursive mode does its own work in JS, on the same
      // thread), alternating, on fresh changes each round.
      const half = IDLE_CHANGES >> 2;
      a = { ovl: [], node: [] };
      for (const [round, kind] of ['ovl', 'node', 'node', 'ovl'].entries()) a[kind].push(...(await idle(kind, view, merged, upper, round * half, half)));
    } finally {
      await m.unmount();
    }
    {
      const b = { ovl: await duringBurst('ovl', base, 7), node: await duringBurst('node', base, 7) };
      const row = (name, xs, ys) => [name, fmt(percentile(xs, 50), 2), fmt(percentile(xs, 99), 2), fmt(percentile(ys, 50), 2), fmt(percentile(ys, 99), 2), fmt(percentile(ys, 50) / percentile(xs, 50), 2)];
      console.log(`idle: ${IDLE_CHANGES} changes one at a time, half per watcher; burst: ${BURST_OPS} operations by another process, a marker every 100 (ovl's burst written in ${fmt(b.ovl.wrote / 1000)} s, fs.watch's in ${fmt(b.node.wrote / 1000)} s)`);
      printTable(
        ['latency (ms)', 'ovl p50', 'ovl p99', 'fs.watch p50', 'fs.watch p99', 'fs.watch/ovl p50'],
        [row('idle', a.ovl, a.node), row('during the burst', b.ovl.lat, b.node.lat)],
      );
      console.log(`markers seen during the burst: ovl ${b.ovl.found}/${b.ovl.markers} (${b.ovl.rescans} rescans), fs.watch ${b.node.found}/${b.node.markers}`);
      console.log(`targets when idle: p50 <= 5 ms, p99 <= 20 ms; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
