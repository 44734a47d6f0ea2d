// Child process of tui.bench.mjs (so its peak RSS is ovl-tui's alone): renders the real app
// in-process with Ink to a fake stdout (no terminal, no tmux), attached to the mounted
// overlay given as argv[2], and measures: time to the first frame with rows, keypress→frame
// latency while scrolling, and frame gaps while another process makes a burst of changes
// through the merged dir. Prints one JSON line.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';

// Set up as the CLI sets itself up (CI mode off, React's production build, heap growth), before Ink loads.
const { prepareRuntime } = await import('../../apps/ovl-tui/dist/terminal/runtime.js');
prepareRuntime();
const [merged, burstCount] = [process.argv[2], Number(process.argv[3])];
const React = (await import('react')).default;
const { render } = await import('ink');
const { App } = await import('../../apps/ovl-tui/dist/ui/App.js');
const { InputGate } = await import('../../apps/ovl-tui/dist/terminal/input-gate.js');
const { INK_RENDER_OPTIONS } = await import('../../apps/ovl-tui/dist/terminal/ink-options.js');
const { openSession } = await import('../../apps/ovl-tui/dist/service/open-session.js');

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
const instance = render(React.createElement(App, { service, openEditor: () => ({ status: 0 }), gate: new InputGate() }), {
  ...INK_RENDER_OPTIONS, stdout, stdin, stderr: stdout, patchConsole: false,
});
const firstFrameMs = (await firstRows) - t0;
const fullLoadMs = (await allRows) - t0;
const memAfterLoad = { maxRss: process.resourceUsage().maxRSS * 1024 };
// Memory at each phase: JS heap in use, RSS now, and peak RSS so far (MB).
const phases = {};
const mark = (name) => {
  const m = process.memoryUsage();
  phases[name] = { heapMB: Math.round(m.heapUsed / 2 ** 20), rssMB: Math.round(m.rss / 2 ** 20), peakMB: Math.round(process.resourceUsage().maxRSS / 1024) };
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
const expected = 100_000 + burstCount - Math.floor(burstCount / 4);
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
  firstFrameMs, fullLoadMs, phases, latency, topGaps: gaps.slice(0, 5), burstCpuMs: (burstCpu.user + burstCpu.system) / 1000, keyLatency, maxGap, frames: times.length, burstMs, catchUpMs, rowsAfter: total(), expected,
  loopDelayMaxMs: histogram.max / 1e6, anyFrameMs, rssAfterLoadMB: memAfterLoad.maxRss / 2 ** 20, maxRssMB: process.resourceUsage().maxRSS / 1024,
}));
process.exit(0);
