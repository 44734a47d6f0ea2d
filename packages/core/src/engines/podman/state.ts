/**
 * Container state from libpod's database. podman 4.x (Debian's 4.3) keeps it in a bbolt file,
 * <graphroot>/libpod/bolt_state.db: bucket `ctr` → one bucket per container id → key `state`
 * (JSON; `state` is libpod's ContainerStatus number); bucket `runtime-config` → `run-root`, the
 * store's run root. Read whole under bbolt's lock (flock LOCK_SH; podman holds LOCK_EX while it
 * has the file open). Newer podman keeps a SQLite db.sql instead: not read here (no SQLite
 * without a heavy dependency on Node 20), so its containers' state is 'unknown'.
 *
 * The state is what podman last recorded: a container whose process died without podman
 * noticing still reads 'running' until podman next looks (as `podman ps` would sync it).
 */
import { join } from 'node:path';
import type { BoltDb } from '../bolt/pages.js';
import { viewBolt } from '../bolt/read.js';
import { corrupt, storageError } from '../storage-errors.js';

/** libpod/define/containerstate.go, in order; podman shows 'configured' as 'created'. */
const STATES = ['unknown', 'created', 'created', 'running', 'stopped', 'paused', 'exited', 'removing', 'stopping'];

export interface LibpodState {
  /** Container id → its state in podman's words. */
  states: Map<string, string>;
  /** The run root podman recorded for this store. */
  runroot?: string;
}

/**
 * What libpod recorded for the store at `graphroot` (nothing when it keeps no bolt db there).
 * Without `states` only the run root is read (a few pages, not every container's record):
 * what opening one container needs; the states map is then empty.
 */
export async function readLibpodState(graphroot: string, states = true): Promise<LibpodState> {
  const file = join(graphroot, 'libpod', 'bolt_state.db');
  try {
    const read = states ? viewBolt('podman', file, (db) => statesOf(file, db)) : viewBolt('podman', file, (db) => ({ states: new Map(), ...runrootOf(db) }), 'visited');
    return (await read) ?? { states: new Map() };
  } catch (e) {
    throw storageError('podman', file, e);
  }
}

function runrootOf(db: BoltDb): { runroot?: string } {
  const runroot = db.root.bucket('runtime-config')?.get('run-root')?.toString();
  return runroot !== undefined && runroot !== '' ? { runroot } : {};
}

function statesOf(file: string, db: BoltDb): LibpodState {
  const states = new Map<string, string>();
  for (const e of db.root.bucket('ctr')?.entries() ?? []) {
    const raw = e.bucket?.get('state');
    if (raw === undefined) continue;
    let state: unknown;
    try {
      state = (JSON.parse(raw.toString()) as { state?: unknown }).state;
    } catch (err) {
      throw corrupt('podman', file, `the state of container ${e.key.toString()} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    states.set(e.key.toString(), typeof state === 'number' ? (STATES[state] ?? 'unknown') : 'unknown');
  }
  return { states, ...runrootOf(db) };
}
