/**
 * The real Docker for tests: a daemon to talk to (the machine's, or one started here and
 * stopped after), `docker` itself, and the gate for the suites that need them. Without
 * Docker those suites skip, or fail under OVL_REQUIRE_PRIVILEGED=1 (CI installs docker.io).
 *
 * A dockerd started here lives in the test's private mount namespace; one that was already
 * running lives in the machine's. Either way the reader must find it (engines/daemon-mounts.ts).
 */
import { spawnSync } from 'node:child_process';
import { engineGate, ensureDaemon, waitFor } from './engine-daemons.js';

export { waitFor };

const gate = engineGate('Docker', ['dockerd', 'docker'], 'docker.io');
/** describe for suites that need root, a private mount namespace and Docker. */
export const describeDocker = gate.describe;
/** Call first inside a describeDocker body (see engine-daemons.ts). */
export const requireDocker = gate.require;

/** Run docker; its stdout, trimmed. Throws with its stderr when it fails. */
export function docker(...args: string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} exited with ${r.status}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/**
 * Make sure a dockerd answers: when none does, start one as the README says
 * (`dockerd --iptables=false --ip6tables=false --bridge=none`) and return how to stop it.
 */
export function ensureDockerd(): Promise<(() => Promise<void>) | undefined> {
  return ensureDaemon('dockerd', ['--iptables=false', '--ip6tables=false', '--bridge=none'], () => spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 15_000 }).status === 0);
}

/** `docker diff` as sorted {path, kind}. */
export function dockerDiff(ctr: string): Array<{ path: string; kind: 'A' | 'C' | 'D' }> {
  return docker('diff', ctr)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => ({ kind: l[0] as 'A' | 'C' | 'D', path: l.slice(2) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
