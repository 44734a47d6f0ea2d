// Layers in and out against GNU tar, interleaved in one run, on an upper of 20,000 files and
// 500 MB (a few hundred big files, the rest small, in 200 dirs, with whiteouts):
// - exportLayer(upper) vs `tar --xattrs -cf` of the same dir (target <= 1.3x, aim < 1.0x);
// - applyLayer(tar, dir, { as: 'layer' }) vs `tar --xattrs -xf` (target <= 1.3x);
// - peak RSS of each in its own process (target < 150 MB: streaming, flat in the layer size).
// Ours are timed inside their process (Node's start-up excluded; it is ~40 ms here); tar's
// from outside (its start-up is ~1 ms).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWhiteout } from '@ovl/core';
import { fmt, median, printTable } from './lib/stats.mjs';

const ROUNDS = Number(process.env.OVL_BENCH_ROUNDS ?? 5);
const FILES = 20_000;
const BIG = 100;
const TOTAL = 500 << 20;

function makeUpper(root) {
  const lower = join(root, 'lower');
  const upper = join(root, 'upper');
  mkdirSync(lower);
  mkdirSync(upper);
  for (let i = 0; i < 100; i++) writeFileSync(join(lower, `old-${i}`), 'old');
  const small = FILES - BIG;
  const smallSize = 4096;
  const bigSize = Math.floor((TOTAL - small * smallSize) / BIG);
  const chunk = Buffer.alloc(bigSize, 0x61);
  for (let d = 0; d < 200; d++) mkdirSync(join(upper, `d${d}`));
  const page = Buffer.alloc(smallSize, 0x62);
  for (let i = 0; i < small; i++) writeFileSync(join(upper, `d${i % 200}`, `f${i}`), page);
  for (let i = 0; i < BIG; i++) writeFileSync(join(upper, `d${i % 200}`, `big${i}`), chunk);
  return { lower, upper };
}

function timeSpawn(cmd, args) {
  settleDisk();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${String(r.stderr).split('\n')[0]}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

// Dirty pages of the last round are written back first, so no run pays for another's writeback.
function settleDisk() {
  spawnSync('sync');
}

function ours(...args) {
  settleDisk();
  return JSON.parse(execFileSync(process.execPath, [new URL('./lib/layer-op.mjs', import.meta.url).pathname, ...args], { encoding: 'utf8' }));
}

export async function run() {
  const root = mkdtempSync(join(tmpdir(), 'ovl-bench-layers-'));
  try {
    const { lower, upper } = makeUpper(root);
    for (let i = 0; i < 50; i++) await createWhiteout(join(upper, `old-${i}`));
    const s = { export: [], tarC: [], apply: [], tarX: [], exportRss: [], applyRss: [] };
    const ourTar = join(root, 'ours.tar');
    for (let r = 0; r < ROUNDS; r++) {
      rmSync(ourTar, { force: true });
      const e = ours('export', lower, upper, ourTar);
      s.export.push(e.ms);
      s.exportRss.push(e.maxRssMB);
      s.tarC.push(timeSpawn('tar', ['--xattrs', '-cf', join(root, 'gnu.tar'), '-C', upper, '.']));
      rmSync(join(root, 'gnu.tar'));

      const into = join(root, 'applied');
      mkdirSync(into);
      const a = ours('apply', ourTar, into);
      s.apply.push(a.ms);
      s.applyRss.push(a.maxRssMB);
      rmSync(into, { recursive: true });
      mkdirSync(into);
      s.tarX.push(timeSpawn('tar', ['--xattrs', '-xf', ourTar, '-C', into]));
      rmSync(into, { recursive: true });
    }
    const row = (what, ms, alt, altMs, target) => [what, fmt(median(ms)), alt, fmt(median(altMs)), `${fmt(median(ms) / median(altMs), 2)}x`, target];
    console.log(`upper: ${FILES} files, ${TOTAL >> 20} MB; ${ROUNDS} rounds, medians; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    printTable(['ovl', 'ms', 'alternative', 'ms', 'ratio', 'target'], [
      row('exportLayer', s.export, 'tar --xattrs -cf', s.tarC, '<= 1.3x'),
      row("applyLayer as 'layer'", s.apply, 'tar --xattrs -xf', s.tarX, '<= 1.3x'),
    ]);
    console.log(`peak RSS: exportLayer ${fmt(Math.max(...s.exportRss))} MB, applyLayer ${fmt(Math.max(...s.applyRss))} MB (target < 150 MB)`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
