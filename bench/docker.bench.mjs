// Docker read from disk against Docker's own answers, in the same run, interleaved:
// - listContainers() with 300 containers (`docker create`) vs `docker ps -a`;
// - openContainer(name).changes() vs `docker diff` on a running container that made 5,000
//   changes to an image of 20,000 files (busybox-static, no registry needed).
// When no daemon answers, one is started here (`dockerd --iptables=false --ip6tables=false
// --bridge=none`, inside the benchmarks' private mount namespace) and stopped after; skipped
// (with a line saying so) when Docker is not installed.
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listContainers, openContainer } from '@ovl/core';
import { fmt, median, printTable } from './lib/stats.mjs';

const ROUNDS = Number(process.env.OVL_BENCH_ROUNDS ?? 5);
const CONTAINERS = 300;
const docker = (...args) => execFileSync('docker', args, { encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
const dockerAsync = promisify(execFile).bind(null, 'docker');

/** Run `jobs` (functions returning promises) `width` at a time. */
async function inParallel(jobs, width) {
  const queue = [...jobs];
  await Promise.all(Array.from({ length: width }, async () => {
    while (queue.length > 0) await queue.shift()();
  }));
}

/**
 * Time `ours` and `theirs` alternately; [median, min] of each in ms (the first round warms up
 * and is dropped). The minimum is printed too: on a loaded machine the medians of runs this
 * short swing by 3x from one run to the next.
 */
async function race(ours, theirs, rounds = ROUNDS) {
  const a = [];
  const b = [];
  for (let round = 0; round <= rounds; round++) {
    const t0 = process.hrtime.bigint();
    await ours();
    const t1 = process.hrtime.bigint();
    await theirs();
    const t2 = process.hrtime.bigint();
    if (round === 0) continue;
    a.push(Number(t1 - t0) / 1e6);
    b.push(Number(t2 - t1) / 1e6);
  }
  return [median(a), Math.min(...a), median(b), Math.min(...b)];
}

const dockerAnswers = () => spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 15_000 }).status === 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A dockerd that answers: the machine's, or one started here; returns how to stop the latter. */
async function ensureDockerd(base) {
  if (dockerAnswers()) return async () => {};
  const logFile = join(base, 'dockerd.log');
  const log = openSync(logFile, 'a');
  const child = spawn('dockerd', ['--iptables=false', '--ip6tables=false', '--bridge=none'], { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  const exited = new Promise((r) => child.once('exit', r));
  child.once('error', () => {});
  for (const end = Date.now() + 60_000; !dockerAnswers(); await sleep(200)) {
    if (Date.now() > end || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`dockerd did not answer within 60 s: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
  }
  return async () => {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000)]);
    if (existsSync(`/proc/${child.pid}`)) child.kill('SIGKILL');
  };
}

function busyboxRootfs(dir) {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync('/bin/busybox', join(dir, 'bin', 'busybox'));
  for (const applet of execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n')) {
    if (applet !== '' && applet !== 'busybox') symlinkSync('busybox', join(dir, 'bin', applet));
  }
}

export async function run() {
  if (spawnSync('docker', ['--version']).status !== 0 || spawnSync('dockerd', ['--version']).status !== 0) {
    console.log('Docker is not installed: skipped (apt-get install docker.io)');
    return;
  }
  const prefix = `ovl-bench-docker-${process.pid}`;
  const image = `${prefix}:image`;
  const names = Array.from({ length: CONTAINERS }, (_, i) => `${prefix}-${i}`);
  const changer = `${prefix}-changer`;
  const base = mkdtempSync(join(tmpdir(), 'ovl-bench-docker-'));
  let stopDockerd = async () => {};
  try {
    stopDockerd = await ensureDockerd(base);
    const rootfs = join(base, 'rootfs');
    busyboxRootfs(rootfs);
    for (let d = 0; d < 200; d++) {
      mkdirSync(join(rootfs, 'usr', `d${d}`), { recursive: true });
      for (let f = 0; f < 100; f++) writeFileSync(join(rootfs, 'usr', `d${d}`, `f${f}`), `image ${d}/${f}\n`);
    }
    execFileSync('tar', ['-C', rootfs, '-cf', join(base, 'rootfs.tar'), '.']);
    docker('import', join(base, 'rootfs.tar'), image);

    await inParallel(names.map((n) => () => dockerAsync(['create', '--name', n, image, 'true'])), 4);
    // The first listing in this process: nothing kept from an earlier one (config facts are
    // kept by their bytes, engines/docker/config-facts.ts), code not yet optimised.
    const t0 = process.hrtime.bigint();
    await listContainers({ engines: ['docker'] });
    const first = Number(process.hrtime.bigint() - t0) / 1e6;
    const list = await race(
      () => listContainers({ engines: ['docker'] }),
      () => dockerAsync(['ps', '-a', '--no-trunc'], { maxBuffer: 1 << 26 }),
      3 * ROUNDS,
    );
    const listed = (await listContainers({ engines: ['docker'] })).length;

    const script = 'cd /usr; for d in $(seq 0 49); do for f in $(seq 0 99); do case $((f % 3)) in 0) rm d$d/f$f;; 1) echo changed >> d$d/f$f;; 2) echo new > d$d/new$f;; esac; done; done; touch /ready; exec sleep 1000';
    docker('run', '-d', '--name', changer, image, 'sh', '-c', script);
    while (spawnSync('docker', ['exec', changer, 'test', '-e', '/ready']).status !== 0) await new Promise((r) => setTimeout(r, 200));
    const view = await openContainer(changer, { engine: 'docker' });
    const diff = await race(
      () => view.changes(),
      () => dockerAsync(['diff', changer], { maxBuffer: 1 << 26 }),
    );
    const counts = { ours: (await view.changes()).length, docker: docker('diff', changer).split('\n').length };

    console.log(`\n## Docker: ${listed} containers listed (the first listing in this process: ${fmt(first)} ms); ${counts.ours} changes (docker diff: ${counts.docker}); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
    const row = (ours, theirs, [om, omin, tm, tmin]) => [ours, fmt(om), fmt(omin), theirs, fmt(tm), fmt(tmin), `${fmt(tm / om, 1)}x`, `${fmt(tmin / omin, 1)}x`];
    printTable(['ours', 'median ms', 'min ms', 'theirs', 'median ms', 'min ms', 'faster (medians)', 'faster (mins)'], [
      row('listContainers()', 'docker ps -a', list),
      row('openContainer().changes()', 'docker diff (running)', diff),
    ]);
  } finally {
    await inParallel([changer, ...names].map((n) => () => dockerAsync(['rm', '-f', n]).catch(() => {})), 4);
    spawnSync('docker', ['rmi', '-f', image]);
    await stopDockerd();
    rmSync(base, { recursive: true, force: true });
  }
}
