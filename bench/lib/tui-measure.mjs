// Child process of tui.bench.mjs (so its peak RSS is ovl-tui's alone): renders the real app
// in-process with Ink to a fake stdout (no terminal, no tmux), attached to the mounted
// overlay given as argv[2], and measures: time to the first frame with rows, keypress→frame
// latency while scrolling, and frame gaps while another process makes a burst of changes
// through the merged dir. Prints one JSON line.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

// Set up as the CLI sets itself up: CI mode off before the bundled Ink loads (it reads the
// environment then), heap growth once it runs.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
// argv: the merged dir, the burst's size, the entries in the dir, and the ovl-tui package to
// measure (default: this checkout's; another checkout's for a before/after comparison).
const [merged, burstCount, entries] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const app = new URL(`${process.argv[5] ?? '../../apps/ovl-tui'}/dist/`, import.meta.url);
const { openSession, prepareRuntime, renderApp } = await loadApp(app);
prepareRuntime();

/** The app's in-process entry points: the bundle's run-app.js, or an unbundled dist/ (ovl-tui before the bundle). */
async function loadApp(dist) {
  const bundle = await import(new URL('run-app.js', dist).href);
  if (bundle.renderApp) return bundle;
  const at = (f) => import(new URL(f, dist).href);
  // React and Ink as that app resolves them (a second React would break its hooks).
  const dependency = (name) => import(pathToFileURL(createRequire(new URL('cli.js', dist)).resolve(name)).href);
  const [React, { render }, { App }, { INK_RENDER_OPTIONS }, runtime, session] = await Promise.all([
    dependency('react').then((m) => m.default), dependency('ink'), at('ui/App.js'), at('terminal/ink-options.js'), at('terminal/runtime.js'), at('service/open-session.js'),
  ]);
  const renderApp = (service, { openEditor, ...streams }) => render(React.createElement(App, { service, openEditor }), { ...INK_RENDER_OPTIONS, ...streams });
  return { openSession: session.openSession, prepareRuntime: runtime.prepareRuntime, renderApp };
}

class FakeStdout extends EventEmitter {
  columns = 120;
  rows = 40;
  frames = 0;
  last = '';
  times = [];
  write(s) {
    this.frames++;
    this.last = s;
    this.times.push(performance.now());
    this.emit('frame', s);
    return true;
  }
}
class FakeStdin extends EventEmitter {
  isTTY = true;
  queue = [];
  setEncoding() {}
  setRawMode() {}
  ref() {}
  unref() {}
  resume() {}
  pause() {}
  read() {
    return this.queue.shift() ?? null;
  }
  press(s) {
    this.queue.push(s);
    this.emit('readable');
  }
}

