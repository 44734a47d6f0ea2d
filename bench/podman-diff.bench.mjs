// changes() against `podman diff` on a real podman container: an image of 20,000 entries
// imported from a tar, a container made from it and mounted (`podman mount`), 5,000 changes
// made through its merged dir, then both asked what changed, interleaved. Skipped (with a
// line saying so) when podman is not installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openOverlay, PODMAN_IGNORED_PATHS } from '@ovl/core';
import { makeChanges, writeImageTree } from './lib/podman-fixture.mjs';
import { fmt, median, printTable } from './lib/stats.mjs';

const ROUNDS = Number(process.env.OVL_BENCH_ROUNDS ?? 5);
const podman = (...args) => execFileSync('podman', args, { encoding: 'utf8', maxBuffer: 1 << 28 }).trim();

export async function run() {
  if (spawnSync('podman', ['--version']).status !== 0) {
    console.log('podman is not installed: skipped (apt-get install podman)');
    return;
  }
  const base = mkdtempSync(join(tmpdir(), 'ovl-bench-podman-'));
  const tag = `localhost/ovl-bench:${process.pid}`;
  let ctr;
  try {
    const rootfs = join(base, 'rootfs');
    writeImageTree(rootfs);
    execFileSync('tar', ['-C', rootfs, '-cf', join(base, 'rootfs.tar'), '.']);
    podman('import', '-q', join(base, 'rootfs.tar'), tag);
    ctr = podman('create', tag, '/nonexistent');
    const merged = podman('mount', ctr);
    const made = makeChanges(merged);
    const view = await openOverlay(merged);
    const ignored = new Set(PODMAN_IGNORED_PATHS);
    const ours = [];
    const theirs = [];
    let counts;
    for (let round = 0; round <= ROUNDS; round++) {
      const t0 = process.hrtime.bigint();
      const changes = (await view.changes()).filter((c) => !ignored.has(c.path));
      const t1 = process.hrtime.bigint();
      const diff = JSON.parse(podman('diff', '--format', 'json', ctr));
      const t2 = process.hrtime.bigint();
      const podmanCount = ['added', 'changed', 'deleted'].reduce((n, k) => n + (diff[k]?.length ?? 0), 0);
      counts = { ours: changes.length, podman: podmanCount };
      if (round === 0) continue;
      ours.push(Number(t1 - t0) / 1e6);
      theirs.push(Number(t2 - t1) / 1e6);
    }
    console.log(`\n## changes() vs podman diff (${made} changes made; entries reported: ours ${counts.ours}, podman ${counts.podman})\n`);
    printTable(['ours', 'ms', 'theirs', 'ms', 'ratio'], [['changes()', fmt(median(ours)), 'podman diff --format json', fmt(median(theirs)), `${fmt(median(ours) / median(theirs), 2)}x`]]);
  } finally {
    if (ctr) {
      spawnSync('podman', ['umount', ctr]);
      spawnSync('podman', ['rm', '-f', ctr]);
    }
    spawnSync('podman', ['rmi', '-f', tag]);
    rmSync(base, { recursive: true, force: true });
  }
}
