// Mount + umount cycle: @ovl/core (sync and async) vs the same syscalls in C vs spawning
// mount(8)/umount(8), for each API, interleaved round by round so that machine noise hits
// every contender alike. Prints medians and ratios of elapsed time and of CPU time (user +
// system of the whole process, per cycle: a loaded machine stretches elapsed time — the
// kernel's unmount waits for RCU grace periods and writeback — far more than CPU time),
// and how many thread-pool hops each async call makes. Asserts nothing.
import { createHook } from 'node:async_hooks';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mountOverlay, mountOverlaySync } from '@ovl/core';
import { fmt, median, percentile, printTable } from './lib/stats.mjs';

const ROUNDS = Number(process.env.OVL_BENCH_ROUNDS ?? 12);
const BATCH = 40;
const SPAWN_BATCH = 8;

function buildCycleProgram(dir) {
  const exe = join(dir, 'mount-cycle');
  execFileSync('cc', ['-O2', '-pthread', '-o', exe, fileURLToPath(new URL('./mount-cycle.c', import.meta.url))]);
  return exe;
}

function makeStack(dir) {
  const mk = (name, files = {}) => {
    const p = join(dir, name);
    mkdirSync(p);
    for (const [f, c] of Object.entries(files)) writeFileSync(join(p, f), c);
    return p;
  };
  return {
    lower: [mk('lower', { 'lower.txt': 'l', 'duplicate.txt': 'l' })],
    upper: mk('upper', { 'duplicate.txt': 'u' }),
    work: mk('work'),
    target: mk('merged'),
  };
}

/**
 * The native calls each async step queues on the thread pool, counted as async resources
 * the addon creates (each op names its resource after itself), per mount and per unmount.
 */
