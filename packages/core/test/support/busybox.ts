/**
 * A tiny rootfs that really runs: the static busybox (Debian's busybox-static, /bin/busybox)
 * and a symlink per applet, plus the files a test wants. Containers need no registry then.
 */
import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const BUSYBOX = '/bin/busybox';

/** Write busybox and its applet links under `rootfs`/bin. */
export function writeBusybox(rootfs: string): string {
  const bin = join(rootfs, 'bin');
  mkdirSync(bin, { recursive: true });
  copyFileSync(BUSYBOX, join(bin, 'busybox'));
  const list = spawnSync(BUSYBOX, ['--list'], { encoding: 'utf8' });
  if (list.status !== 0) throw new Error(`${BUSYBOX} --list failed (is busybox-static installed?): ${list.stderr}`);
  for (const applet of list.stdout.split('\n')) if (applet !== '' && applet !== 'busybox') symlinkSync('busybox', join(bin, applet));
  return rootfs;
}
