/**
 * The real Docker for tests: a daemon to talk to (the machine's, or one started here and
 * stopped after), `docker` itself, and the gate for the suites that need them. Without
 * Docker those suites skip, or fail under OVL_REQUIRE_PRIVILEGED=1 (CI installs docker.io).
 *
 * A dockerd started here lives in the test's private mount namespace; one that was already
 * running lives in the machine's. Either way the reader must find it (engines/daemon-mounts.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { describeMounting } from './privileged.js';

const installed = spawnSync('dockerd', ['--version'], { encoding: 'utf8' }).status === 0 && spawnSync('docker', ['--version'], { encoding: 'utf8' }).status === 0;

/** describe for suites that need root, a private mount namespace and Docker. */
export const describeDocker: typeof describe = installed || process.env.OVL_REQUIRE_PRIVILEGED === '1' ? describeMounting : (describe.skip as typeof describe);

/** Call first inside a describeDocker body: without Docker (under OVL_REQUIRE_PRIVILEGED=1) it adds one failing case and says false. */
export function requireDocker(): boolean {
  if (installed) return true;
  it('docker is installed', () => {
    throw new Error("OVL_REQUIRE_PRIVILEGED=1 but Docker is not installed: install it (apt-get install -y docker.io; CI's .ci/run does).");
  });
  return false;
}

/** Run docker; its stdout, trimmed. Throws with its stderr when it fails. */
export function docker(...args: string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} exited with ${r.status}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

function daemonAnswers(): boolean {
  return spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 15_000 }).status === 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll `ready` every 100 ms for up to `ms`; false when it never said yes. */
export async function waitFor(ready: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (ready()) return true;
  return ready();
}

/**
 * Make sure a dockerd answers: when none does, start one as the README says
 * (`dockerd --iptables=false --ip6tables=false --bridge=none`) and return how to stop it;
 * undefined when the machine's daemon was already there (it is left alone).
 */
export async function ensureDockerd(): Promise<(() => Promise<void>) | undefined> {
  if (daemonAnswers()) return undefined;
  const logDir = mkdtempSync(join(tmpdir(), 'ovl-test-docker-log-'));
  const log = openSync(join(logDir, 'dockerd.log'), 'a');
  const child = spawn('dockerd', ['--iptables=false', '--ip6tables=false', '--bridge=none'], { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  if (!(await waitFor(daemonAnswers, 60_000))) {
    child.kill('SIGKILL');
    throw new Error(`dockerd did not answer within 60 s: ${readFileSync(join(logDir, 'dockerd.log'), 'utf8').slice(-2000)}`);
  }
  return async () => {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000)]);
    if (existsSync(`/proc/${child.pid}`)) child.kill('SIGKILL');
    rmSync(logDir, { recursive: true, force: true });
  };
}

/** `docker diff` as sorted {path, kind}. */
export function dockerDiff(ctr: string): Array<{ path: string; kind: 'A' | 'C' | 'D' }> {
  return docker('diff', ctr)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => ({ kind: l[0] as 'A' | 'C' | 'D', path: l.slice(2) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
