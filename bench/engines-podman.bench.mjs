// listContainers() and openContainer(ref).changes() against podman's own commands, in one run,
// on a store of the benchmark's own (podman --root/--runroot in a temp dir, removed after):
// 300 containers made from an imported image, then `podman ps -a --format json` vs
// listContainers(); and one container with 5,000 changes made through `podman mount` on an
// image of 20,000 entries, `podman diff --format json` vs openContainer(name).changes(),
// mounted and after `podman umount` (offline, from the layer dirs). Rounds are interleaved;
// the ratios are podman's median over ours. Skipped (with a line saying so) without podman.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listContainers, openContainer, PODMAN_IGNORED_PATHS } from '@ovl/core';
import { makeChanges, writeImageTree } from './lib/podman-fixture.mjs';
import { fmt, median, printTable } from './lib/stats.mjs';

const ROUNDS = Number(process.env.OVL_BENCH_ROUNDS ?? 5);
const CONTAINERS = Number(process.env.OVL_BENCH_PODMAN_CONTAINERS ?? 300);
const execFileAsync = promisify(execFile);

/** Interleaved rounds (the first a warm-up) of ours and theirs; medians in ms. */
async function race(ours, theirs) {
  const a = [];
  const b = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const t0 = process.hrtime.bigint();
    const x = await ours();
    const t1 = process.hrtime.bigint();
    const y = await theirs();
    const t2 = process.hrtime.bigint();
    if (round === 0) continue;
    a.push(Number(t1 - t0) / 1e6);
    b.push(Number(t2 - t1) / 1e6);
    race.last = { ours: x, theirs: y };
  }
  return { ours: median(a), theirs: median(b) };
}

export async function run() {
  if (spawnSync('podman', ['--version']).status !== 0) {
    console.log('podman is not installed: skipped (apt-get install podman)');
    return;
  }
  const base = mkdtempSync(join(tmpdir(), 'ovl-bench-engines-podman-'));
  const root = join(base, 'root');
  const runroot = join(base, 'run');
  const store = ['--root', root, '--runroot', runroot];
  const podman = (...args) => execFileSync('podman', [...store, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
  const podmanAsync = async (...args) => (await execFileAsync('podman', [...store, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 })).stdout;
  const opts = { engines: ['podman'], roots: { podman: root } };
  try {
    const rootfs = join(base, 'rootfs');
    writeImageTree(rootfs);
    execFileSync('tar', ['-C', rootfs, '-cf', join(base, 'rootfs.tar'), '.']);
    const image = 'localhost/ovl-bench-engines:1';
    podman('import', '-q', join(base, 'rootfs.tar'), image);

    // 300 containers, two podman processes at a time (the store's locks serialise the rest).
    const t0 = Date.now();
    for (let i = 0; i < CONTAINERS; i += 2) {
      await Promise.all([i, i + 1].filter((k) => k < CONTAINERS).map((k) => podmanAsync('create', '-q', '--name', `ovl-bench-c${k}`, image, '/x')));
    }
    console.log(`\n(${CONTAINERS} containers made in ${fmt((Date.now() - t0) / 1000)} s)`);
    const list = await race(
      async () => (await listContainers(opts)).length,
      async () => JSON.parse(await podmanAsync('ps', '-a', '--format', 'json')).length,
    );
    const counts = race.last;

    const ctr = 'ovl-bench-c0';
    const merged = podman('mount', ctr);
    makeChanges(merged);
    const ignored = new Set(PODMAN_IGNORED_PATHS);
    const ours = async () => (await (await openContainer(ctr, opts)).changes()).filter((c) => !ignored.has(c.path)).length;
    const theirs = async () => {
      const diff = JSON.parse(await podmanAsync('diff', '--format', 'json', ctr));
      return ['added', 'changed', 'deleted'].reduce((n, k) => n + (diff[k]?.length ?? 0), 0);
    };
    const mountedDiff = await race(ours, theirs);
    const mountedCounts = race.last;
    podman('umount', ctr);
    const offlineDiff = await race(ours, theirs);
    const offlineCounts = race.last;

    console.log(`\n## podman: listContainers() and openContainer().changes() vs podman (load average ${loadavg().map((l) => fmt(l, 2)).join(' ')})\n`);
    printTable(
      ['ours', 'ms', 'podman', 'ms', 'podman / ours', 'found (ours / podman)'],
      [
        ['listContainers()', fmt(list.ours), 'podman ps -a --format json', fmt(list.theirs), `${fmt(list.theirs / list.ours)}x`, `${counts.ours} / ${counts.theirs}`],
        ['openContainer().changes(), mounted', fmt(mountedDiff.ours), 'podman diff --format json', fmt(mountedDiff.theirs), `${fmt(mountedDiff.theirs / mountedDiff.ours)}x`, `${mountedCounts.ours} / ${mountedCounts.theirs}`],
        ['openContainer().changes(), unmounted', fmt(offlineDiff.ours), 'podman diff --format json', fmt(offlineDiff.theirs), `${fmt(offlineDiff.theirs / offlineDiff.ours)}x`, `${offlineCounts.ours} / ${offlineCounts.theirs}`],
      ],
    );
  } finally {
    spawnSync('podman', [...store, 'umount', '-a', '-f']);
    spawnSync('podman', [...store, 'rm', '-a', '-f']);
    spawnSync('podman', [...store, 'rmi', '-a', '-f']);
    rmSync(base, { recursive: true, force: true });
  }
}
