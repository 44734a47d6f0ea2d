/**
 * overlayfs explains most refusals only in the kernel log (the checks of
 * fs/overlayfs/super.c use pr_err, not the fs_context log). After a failed mount — never
 * before a mount, it would cost ~20 µs on every success — read the overlayfs lines logged
 * since the attempt started from /dev/kmsg, so the error can carry them.
 */
import { closeSync, openSync, constants as fsConstants, readSync } from 'node:fs';

/**
 * CLOCK_MONOTONIC now, in microseconds. /dev/kmsg stamps records with the scheduler clock,
 * which runs close to it but behind (1.3 ms on our VMs after 10 minutes of uptime), hence
 * the slack below.
 */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** How far before the attempt a record may be stamped and still belong to it. */
const CLOCK_SLACK_MICROS = 2_000_000;

/** One record of the kernel log: its sequence number (unique while the machine runs) and text. */
export interface KernelRecord {
  seq: number;
  text: string;
}

/** overlayfs lines (`overlayfs: ...`, and `overlay: ...` from its option parser) logged at or after `sinceMicros`; [] when /dev/kmsg is unreadable. */
export function overlayKernelMessagesSince(sinceMicros: number): KernelRecord[] {
  let fd: number;
  try {
    fd = openSync('/dev/kmsg', fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch {
    return [];
  }
  const out: KernelRecord[] = [];
  const buf = Buffer.alloc(8192);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        // EPIPE: a record was overwritten while reading; go on. EAGAIN: no more records.
        if ((e as NodeJS.ErrnoException).code === 'EPIPE') continue;
        break;
      }
      if (n <= 0) break;
      // Record: "prio,seq,usec,flags;message\n"
      const rec = buf.toString('utf8', 0, n);
      const semi = rec.indexOf(';');
      const [, seq, usec] = rec.slice(0, semi).split(',').map(Number);
      const msg = rec.slice(semi + 1).split('\n')[0] ?? '';
      if (usec! >= sinceMicros - CLOCK_SLACK_MICROS && /^overlay(fs)?: /.test(msg)) out.push({ seq: seq!, text: msg });
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