const stdout = new FakeStdout();
const stdin = new FakeStdin();
const nextFrame = (timeoutMs = 5000, match = () => true) =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no frame within ${timeoutMs} ms`)), timeoutMs);
    const on = (s) => {
      if (!match(s)) return;
      clearTimeout(t);
      stdout.off('frame', on);
      resolve(performance.now());
    };
    stdout.on('frame', on);
  });

// Time to first frame: from opening the overlay to the first frame that shows tree rows.
const t0 = performance.now();
const firstRows = nextFrame(60_000, (s) => s.includes('entry-'));
// The whole dir: rows on screen and the tree title no longer saying 'loading…' (pieces come first).
const allRows = nextFrame(60_000, (s) => s.includes('entry-') && !s.includes('loading…'));
let anyFrameMs = NaN;
stdout.once('frame', () => (anyFrameMs = performance.now() - t0));
const service = await openSession({ kind: 'attach', merged, json: false });
// G as soon as it can work: when the names are read (a build that reports them), else when
// the first rows show. Then k and j alternately, a key per ~20 ms, until the dir is in.
let namesAt;
const landed = nextFrame(60_000, (s) => s.includes(`${entries}/${entries}`));
const readdirChunks = service.readdirChunks.bind(service);
// The names count as read when core hands them over, before the app does anything with them
// (whether it lays them out at once or in a later turn, that time is the user's wait for G).
service.readdirChunks = (path, onNames) =>
  readdirChunks(path, (names) => {
    namesAt ??= performance.now();
    onNames?.(names);
    setImmediate(() => stdin.press('G'));
  });
const instance = renderApp(service, { openEditor: () => ({ status: 0 }), stdout, stdin, stderr: stdout, patchConsole: false });
const firstFrameMs = (await firstRows) - t0;
if (namesAt === undefined) stdin.press('G');
const gPressedAt = namesAt ?? performance.now();
let loaded = false;
// A G pressed while the end was unknown (an app that lays out only what it has examined)
// lands on the last row examined so far: the user presses G again once the dir is in.
let gLanded = false;
void allRows.then(() => {
  loaded = true;
  if (!gLanded) stdin.press('G');
});
void landed.then(() => (gLanded = true));
const loadingLatency = [];
const gLandMs = (await landed) - t0;
for (let i = 0; !loaded; i++) {
  const p = nextFrame(2000).catch(() => performance.now() + 1e9);
  const t = performance.now();
  stdin.press(i % 2 ? 'j' : 'k');
  loadingLatency.push((await p) - t);
  await new Promise((r) => setTimeout(r, 20));
}
const fullLoadMs = (await allRows) - t0;
const top = nextFrame();
stdin.press('gg');
await top;
const memAfterLoad = { maxRss: process.resourceUsage().maxRSS * 1024 };
// Memory at each phase: JS heap in use, RSS now, and peak RSS so far (MB).
const phases = {};
const mark = (name) => {
  const m = process.memoryUsage();
  const mb = (x) => Math.round(x / 2 ** 20);
  phases[name] = { heapMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), externalMB: mb(m.external), rssMB: mb(m.rss), peakMB: Math.round(process.resourceUsage().maxRSS / 1024) };
};
mark('loaded');

// Keypress → frame while scrolling: one key, wait for the frame it causes, next key.
const latency = [];
for (let i = 0; i < 300; i++) {
  const key = i % 50 === 49 ? '\x1b[6~' : 'j'; // mostly j, a PgDn now and then
  const p = nextFrame();
  const t = performance.now();
  stdin.press(key);
  latency.push((await p) - t);
  await new Promise((r) => setTimeout(r, 20)); // a person's key repeat, not a flood
}

mark('scrolled');

// Burst: another process makes `burstCount` changes through merged (3 of 4 new files, 1 of 4
// appends that copy a lower file up) while we keep scrolling every 20 ms.
const histogram = monitorEventLoopDelay({ resolution: 5 });
const burst = spawn(process.execPath, ['-e', `
  const fs = require('node:fs');
  const n = ${burstCount};
  for (let i = 0; i < n; i++) {
    if (i % 4 === 3) fs.appendFileSync('${merged}/entry-' + i, 'x');
    else fs.writeFileSync('${merged}/burst-' + i, 'new');
  }
`], { stdio: 'inherit' });
const burstDone = new Promise((r) => burst.on('exit', r));
const framesFrom = stdout.times.length;
histogram.enable();
const tb = performance.now();
const cpuBefore = process.cpuUsage();
let running = true;
void burstDone.then(() => (running = false));
const keyLatency = [];
while (running) {
  const p = nextFrame(2000).catch(() => performance.now() + 1e9);
  const t = performance.now();
  stdin.press(stdout.frames % 2 ? 'j' : 'k');
  keyLatency.push((await p) - t);
  await new Promise((r) => setTimeout(r, 20));
}
const burstMs = performance.now() - tb;
const burstCpu = process.cpuUsage(cpuBefore);
mark('burst');
histogram.disable();
const times = stdout.times.slice(framesFrom);
const gaps = [];
for (let i = 1; i < times.length; i++) gaps.push(times[i] - times[i - 1]);
gaps.sort((a, b) => b - a);
const maxGap = gaps[0] ?? 0;

// Catch-up: the tree holds every new file (rows counted in the title 'i/N').
const expected = entries + burstCount - Math.floor(burstCount / 4);
const tc = performance.now();
const total = () => Number(/merged tree\s+\d+\/(\d+)/.exec(stdout.last)?.[1] ?? 0);
while (total() < expected && performance.now() - tc < 60_000) {
  stdin.press('k');
  await nextFrame(1000).catch(() => undefined);
}
const catchUpMs = performance.now() - tc;
mark('caught up');

instance.unmount();
await service.close();
console.log(JSON.stringify({
  firstFrameMs, fullLoadMs, phases, namesMs: namesAt === undefined ? undefined : namesAt - t0, gLandMs, gFromPressMs: gLandMs - (gPressedAt - t0), loadingLatency, latency, topGaps: gaps.slice(0, 5), burstCpuMs: (burstCpu.user + burstCpu.system) / 1000, keyLatency, maxGap, frames: times.length, burstMs, catchUpMs, rowsAfter: total(), expected,
  loopDelayMaxMs: histogram.max / 1e6, anyFrameMs, rssAfterLoadMB: memAfterLoad.maxRss / 2 ** 20, maxRssMB: process.resourceUsage().maxRSS / 1024,
}));
process.exit(0);
