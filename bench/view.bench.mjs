// The overlay as data, against what people use today, interleaved in one run:
// - openOverlay(layers).walk() vs `find <merged> -printf '%y %s %p\n'` over the kernel's mount;
// - changes() vs `find <upper>` (and vs `podman diff` when podman is installed: see podman-diff.bench.mjs);
// - readdir of one 50,000-entry merged dir vs `ls -f` on the mount;
// - peak RSS of a full walk, in a child process.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountOverlay, openOverlay } from '@ovl/core';
import { fmt, median, printTable } from './lib/stats.mjs';
import { generateStack, generateWideDir } from './lib/stack-gen.mjs';

const ROUNDS = Number(process.env.OVL_BENCH_ROUNDS ?? 5);

function timeSpawn(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${String(r.stderr).split('\n')[0]}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function timeAsync(fn) {
  const t0 = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
}

async function countWalk(view) {
  let n = 0;
  for await (const _ of view.walk()) n++;
  return n;
}

export async function run() {
  const base = mkdtempSync(join(tmpdir(), 'ovl-bench-view-'));
  try {
    const t0 = Date.now();
    const stack = generateStack(base);
    const wide = generateWideDir(base, 50_000);
    console.log(`generated 5 lowers x 20,000 entries + 20,000 upper changes + a 50,000-entry dir in ${Date.now() - t0} ms`);
    const merged = join(base, 'merged');
    const wideMerged = join(base, 'wide-merged');
    mkdirSync(merged);
    mkdirSync(wideMerged);
    const m1 = await mountOverlay({ lower: stack.lower, upper: stack.upper, work: stack.work, target: merged });
    const m2 = await mountOverlay({ lower: wide.lower, target: wideMerged });
    try {
      const view = await openOverlay({ lower: stack.lower, upper: stack.upper });
      const wideView = await openOverlay({ lower: wide.lower });
      const s = { walk: [], find: [], changes: [], findUpper: [], readdir: [], ls: [], findWide: [] };
      let entries = 0;
      let changeCount = 0;
      for (let round = 0; round <= ROUNDS; round++) {
        const w = await timeAsync(() => countWalk(view));
        const f = timeSpawn('find', [merged, '-printf', '%y %s %p\n']);
        const c = await timeAsync(() => view.changes());
        const fu = timeSpawn('find', [stack.upper]);
        const r = await timeAsync(() => wideView.readdir('/wide'));
        const l = timeSpawn('ls', ['-f', join(wideMerged, 'wide')]);
        const fw = timeSpawn('find', [join(wideMerged, 'wide'), '-maxdepth', '1', '-printf', '%y %s %p\n']);
        if (round === 0) {
          entries = w.result;
          changeCount = c.result.length;
          continue; // warm-up round
        }
        s.walk.push(w.ms);
        s.find.push(f);
        s.changes.push(c.ms);
        s.findUpper.push(fu);
        s.readdir.push(r.ms);
        s.ls.push(l);
        s.findWide.push(fw);
      }
      const kernelCount = Number(execFileSync('sh', ['-c', `find '${merged}' -mindepth 1 | wc -l`], { encoding: 'utf8' }));
      console.log(`\nmerged entries: view ${entries}, kernel ${kernelCount}; changes(): ${changeCount}`);
      console.log('\n## the overlay as data (ms, medians; ratio = ours / theirs, target in brackets)\n');
      const row = (name, ours, theirName, theirs, target) => [name, fmt(median(ours)), theirName, fmt(median(theirs)), `${fmt(median(ours) / median(theirs), 2)}x`, target];
      printTable(['ours', 'ms', 'theirs', 'ms', 'ratio', 'target'], [
        row('walk() offline view', s.walk, "find merged -printf '%y %s %p'", s.find, '<= 1.5x'),
        row('changes()', s.changes, 'find upper', s.findUpper, '<= 1.5x'),
        row("readdir('/wide') 50k", s.readdir, 'ls -f merged/wide', s.ls, '<= 1.5x'),
        // ls -f reads names only; readdir also stats every entry (size, mode, mtime, provenance).
        row("readdir('/wide') 50k", s.readdir, "find merged/wide -maxdepth 1 -printf '%y %s %p'", s.findWide, '(same work)'),
      ]);
      const rss = execFileSync(process.execPath, ['--input-type=module', '-e', `
        import { openOverlay } from '@ovl/core';
        const view = await openOverlay(${JSON.stringify({ lower: stack.lower, upper: stack.upper })});
        let n = 0; for await (const _ of view.walk()) n++;
        console.log(JSON.stringify({ n, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
      `], { encoding: 'utf8', cwd: new URL('.', import.meta.url).pathname });
      const { maxRssMB } = JSON.parse(rss);
      const idle = JSON.parse(execFileSync(process.execPath, ['-e', 'console.log(JSON.stringify({ maxRssMB: process.resourceUsage().maxRSS / 1024 }))'], { encoding: 'utf8' })).maxRssMB;
      console.log(`\npeak RSS of a full walk in a fresh process: ${fmt(maxRssMB)} MB (target < 200 MB; an idle node process: ${fmt(idle)} MB)`);
    } finally {
      await m1.unmount();
      await m2.unmount();
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
