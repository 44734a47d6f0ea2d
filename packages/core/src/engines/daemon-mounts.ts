/**
 * Which overlays are mounted "somewhere on this machine". An engine daemon mounts a running
 * container's rootfs in its own mount namespace; a process in another namespace (a test in
 * a private one, a tool under unshare) does not see it in /proc/self/mountinfo. So we read
 * our own table and the tables of the daemon's processes (/proc/<pid>/mountinfo shows that
 * process's namespace), each namespace once. Those few small /proc files are read on this
 * thread: through the thread pool each cost a hop (four for a readFile), and on a loaded
 * machine the hops were a listing's largest wait.
 */
import { closeSync, constants, openSync, readFileSync, readlinkSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { parseMountInfo } from '../mount/mountinfo.js';

/** Pids whose /proc/<pid>/comm is one of `names` (a daemon and its shims). */
export async function pidsNamed(names: readonly string[]): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const pids = entries.filter((n) => /^\d+$/.test(n));
  const comms = await Promise.all(pids.map((p) => readFile(`/proc/${p}/comm`, 'utf8').catch(() => '')));
  return pids.filter((_, i) => names.includes(comms[i]!.trim())).map(Number);
}

/** The pid in `pidFile` when that process is alive and one of `names`; undefined otherwise. */
export async function pidFromFile(pidFile: string, names: readonly string[]): Promise<number | undefined> {
  const pid = Number(readOrEmpty(pidFile).trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return names.includes(readOrEmpty(`/proc/${pid}/comm`).trim()) ? pid : undefined;
}

/** The text of a small file, or '' when it cannot be read (a FIFO there gives '' at once, never a hang). */
function readOrEmpty(file: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    return readFileSync(fd, 'utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Mount points of overlays in our namespace and in each of `pids`' namespaces. A namespace
 * we may not look into (another user's process) is skipped: what it hides is then reported
 * as not mounted, which openContainer handles by opening offline.
 */
export async function overlayTargetsSeenBy(pids: readonly number[]): Promise<Set<string>> {
  const seen = new Set<string>();
  const targets = new Set<string>();
  for (const pid of ['self', ...pids.map(String)]) {
    let ns: string;
    let text: string;
    try {
      ns = readlinkSync(`/proc/${pid}/ns/mnt`);
      if (seen.has(ns)) continue;
      text = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
    } catch {
      continue;
    }
    seen.add(ns);
    for (const m of parseMountInfo(text)) if (m.fstype === 'overlay') targets.add(m.mountPoint);
  }
  return targets;
}
