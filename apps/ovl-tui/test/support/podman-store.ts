/**
 * A real podman store for ovl-tui's end-to-end tests, in a temp dir of its own (podman
 * --root/--runroot), so the tests never touch the machine's containers: an image imported
 * from a tar, a container changed through `podman mount` (podman run fails here: crun's
 * setrlimit is refused), and that container committed as a second image. ovl-tui reads the
 * store through OVL_TUI_PODMAN_ROOT (env()). Every name starts with `ovl-test-tui-`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { describeMounting } from './privileged.js';

const hasPodman = spawnSync('podman', ['--version']).status === 0;

/** Suites that need root, a private mount namespace and podman; without podman they skip, or fail under OVL_REQUIRE_PRIVILEGED=1. */
export const describePodman: typeof describe = hasPodman ? describeMounting : process.env.OVL_REQUIRE_PRIVILEGED === '1' ? ((name: string) => describe(name, () => it('podman is installed (apt-get install -y podman)', () => { throw new Error('OVL_REQUIRE_PRIVILEGED=1 but podman is not installed'); }))) as typeof describe : (describe.skip as typeof describe);

export const PREFIX = 'ovl-test-tui-';

export class PodmanStore {
  readonly base = mkdtempSync(join(tmpdir(), PREFIX));
  readonly root = join(this.base, 'root');
  readonly runroot = join(this.base, 'run');

  /** podman on this store; its stdout, trimmed (its stderr in the error when it fails). */
  podman(...args: string[]): string {
    return execFileSync('podman', ['--root', this.root, '--runroot', this.runroot, '--storage-driver', 'overlay', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  }

  /** The environment that points ovl-tui at this store (and at podman only). */
  env(): Record<string, string> {
    return { OVL_TUI_ENGINES: 'podman', OVL_TUI_PODMAN_ROOT: this.root };
  }

  /** An image made with `podman import` from these files (path → content). */
  importImage(name: string, files: Record<string, string>): string {
    const rootfs = join(this.base, `rootfs-${name}`);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(rootfs, path, '..'), { recursive: true });
      writeFileSync(join(rootfs, path), content);
    }
    const tar = `${rootfs}.tar`;
    execFileSync('tar', ['-C', rootfs, '-cf', tar, '.']);
    return this.podman('import', '-q', tar, `${PREFIX}${name}`);
  }

  /** A container of `image`, created (never run), its rootfs mounted: returns [id, merged dir]. */
  mountedContainer(name: string, image: string): { id: string; merged: string } {
    const id = this.podman('create', '-q', '--name', `${PREFIX}${name}`, `${PREFIX}${image}`, '/bin/sh');
    return { id, merged: this.podman('mount', id) };
  }

  /** `podman diff --format json` as sorted `KIND path` lines. */
  diff(ref: string): string[] {
    const d = JSON.parse(this.podman('diff', '--format', 'json', ref)) as Record<'added' | 'changed' | 'deleted', string[] | null | undefined>;
    return [...(d.added ?? []).map((p) => `A ${p}`), ...(d.changed ?? []).map((p) => `C ${p}`), ...(d.deleted ?? []).map((p) => `D ${p}`)].sort();
  }

  /** Unmount and remove everything of this store, then the store. */
  remove(): void {
    for (const args of [['umount', '-a', '-f'], ['rm', '-a', '-f'], ['rmi', '-a', '-f']]) {
      try {
        this.podman(...args);
      } catch {
        // best effort: the next step and the rm below still run
      }
    }
    // podman keeps its overlay home bind-mounted while something is mounted: never delete through a mount.
    const mounted = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4]?.startsWith(this.base));
    if (!mounted) rmSync(this.base, { recursive: true, force: true });
  }
}
