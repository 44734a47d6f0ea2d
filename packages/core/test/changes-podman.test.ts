/**
 * view.changes() against `podman diff` on a real podman container: a two-layer image
 * built here (a rootfs tar imported, then a commit adding whiteouts and an opaque dir),
 * a container created from it (never started), mounted with `podman mount`, changed
 * through its merged dir — then openOverlay(merged).changes(), minus the paths podman
 * leaves out (PODMAN_IGNORED_PATHS), must be exactly what `podman diff` prints.
 *
 * Needs root, a private mount namespace and podman. Without podman the suite skips, or
 * fails under OVL_REQUIRE_PRIVILEGED=1 (CI installs podman).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, lstatSync, lutimesSync, mkdirSync, readdirSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openOverlay, PODMAN_IGNORED_PATHS, type Change, type OverlayView } from '../src/index.js';
import { bestEffort, describePodman, podman, requirePodman } from './support/podman.js';
import { makeBase, removeBase, writeTree, type Tree } from './support/layers.js';

/** `podman diff --format json` as sorted changes. */
function podmanDiff(ctr: string): Change[] {
  const out = JSON.parse(podman('diff', '--format', 'json', ctr)) as { added?: string[] | null; changed?: string[] | null; deleted?: string[] | null };
  const changes: Change[] = [
    ...(out.added ?? []).map((path): Change => ({ path, kind: 'A' })),
    ...(out.changed ?? []).map((path): Change => ({ path, kind: 'C' })),
    ...(out.deleted ?? []).map((path): Change => ({ path, kind: 'D' })),
  ];
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Every mtime in the image: a whole second, as tar keeps it. */
const IMAGE_TIME = 1_600_000_000;

/** Set atime and mtime of everything under `dir` (children first) to `sec`. */
function setTimes(dir: string, sec: number): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (lstatSync(p).isDirectory()) setTimes(p, sec);
    else lutimesSync(p, sec, sec);
  }
  utimesSync(dir, sec, sec);
}

