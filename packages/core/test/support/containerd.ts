/**
 * The real containerd for tests: a standalone daemon answering on the default socket (the
 * machine's, or one started here with its default config and stopped after — Docker's
 * managed containerd is not it: that one serves Docker, under /var/run/docker/containerd),
 * `ctr` in a namespace of the test's own, and the gate for the suites that need them.
 */
import { spawnSync } from 'node:child_process';
import { engineGate, ensureDaemon, waitFor } from './engine-daemons.js';

const gate = engineGate('containerd', ['containerd', 'ctr'], 'containerd');
/** describe for suites that need root, a private mount namespace and containerd. */
export const describeContainerd = gate.describe;
/** Call first inside a describeContainerd body (see engine-daemons.ts). */
export const requireContainerd = gate.require;

/** Run ctr in namespace `ns`; its stdout, trimmed. Throws with its stderr when it fails. */
export function ctr(ns: string, ...args: string[]): string {
  const r = spawnSync('ctr', ['-n', ns, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`ctr -n ${ns} ${args.join(' ')} exited with ${r.status}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** ctr's stdout as bytes (a tar). */
export function ctrBytes(ns: string, ...args: string[]): Buffer {
  const r = spawnSync('ctr', ['-n', ns, ...args], { maxBuffer: 256 << 20, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`ctr -n ${ns} ${args.join(' ')} exited with ${r.status}: ${r.stderr.toString().trim()}`);
  return r.stdout;
}

/** Make sure a standalone containerd answers on the default socket; when none does, start one (default config) and return how to stop it. */
export function ensureContainerd(): Promise<(() => Promise<void>) | undefined> {
  return ensureDaemon('containerd', [], () => spawnSync('ctr', ['version'], { encoding: 'utf8', timeout: 10_000 }).status === 0);
}

/** Remove everything of namespace `ns` (tasks, containers, images, then the namespace once GC has run). */
export async function removeNamespace(ns: string): Promise<void> {
  const list = (...args: string[]): string[] => {
    const r = spawnSync('ctr', ['-n', ns, ...args, '-q'], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.split('\n').filter((l) => l !== '') : [];
  };
  for (const t of list('tasks', 'ls')) {
    spawnSync('ctr', ['-n', ns, 'tasks', 'kill', '-s', 'KILL', t]);
    spawnSync('ctr', ['-n', ns, 'tasks', 'rm', '-f', t]);
  }
  for (const c of list('containers', 'ls')) spawnSync('ctr', ['-n', ns, 'containers', 'rm', c]);
  for (const i of list('images', 'ls')) spawnSync('ctr', ['-n', ns, 'images', 'rm', '--sync', i]);
  await waitFor(() => {
    // `snapshots ls` has no -q: the key is the first column after the header; children first.
    const snaps = spawnSync('ctr', ['-n', ns, 'snapshots', 'ls'], { encoding: 'utf8' }).stdout.split('\n').slice(1).map((l) => l.split(/\s+/)[0]!).filter((k) => k !== '');
    for (const s of snaps.reverse()) spawnSync('ctr', ['-n', ns, 'snapshots', 'rm', s]);
    for (const c of list('content', 'ls')) spawnSync('ctr', ['-n', ns, 'content', 'rm', c]);
    return spawnSync('ctr', ['namespaces', 'rm', ns]).status === 0;
  }, 20_000);
}
