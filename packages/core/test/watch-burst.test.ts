/**
 * watch() against a burst of OVL_WATCH_OPS operations (100,000; 10,000 in CI) made through the
 * merged dir of a deep tree by another process (bench/lib/burst-writer.mjs): replaying the
 * events gives exactly what changes() says — every file, whiteout and link with its kind, and
 * every dir changes() lists; a dir the events call copied up and changes() does not list must
 * be one the engines' diff calls unchanged (copied up, same size, mode and mtime as below).
 * Then 5,000 operations with the kernel's queue shrunk to 256 events and every dir already
 * watched, while this process waits for the writer without reading, so that the queue
 * overflows: the watch says 'rescan' and still ends equal. Latencies of marker files are printed; the bench
 * (bench/watch.bench.mjs) measures them on an idle watch, timing is not asserted here.
 */
import { spawn, execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mountOverlay, openOverlay, type Change, type ChangeEvent, type OverlayWatch } from '../src/index.js';
import { describeMounting } from './support/privileged.js';
import { makeBase } from './support/layers.js';
import { cleanupBase } from './support/cleanup.js';

const WRITER = fileURLToPath(new URL('../../../bench/lib/burst-writer.mjs', import.meta.url));
/** 10,000 in CI (about 10 s on 2 busy cores); the 100,000 by hand: OVL_WATCH_OPS=100000. */
const OPS = Number(process.env.OVL_WATCH_OPS ?? 10_000);

let base: string;
let watch: OverlayWatch | undefined;
beforeEach(() => {
  base = makeBase('ovl-watch-burst-');
});
afterEach(async () => {
  await watch?.close();
  watch = undefined;
  cleanupBase(base);
});

interface Received {
  ev: ChangeEvent;
  ns: bigint;
}

/** Events as they arrive, with when (CLOCK_MONOTONIC, as the writer stamps its markers). */
function collect(w: OverlayWatch) {
  const got: Received[] = [];
  const waiters: Array<[(ev: ChangeEvent) => boolean, () => void]> = [];
  void (async () => {
    for await (const ev of w) {
      got.push({ ev, ns: process.hrtime.bigint() });
      for (const [i, [match, done]] of waiters.entries()) if (match(ev)) (waiters.splice(i, 1), done());
    }
  })();
  const arrival = (path: string, kind?: ChangeEvent['kind']) =>
    new Promise<void>((resolve) => waiters.push([(ev) => ev.path === path && (kind === undefined || ev.kind === kind), resolve]));
  return { got, arrival };
}

function runWriter(args: string[]): Promise<{ ops: number; markers: Array<{ path: string; ns: string }> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`burst writer exited ${code}`))));
  });
}

/** The state the events leave, in changes()'s words: path -> kind, what the lowers hold deciding A or C. */
function replay(events: ChangeEvent[], inLower: (p: string) => boolean): Map<string, Change['kind']> {
  const state = new Map<string, Change['kind']>();
  const dropBelow = (p: string) => {
    for (const k of [...state.keys()]) if (k.startsWith(`${p}/`)) state.delete(k);
  };
  for (const e of events) {
    if (e.path === '/') continue; // the root's own times: changes() never lists the root
    switch (e.kind) {
      case 'deleted':
        dropBelow(e.path);
        state.set(e.path, 'D');
        break;
      case 'opaque':
        dropBelow(e.path);
        state.set(e.path, inLower(e.path) ? 'D' : 'A'); // rule 2 of diff-rules.ts
        break;
      case 'removed-from-upper':
        dropBelow(e.path);
        state.delete(e.path);
        break;
      case 'added':
      case 'copied-up':
      case 'modified':
      case 'metadata':
        if (!state.has(e.path) || e.kind === 'added' || e.kind === 'copied-up') state.set(e.path, inLower(e.path) ? 'C' : 'A');
        break;
      default:
        break; // rescan, unwatched: what changed follows as events
    }
  }
  return state;
}

/**
 * Mount the deep tree, watch it, run the burst, settle, and compare. With `overflow`, the
 * kernel's queue is shrunk to that many events and this process waits for the writer without
 * reading (execFileSync), so the queue overflows for certain.
 */