async function poolHops(spec) {
  const seen = [];
  const hook = createHook({ init: (_id, type) => type !== 'PROMISE' && seen.push(type) });
  const count = async (fn) => {
    seen.length = 0;
    hook.enable();
    const out = await fn();
    hook.disable();
    return [out, `${seen.length} (${seen.join(', ')})`];
  };
  const [m, mount] = await count(() => mountOverlay(spec));
  const [, unmount] = await count(() => m.unmount());
  return `${mount} per mountOverlay, ${unmount} per unmount()`;
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'ovl-bench-mount-'));
  try {
    const exe = buildCycleProgram(dir);
    const stack = makeStack(dir);
    const legacyData = `lowerdir=${stack.lower.join(':')},upperdir=${stack.upper},workdir=${stack.work}`;
    const samples = new Map();
    const cpu = new Map(); // µs of CPU per cycle, one value per batch
    const push = (map, name, v) => {
      if (!map.has(name)) map.set(name, []);
      map.get(name).push(v);
    };
    const add = (name, ns) => push(samples, name, ns / 1000);
    // Runs `batch` and records its CPU time per cycle.
    const timed = async (name, batch) => {
      const before = process.cpuUsage();
      await batch();
      const used = process.cpuUsage(before);
      push(cpu, name, (used.user + used.system) / BATCH);
    };
    const contenders = [];
    // A Node process has the main thread, V8's platform workers and libuv's pool.
    await mountOverlay(stack).then((m) => m.unmount());
    const nodeThreads = readdirSync('/proc/self/task').length - 1;
    for (const api of ['new', 'legacy']) {
      const spec = { ...stack, api };
      for (const threads of [0, nodeThreads]) {
        const name = threads === 0 ? `C program (${api})` : `C program, ${threads} idle threads (${api})`;
        contenders.push([name, () => {
          const args = api === 'new' ? [stack.target, stack.upper, stack.work, ...stack.lower] : [stack.target, legacyData];
          const out = execFileSync(exe, [api, String(BATCH), ...args], { encoding: 'utf8', env: { ...process.env, IDLE_THREADS: String(threads) } });
          for (const line of out.trim().split('\n')) {
            if (line.startsWith('cpu ')) push(cpu, name, Number(line.slice(4)) / 1000 / BATCH);
            else add(name, Number(line));
          }
        }]);
      }
      contenders.push([`mountOverlaySync (${api})`, () => timed(`mountOverlaySync (${api})`, () => {
        for (let i = 0; i < BATCH; i++) {
          const t0 = process.hrtime.bigint();
          mountOverlaySync(spec).unmountSync();
          add(`mountOverlaySync (${api})`, Number(process.hrtime.bigint() - t0));
        }
      })]);
      // The same without the shared-layer check (the mount table read per mount): what it costs.
      contenders.push([`mountOverlaySync (${api}, allowInUse)`, () => timed(`mountOverlaySync (${api}, allowInUse)`, () => {
        for (let i = 0; i < BATCH; i++) {
          const t0 = process.hrtime.bigint();
          mountOverlaySync({ ...spec, allowInUse: true }).unmountSync();
          add(`mountOverlaySync (${api}, allowInUse)`, Number(process.hrtime.bigint() - t0));
        }
      })]);
      contenders.push([`mountOverlay (${api})`, () => timed(`mountOverlay (${api})`, async () => {
        for (let i = 0; i < BATCH; i++) {
          const t0 = process.hrtime.bigint();
          await (await mountOverlay(spec)).unmount();
          add(`mountOverlay (${api})`, Number(process.hrtime.bigint() - t0));
        }
      })]);
    }
    contenders.push(['spawn mount + umount', () => {
      for (let i = 0; i < SPAWN_BATCH; i++) {
        const t0 = process.hrtime.bigint();
        const m = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o', legacyData, stack.target]);
        const u = spawnSync('umount', [stack.target]);
        if (m.status !== 0 || u.status !== 0) throw new Error(`mount(8) failed: ${m.stderr}${u.stderr}`);
        add('spawn mount + umount', Number(process.hrtime.bigint() - t0));
      }
    }]);

    const loadBefore = loadavg();
    for (let round = 0; round <= ROUNDS; round++) {
      if (round === 1) {
        samples.clear(); // round 0 warms caches, JIT and the page cache
        cpu.clear();
      }
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]);
      for (const [, fn] of order) await fn();
    }
    const loadAfter = loadavg();

    const med = (name) => median(samples.get(name));
    const medCpu = (name) => (cpu.has(name) ? median(cpu.get(name)) : NaN);
    const threadedName = (api) => `C program, ${nodeThreads} idle threads (${api})`;
    const rows = contenders.map(([name]) => name).map((name) => {
      const api = /\((new|legacy)/.exec(name)?.[1] ?? 'legacy';
      const base = med(`C program (${api})`);
      const threaded = med(threadedName(api));
      return [
        name, samples.get(name).length, fmt(med(name)), fmt(percentile(samples.get(name), 90)), `${fmt(med(name) / base, 2)}x`, `${fmt(med(name) / threaded, 2)}x`,
        Number.isFinite(medCpu(name)) ? fmt(medCpu(name)) : '', Number.isFinite(medCpu(name)) ? `${fmt(medCpu(name) / medCpu(threadedName(api)), 2)}x` : '',
      ];
    });
    console.log('\n## mount + umount cycle (µs; ratios to the C program using the same API)\n');
    printTable(['method', 'n', 'median', 'p90', 'vs C', 'vs C+threads', 'cpu/cycle', 'cpu vs C+threads'], rows);
    const spawn = med('spawn mount + umount');
    console.log(`\nspawning mount(8)+umount(8) / mountOverlaySync (new API): ${fmt(spawn / med('mountOverlaySync (new)'), 1)}x`);
    console.log(`spawning mount(8)+umount(8) / mountOverlay (new API):     ${fmt(spawn / med('mountOverlay (new)'), 1)}x`);

    const threaded = threadedName('new');
    console.log(`\n## against the floor (new API; C with Node's ${nodeThreads} threads, elapsed median / CPU median)\n`);
    console.log(`mountOverlaySync: ${fmt(med('mountOverlaySync (new)') / med(threaded), 2)}x elapsed, ${fmt(medCpu('mountOverlaySync (new)') / medCpu(threaded), 2)}x CPU (target ≤ 1.10x)`);
    console.log(`mountOverlay:     ${fmt(med('mountOverlay (new)') / med(threaded), 2)}x elapsed, ${fmt(medCpu('mountOverlay (new)') / medCpu(threaded), 2)}x CPU (target ≤ 1.25x); vs C without threads ${fmt(med('mountOverlay (new)') / med('C program (new)'), 2)}x elapsed`);
    for (const api of ['new', 'legacy']) console.log(`thread-pool hops, ${api} API: ${await poolHops({ ...stack, api })}`);
    console.log(`load average (1, 5, 15 min): before ${loadBefore.map((x) => fmt(x, 2)).join(' ')}, after ${loadAfter.map((x) => fmt(x, 2)).join(' ')} on ${cpus().length} CPUs`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