describePodman('changes() vs podman diff', () => {
  if (!requirePodman()) return;

  const tag = `ovl-test-${process.pid}-${Date.now().toString(36)}`;
  const image1 = `localhost/${tag}:base`;
  const image2 = `localhost/${tag}:two-layers`;
  const builder = `${tag}-builder`;
  const ctr = `${tag}-ctr`;
  let base: string | undefined;
  let merged = '';

  beforeAll(() => {
    base = makeBase('ovl-podman-');
    const rootfs = writeTree(join(base, 'rootfs'), {
      bin: { sh: '#!/bin/false: never started\n' },
      etc: {
        'os-release': 'NAME=ovl-test\nID=ovl\n',
        'modify-me': 'before\n',
        'chmod-me': 'mode\n',
        'delete-me': 'bye\n',
        'gone-in-l2': 'removed by the second layer\n',
      },
      usr: { share: { doc: { a: { b: 'doc b\n', c: 'doc c\n' } } } },
      var: { lib: { x: 'x\n' }, touched: { t: 't\n' }, empty: {}, 'same-second': {}, 'next-second': {}, 'previous-second': {} },
      opt: { del: { f1: 'f1\n', sub: { f2: 'f2\n' } } },
      srv: { repl: { old1: 'old1\n', old2: 'old2\n' }, 'l2-replaced': { was: 'was\n' } },
      tmp: {},
      home: {},
    });
    symlinkSync('os-release', join(rootfs, 'etc', 'link'));
    symlinkSync('/nonexistent', join(rootfs, 'etc', 'dangling'));
    chmodSync(join(rootfs, 'tmp'), 0o1777);
    // Fixed, whole-second times: which dirs count as changed must not depend on the clock.
    setTimes(rootfs, IMAGE_TIME);
    const tar = join(base, 'rootfs.tar');
    const t = spawnSync('tar', ['--numeric-owner', '-C', rootfs, '-cf', tar, '.'], { encoding: 'utf8' });
    if (t.status !== 0) throw new Error(`tar failed: ${t.stderr}`);
    podman('import', '-q', tar, image1);

    // A second layer: a whiteout, an opaque dir, an added dir, a modified file.
    podman('create', '-q', '--name', builder, image1, '/bin/sh');
    const bm = podman('mount', builder);
    unlinkSync(join(bm, 'etc', 'gone-in-l2'));
    rmSync(join(bm, 'srv', 'l2-replaced'), { recursive: true });
    mkdirSync(join(bm, 'srv', 'l2-replaced'));
    writeFileSync(join(bm, 'srv', 'l2-replaced', 'now'), 'now\n');
    writeTree(join(bm, 'opt', 'l2-added'), { file: 'l2 file\n', keep: 'l2 keep\n' });
    appendFileSync(join(bm, 'usr', 'share', 'doc', 'a', 'b'), 'layer 2\n');
    podman('umount', builder);
    podman('commit', '-q', builder, image2);
    podman('rm', builder);

    podman('create', '-q', '--name', ctr, image2, '/bin/sh');
    merged = podman('mount', ctr);
  }, 180_000);

  afterAll(() => {
    bestEffort(
      () => podman('umount', ctr),
      () => podman('umount', builder),
      () => podman('rm', '-f', ctr),
      () => podman('rm', '-f', builder),
      () => podman('rmi', '-f', image2),
      () => podman('rmi', '-f', image1),
    );
    if (base !== undefined) removeBase(base);
  }, 180_000);

  it('changes() after edits through the merged dir equals podman diff', async () => {
    const m = (...p: string[]): string => join(merged, ...p);
    // added: files, a dir with contents, a symlink, a file in a lower dir that was empty, a deep file
    writeFileSync(m('new.txt'), 'new\n');
    writeFileSync(m('with space, and: colon.txt'), 'awkward\n');
    writeFileSync(m('etc', 'new.conf'), 'conf\n');
    writeTree(m('newdir'), { sub: { f: 'f\n' }, g: 'g\n' });
    symlinkSync('new.conf', m('etc', 'newlink'));
    writeFileSync(m('tmp', 'x'), 'x\n');
    writeFileSync(m('usr', 'share', 'doc', 'a', 'new'), 'deep\n');
    // modified, chmod-ed, deleted lower files
    appendFileSync(m('etc', 'modify-me'), 'after\n');
    chmodSync(m('etc', 'chmod-me'), 0o600);
    unlinkSync(m('etc', 'delete-me'));
    unlinkSync(m('opt', 'l2-added', 'file'));
    // a deleted lower dir; a lower dir replaced by a new one of the same name (opaque)
    rmSync(m('opt', 'del'), { recursive: true });
    rmSync(m('srv', 'repl'), { recursive: true });
    mkdirSync(m('srv', 'repl'));
    writeFileSync(m('srv', 'repl', 'new'), 'new\n');
    // the same over a dir the second layer already replaced (opaque there too)
    rmSync(m('srv', 'l2-replaced'), { recursive: true });
    mkdirSync(m('srv', 'l2-replaced'));
    // a name the second layer whited out, created again
    writeFileSync(m('etc', 'gone-in-l2'), 'back\n');
    // a lower file replaced by a dir
    unlinkSync(m('bin', 'sh'));
    mkdirSync(m('bin', 'sh'));
    // created then deleted: nothing of it remains
    writeFileSync(m('var', 'lib', 'tmpfile'), 'tmp\n');
    unlinkSync(m('var', 'lib', 'tmpfile'));
    // a touched lower dir
    const later = new Date(Date.now() + 5000);
    utimesSync(m('var', 'touched'), later, later);
    // dirs whose new mtime has nanoseconds while the image's has none: podman compares
    // seconds only then (sameFsTime), so the same second is unchanged, any other second is C
    utimesSync(m('var', 'same-second'), IMAGE_TIME, IMAGE_TIME + 0.25);
    utimesSync(m('var', 'next-second'), IMAGE_TIME, IMAGE_TIME + 1.5);
    utimesSync(m('var', 'previous-second'), IMAGE_TIME, IMAGE_TIME - 0.5);

    // paths podman bind-mounts at run time and leaves out of its diff (exact paths only)
    writeFileSync(m('etc', 'hostname'), 'ovl-test\n');
    writeFileSync(m('etc', 'hosts'), '127.0.0.1 localhost\n');
    mkdirSync(m('run'));
    writeFileSync(m('run', '.containerenv'), '');
    writeFileSync(m('run', 'kept'), 'kept\n');

    const view = await openOverlay(merged);
    expect(view.layers.lower).toHaveLength(2);
    const ignored = new Set(PODMAN_IGNORED_PATHS);
    const ours = (await view.changes()).filter((c) => !ignored.has(c.path));
    const theirs = podmanDiff(ctr);
    if (process.env.OVL_VERBOSE === '1') console.log(theirs.map((c) => `${c.kind} ${c.path}`).join('\n'));

    // a readable difference first, then the exact comparison
    const key = (c: Change): string => `${c.kind} ${c.path}`;
    const a = new Set(ours.map(key));
    const b = new Set(theirs.map(key));
    expect({ onlyInChanges: [...a].filter((k) => !b.has(k)), onlyInPodmanDiff: [...b].filter((k) => !a.has(k)) }).toEqual({ onlyInChanges: [], onlyInPodmanDiff: [] });
    expect(ours).toEqual(theirs);
    // and what the scenario is about is really there
    expect(theirs).toEqual(
      expect.arrayContaining([
        { path: '/new.txt', kind: 'A' },
        { path: '/newdir', kind: 'A' },
        { path: '/newdir/sub/f', kind: 'A' },
        { path: '/etc/modify-me', kind: 'C' },
        { path: '/etc/chmod-me', kind: 'C' },
        { path: '/etc/delete-me', kind: 'D' },
        { path: '/opt/del', kind: 'D' },
        { path: '/var/touched', kind: 'C' },
      ]),
    );
    expect(theirs.some((c) => c.path === '/var/lib/tmpfile')).toBe(false);
    expect(theirs.some((c) => c.path === '/var/same-second')).toBe(false);
    // the filter matters: changes() itself reports what podman leaves out
    const all = await view.changes();
    expect(all).toEqual(expect.arrayContaining([{ path: '/etc/hostname', kind: 'A' }, { path: '/run', kind: 'A' }, { path: '/run/.containerenv', kind: 'A' }]));
    expect(theirs).toContainEqual({ path: '/run/kept', kind: 'A' });
  });

  /**
   * A container of its own, from a one-layer image of `tree` (whole-second times): `change`
   * edits it through its merged dir, then changes() (minus podman's ignored paths) must be
   * what `podman diff` says, and must hold each of `wanted` ('KIND /path'). `precondition`
   * checks that the layers are what the case is about.
   */
  async function comparedWithPodman(name: string, tree: Tree, change: (merged: string) => void, wanted: string[], precondition?: (view: OverlayView) => void): Promise<void> {
    const ctrName = `${tag}-${name}`;
    const imageName = `localhost/${tag}:${name}`;
    try {
      const rootfs = writeTree(join(base!, `${name}-rootfs`), tree);
      setTimes(rootfs, IMAGE_TIME);
      const tar = join(base!, `${name}.tar`);
      const t = spawnSync('tar', ['--numeric-owner', '-C', rootfs, '-cf', tar, '.'], { encoding: 'utf8' });
      if (t.status !== 0) throw new Error(`tar failed: ${t.stderr}`);
      podman('import', '-q', tar, imageName);
      podman('create', '-q', '--name', ctrName, imageName, '/bin/sh');
      const m = podman('mount', ctrName);
      change(m);
      const ignored = new Set(PODMAN_IGNORED_PATHS);
      const view = await openOverlay(m);
      precondition?.(view);
      const ours = (await view.changes()).filter((c) => !ignored.has(c.path));
      const theirs = podmanDiff(ctrName);
      expect(ours.length).toBe(theirs.length);
      expect(ours).toEqual(theirs);
      const said = new Set(theirs.map((c) => `${c.kind} ${c.path}`));
      expect(wanted.filter((k) => !said.has(k))).toEqual([]);
    } finally {
      bestEffort(
        () => podman('umount', ctrName),
        () => podman('rm', '-f', ctrName),
        () => podman('rmi', '-f', imageName),
      );
    }
  }

  it('a change spread over 1,100 dirs (read many dirs per native call) equals podman diff', async () => {
    // More dirs at one level than the walk reads in all its calls at once, each with a
    // lower dir: the batches are cut, and each upper dir must meet its own lower dirs.
    const dirs = 1100;
    const wide: Tree = {};
    for (let d = 0; d < dirs; d++) wide[`d${d}`] = { gone: `gone ${d}\n`, kept: `kept ${d}\n`, grown: `grown ${d}\n` };
    const change = (m: string): void => {
      for (let d = 0; d < dirs; d++) {
        const dir = join(m, 'wide', `d${d}`);
        if (d % 4 === 0) unlinkSync(join(dir, 'gone'));
        if (d % 4 === 1) appendFileSync(join(dir, 'grown'), 'more\n');
        if (d % 4 === 2) writeFileSync(join(dir, 'new'), 'new\n');
        if (d % 4 === 3) mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
      }
      for (let d = 0; d < dirs; d += 100) writeTree(join(m, 'added', `a${d}`), { f: 'f\n', sub: { g: 'g\n' } });
    };
    // every kind of change, in the last dirs of the level too
    await comparedWithPodman('wide', { wide }, change, ['D /wide/d1096/gone', 'C /wide/d1097/grown', 'A /wide/d1098/new', 'A /wide/d1099/sub/deeper', 'A /added/a1000/sub/g']);
  }, 180_000);

  it('a few changes in a lower dir of 3,000 entries (looked up by name, not read whole) equal podman diff', async () => {
    const big: Tree = { sub: { a: 'a\n', deep: { x: 'x\n' } }, touched: { t: 't\n' }, replaced: { old: 'old\n' }, 'file-to-dir': 'f\n' };
    for (let i = 0; i < 3000; i++) big[`lib${i}.so`] = `lib ${i}\n`;
    const change = (m: string): void => {
      const dir = join(m, 'big');
      for (let i = 0; i < 3000; i += 500) unlinkSync(join(dir, `lib${i}.so`));
      for (let i = 1; i < 3000; i += 500) appendFileSync(join(dir, `lib${i}.so`), 'more\n');
      for (let i = 0; i < 5; i++) writeFileSync(join(dir, `new${i}.so`), 'new\n');
      writeFileSync(join(dir, 'sub', 'b'), 'b\n');
      unlinkSync(join(dir, 'sub', 'deep', 'x'));
      const later = new Date(Date.now() + 5000);
      utimesSync(join(dir, 'touched'), later, later);
      rmSync(join(dir, 'replaced'), { recursive: true });
      mkdirSync(join(dir, 'replaced'));
      unlinkSync(join(dir, 'file-to-dir'));
      mkdirSync(join(dir, 'file-to-dir'));
    };
    // what the case is about: the lower dir is far bigger (st_size) than the upper one over it
    const bigLower = (view: OverlayView): void => {
      expect(lstatSync(join(view.layers.lower[0]!, 'big')).size).toBeGreaterThanOrEqual(8 * lstatSync(join(view.layers.upper!, 'big')).size);
    };
    await comparedWithPodman('big', { big }, change, [
      'D /big/lib0.so', 'C /big/lib1.so', 'A /big/new4.so', 'A /big/sub/b', 'D /big/sub/deep/x', 'C /big/touched', 'D /big/replaced', 'D /big/file-to-dir',
    ], bigLower);
  }, 180_000);
});