async function burstAndCompare(ops: number, seed: number, overflow?: number) {
  const lower = join(base, 'lower');
  execFileSync(process.execPath, [WRITER, 'tree', lower]);
  const lowerPaths = new Set(execFileSync('find', [lower, '-mindepth', '1', '-printf', '/%P\\n'], { encoding: 'utf8' }).trim().split('\n'));
  const [upper, work, merged] = [join(base, 'upper'), join(base, 'work'), join(base, 'merged')] as const;
  for (const d of [upper, work, merged]) mkdirSync(d);
  const m = await mountOverlay({ lower: [lower], upper, work, target: merged });
  const sysctl = '/proc/sys/fs/inotify/max_queued_events';
  const saved = readFileSync(sysctl, 'utf8');
  try {
    const view = await openOverlay(merged);
    // The queue size is read when the inotify instance is made: shrunk for this watch only.
    if (overflow !== undefined) writeFileSync(sysctl, String(overflow));
    try {
      watch = view.watch({ coalesceMs: 0 }); // every change its own event: nothing waits on a timer
    } finally {
      writeFileSync(sysctl, saved);
    }
    const c = collect(watch);
    if (overflow !== undefined) {
      // Every dir copied up and watched first: otherwise the kernel queues events for the
      // upper root alone while this process is not reading, and the dirs that appear meanwhile
      // are read whole once it is — no overflow to test.
      const dirs = execFileSync('find', [lower, '-mindepth', '1', '-type', 'd', '-printf', '/%P\n'], { encoding: 'utf8' }).trim().split('\n');
      for (const d of dirs) writeFileSync(join(merged, d, '.warm'), '');
      const warm = c.arrival('/.warm');
      writeFileSync(join(merged, '.warm'), '');
      await warm;
    }
    const started = performance.now();
    const args = ['burst', merged, String(ops), String(seed), '100'];
    const result = overflow === undefined ? await runWriter(args) : (JSON.parse(execFileSync(process.execPath, [WRITER, ...args], { encoding: 'utf8' })) as Awaited<ReturnType<typeof runWriter>>);
    const wrote = performance.now() - started;
    // Settled: the watch reports in the order inotify told it, so a file made last comes last —
    // unless the queue overflowed meanwhile: a sentinel written while it is full is dropped and
    // the rescan reports it somewhere in its walk. So until no rescan came while waiting.
    const rescans = () => c.got.filter((g) => g.ev.kind === 'rescan').length;
    for (let k = 1, seen = -1; seen !== rescans(); k++) {
      seen = rescans();
      const sentinel = c.arrival(`/.sentinel-${k}`);
      writeFileSync(join(merged, `.sentinel-${k}`), '');
      await sentinel;
    }
    const settled = performance.now() - started;

    const events = c.got.map((g) => g.ev).filter((e) => !e.path.startsWith('/.sentinel-'));
    const got = replay(events, (p) => lowerPaths.has(p));
    const want = new Map((await view.changes()).filter((ch) => !ch.path.startsWith('/.sentinel-')).map((ch) => [ch.path, ch.kind]));
    const isUpperDir = (p: string) => {
      try {
        return lstatSync(upper + p).isDirectory();
      } catch {
        return false;
      }
    };
    const missed = [...want].filter(([p, k]) => got.get(p) !== k).map(([p, k]) => `${p} ${k} (events: ${got.get(p) ?? 'none'})`);
    const extra = [...got].filter(([p, k]) => !want.has(p) && !(k === 'C' && isUpperDir(p))).map(([p, k]) => `${p} ${k}`);

    const at = new Map<string, bigint>();
    for (const g of c.got) if (!at.has(g.ev.path)) at.set(g.ev.path, g.ns);
    const lat = result.markers.map((mk) => Number((at.get(mk.path) ?? 0n) - BigInt(mk.ns)) / 1e6).filter((x) => x > 0).sort((a, b) => a - b);
    const pct = (p: number) => lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)]?.toFixed(1);
    console.log(
      `watch burst: ${result.ops} ops written in ${(wrote / 1000).toFixed(1)} s, settled after ${(settled / 1000).toFixed(1)} s; ${events.length} events, ` +
        `${events.filter((e) => e.kind === 'rescan').length} rescans; changes() ${want.size}, missed ${missed.length}, extra ${extra.length}; ` +
        `marker latency during the burst p50 ${pct(50)} ms, p99 ${pct(99)} ms (${lat.length} markers); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    );
    return { events, missed, extra, want };
  } finally {
    writeFileSync(sysctl, saved);
    await watch?.close();
    await m.unmount();
  }
}

describeMounting('watch() under a burst', () => {
  it(`${OPS} operations on a deep tree: the events replayed equal changes()`, async () => {
    const r = await burstAndCompare(OPS, 1);
    expect(r.want.size).toBeGreaterThan(OPS / 10);
    expect(r.missed.slice(0, 20)).toEqual([]);
    expect(r.extra.slice(0, 20)).toEqual([]);
  }, 600_000);

  it('a kernel queue overflow mid-burst: rescan is said, and the end still equals changes()', async () => {
    const r = await burstAndCompare(5_000, 2, 256);
    expect(r.events.some((e) => e.kind === 'rescan')).toBe(true);
    expect(r.missed.slice(0, 20)).toEqual([]);
    expect(r.extra.slice(0, 20)).toEqual([]);
  }, 600_000);
});
