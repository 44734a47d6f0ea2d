/**
 * What the engine suites share: the gate (root, a private mount namespace and the engine's
 * binaries; a skip that OVL_REQUIRE_PRIVILEGED=1 turns into a failure) and a daemon started
 * for the suite when none answers, stopped after. A daemon that was already running is left
 * alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { describeMounting } from './privileged.js';

export interface EngineGate {
  /** describe for suites that need root, a private mount namespace and the engine. */
  describe: typeof describe;
  /** Call first inside the describe body: without the engine (under OVL_REQUIRE_PRIVILEGED=1) it adds one failing case and says false. */
  require: () => boolean;
}

/** The gate for an engine whose `binaries` all answer `--version`; `apt` names its Debian package. */
export function engineGate(label: string, binaries: readonly string[], apt: string): EngineGate {
  const installed = binaries.every((b) => spawnSync(b, ['--version'], { encoding: 'utf8' }).status === 0);
  return {
    describe: installed || process.env.OVL_REQUIRE_PRIVILEGED === '1' ? describeMounting : (describe.skip as typeof describe),
    require: () => {
      if (installed) return true;
      it(`${label} is installed`, () => {
        throw new Error(`OVL_REQUIRE_PRIVILEGED=1 but ${label} is not installed: install it (apt-get install -y ${apt}; CI's .ci/run does).`);
      });
      return false;
    },
  };
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
 * When `answers()` says no, start `command args` (its log in a temp dir) and wait until it
 * answers; returns how to stop it (SIGTERM, SIGKILL after 30 s), or undefined when a daemon
 * was already there.
 */
export async function ensureDaemon(command: string, args: readonly string[], answers: () => boolean): Promise<(() => Promise<void>) | undefined> {
  if (answers()) return undefined;
  const logDir = mkdtempSync(join(tmpdir(), `ovl-test-${command}-log-`));
  const logFile = join(logDir, `${command}.log`);
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  if (!(await waitFor(answers, 60_000))) {
    child.kill('SIGKILL');
    throw new Error(`${command} did not answer within 60 s: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
  }
  return async () => {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000)]);
    if (existsSync(`/proc/${child.pid}`)) child.kill('SIGKILL');
    rmSync(logDir, { recursive: true, force: true });
  };
}
