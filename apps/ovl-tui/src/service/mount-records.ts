/**
 * What ovl-tui has mounted, recorded on disk so that a mount outlives a killed ovl-tui only
 * until the next start: one small JSON file per mount under /run/ovl/ (OVL_RUN_DIR for
 * tests), written atomically (a temp file renamed into place), removed once the mount is
 * gone on a clean exit. /run is a tmpfs: records do not survive a reboot, nor do the mounts.
 *
 * A record is a leftover when its process is gone — no such pid, or the pid now belongs to a
 * process that started at another time (pids are reused; /proc/<pid>/stat field 22 is the
 * start time in clock ticks since boot) — and an overlay with the recorded layers is still
 * mounted on its target. A record whose process is gone and whose mount is gone is stale and
 * is removed quietly. Only records made in this mount namespace are looked at: a mount made
 * in another (a container's, a test's private one) is invisible here. Records not owned by this user are ignored: a record names a mount to
 * undo and a dir to remove, so only one root wrote may be trusted by root.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { overlayMountAt, unmount, type OverlayMountInfo } from '@ovl/core';

export interface MountRecord {
  pid: number;
  /** /proc/<pid>/stat start time (clock ticks since boot) of the process that mounted. */
  startTime: number;
  /** The mount namespace it mounted in (/proc/self/ns/mnt): its mount is visible only there. */
  mntNs: string;
  target: string;
  lower: string[];
  upper?: string;
  work?: string;
  /** A temp dir ovl-tui made for this mount (the demo): removed with it. */
  ownedDir?: string;
}

export interface Leftover {
  file: string;
  record: MountRecord;
}

/** Where records live: /run/ovl, or $OVL_RUN_DIR (tests). */
export function recordsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OVL_RUN_DIR !== undefined && env.OVL_RUN_DIR !== '' ? env.OVL_RUN_DIR : '/run/ovl';
}

/** The start time of process `pid` (clock ticks since boot), or undefined when there is no such process. */
export function processStartTime(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = Number(fields[19]); // field 22 overall; fields[0] is field 3
  return Number.isFinite(start) ? start : undefined;
}

function mountNamespace(): string {
  return readlinkSync('/proc/self/ns/mnt');
}

/** Record a mount this process made; returns the record's file, for forgetMount. */
export function recordMount(mount: Omit<MountRecord, 'pid' | 'startTime' | 'mntNs'>, dir = recordsDir()): string {
  const record: MountRecord = { pid: process.pid, startTime: processStartTime(process.pid) ?? 0, mntNs: mountNamespace(), ...mount };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.json`;
  const temp = join(dir, `.${name}.tmp`);
  writeFileSync(temp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  renameSync(temp, join(dir, name));
  return join(dir, name);
}

/** Remove a record (the mount it names is gone, or was kept on purpose). */
export function forgetMount(file: string): void {
  rmSync(file, { force: true });
}

function readRecord(file: string): MountRecord | undefined {
  try {
    const st = lstatSync(file);
    if (!st.isFile() || st.uid !== process.getuid?.()) return undefined;
    const r = JSON.parse(readFileSync(file, 'utf8')) as MountRecord;
    const paths = [r.mntNs, r.target, ...r.lower, r.upper ?? '', r.work ?? '', r.ownedDir ?? ''];
    if (!Number.isInteger(r.pid) || !Number.isInteger(r.startTime) || !Array.isArray(r.lower) || paths.some((p) => typeof p !== 'string')) return undefined;
    return r;
  } catch {
    return undefined;
  }
}

function processAlive(r: MountRecord): boolean {
  return processStartTime(r.pid) === r.startTime;
}

/** Whether the overlay mounted on the record's target now is the one recorded (same layers). */
function isRecordedMount(r: MountRecord, info: OverlayMountInfo | undefined): boolean {
  return info !== undefined && info.target === r.target && info.upper === r.upper && info.lower.join('\0') === r.lower.join('\0');
}

/**
 * Records whose process is gone and whose mount is still there. Stale records (process and
 * mount both gone) are removed on the way; records of live processes are left alone.
 */
export async function findLeftovers(dir = recordsDir()): Promise<Leftover[]> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    return [];
  }
  const out: Leftover[] = [];
  const ns = mountNamespace();
  for (const name of names.sort()) {
    const file = join(dir, name);
    const record = readRecord(file);
    // Another namespace's mount cannot be seen from here, so it cannot be told gone either.
    if (record === undefined || record.mntNs !== ns || processAlive(record)) continue;
    if (isRecordedMount(record, await overlayMountAt(record.target))) out.push({ file, record });
    else forgetMount(file);
  }
  return out;
}

/** One line about a leftover, for a prompt or a report. */
export function describeLeftover({ record: r }: Leftover): string {
  const layers = `lower ${r.lower.join(', ')}${r.upper !== undefined ? `, upper ${r.upper}` : ''}`;
  return `${r.target} (${layers}), mounted by ovl-tui pid ${r.pid}, which is gone`;
}

/**
 * Unmount a leftover, remove the temp dir ovl-tui made for it (the demo's), and its record.
 * @throws core's SystemError when the unmount is refused (EBUSY: something uses it); the record then stays.
 */
export async function cleanUpLeftover({ file, record }: Leftover): Promise<void> {
  // Checked again right before: another ovl-tui --cleanup may have been quicker.
  if (isRecordedMount(record, await overlayMountAt(record.target))) await unmount(record.target);
  // Only a dir the mount lived in (the demo's temp dir holds its merged dir): a record is data.
  if (record.ownedDir !== undefined && record.target.startsWith(`${record.ownedDir}/`)) rmSync(record.ownedDir, { recursive: true, force: true });
  forgetMount(file);
}
