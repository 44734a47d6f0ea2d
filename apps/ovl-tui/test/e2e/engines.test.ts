// ovl-tui on real podman (a store of the test's own): --list, --json --container/--image against
// podman's own diff, the errors for a name that is not there and a store that cannot be read,
// and in tmux: a container opened by name with its writes in the live panel, the picker
// listing it, and an image's layer list with a layer opened as what it changed.
import { spawnSync } from 'node:child_process';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { PODMAN_IGNORED_PATHS } from '@ovl/core';
import { describePodman, PodmanStore, PREFIX } from '../support/podman-store.js';
import { CLI, Tmux } from '../support/tmux.js';

let store: PodmanStore;
let web: { id: string; merged: string };
let tmux: Tmux | undefined;

function cli(args: string[], env: Record<string, string> = store.env(), asNonRoot = false) {
  const [cmd, argv] = asNonRoot ? ['unshare', ['--user', '--', CLI, ...args]] : [CLI, args];
  return spawnSync(cmd, argv as string[], { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Changes as `podman diff` lists them (PodmanStore.diff): its run-time paths left out, `KIND path`, sorted. */
function asPodmanDiff(changes: Array<{ kind: string; path: string }>): string[] {
  const ignored = new Set<string>(PODMAN_IGNORED_PATHS);
  return changes.filter((c) => !ignored.has(c.path)).map((c) => `${c.kind} ${c.path}`).sort();
}

describePodman('ovl-tui on real podman', () => {
  beforeAll(() => {
    store = new PodmanStore();
    store.importImage('base', { 'etc/os-release': 'ID=ovl-test\n', 'etc/hosts': '127.0.0.1 localhost\n', 'etc/old.conf': 'old\n', 'bin/tool': '#!/bin/sh\n' });
    // A container changed through podman mount, then committed: the app image's second layer.
    const build = store.mountedContainer('build', 'base');
    writeFileSync(join(build.merged, 'etc/motd'), 'welcome\n');
    writeFileSync(join(build.merged, 'etc/os-release'), 'ID=ovl-test\nVERSION=2\n');
    rmSync(join(build.merged, 'etc/old.conf'));
    store.podman('commit', '-q', `${PREFIX}build`, `${PREFIX}app`);
    store.podman('umount', `${PREFIX}build`);
    web = store.mountedContainer('web', 'app');
    writeFileSync(join(web.merged, 'web.txt'), 'served\n');
  });
  afterAll(() => store?.remove());
  afterEach(() => {
    tmux?.kill();
    tmux = undefined;
  });

  it('--list shows the containers and images with engine, name, short id, image and state', () => {
    const r = cli(['--list']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^container\\s+podman\\s+${PREFIX}web\\s+${web.id.slice(0, 12)}\\s+localhost/${PREFIX}app:latest\\s+created, mounted$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^container\\s+podman\\s+${PREFIX}build\\s+[0-9a-f]{12}\\s+localhost/${PREFIX}base:latest\\s+created$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^image\\s+podman\\s+localhost/${PREFIX}app:latest\\s+[0-9a-f]{12}\\s+-\\s+2 layers`, 'm'));
  });

  it('--list --json gives each container its layer dirs, as podman inspect has them', () => {
    const r = cli(['--list', '--json']);
    expect(r.status).toBe(0);
    const all = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    const c = all.find((x) => x.kind === 'container' && x.name === `${PREFIX}web`)!;
    const inspect = JSON.parse(store.podman('inspect', web.id))[0].GraphDriver.Data as { LowerDir: string; UpperDir: string; WorkDir: string; MergedDir: string };
    expect(c).toMatchObject({ engine: 'podman', id: web.id, state: 'created', mounted: true, upper: inspect.UpperDir, work: inspect.WorkDir, merged: inspect.MergedDir, lower: inspect.LowerDir.split(':') });
    const image = all.find((x) => x.kind === 'image' && x.name === `localhost/${PREFIX}app:latest`) as { layers: Array<{ index: number; dir: string }> };
    expect(image.layers.map((l) => l.index)).toEqual([0, 1]);
  });

  it('--json --container gives the tree with provenance and the changes podman diff reports, by name and by id prefix', () => {
    const diff = store.diff(web.id);
    for (const ref of [`${PREFIX}web`, web.id.slice(0, 10)]) {
      const r = cli(['--json', '--container', ref]);
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout);
      expect(out.mode).toBe('container');
      expect(out.subject).toEqual({ kind: 'container', engine: 'podman', name: `${PREFIX}web`, id: web.id, image: `localhost/${PREFIX}app:latest`, state: 'created, mounted' });
      expect(out.entries.find((e: { path: string }) => e.path === '/web.txt')).toMatchObject({ layer: 'upper', type: 'file' });
      expect(out.entries.find((e: { path: string }) => e.path === '/etc/motd')).toMatchObject({ layer: 0 });
      expect(asPodmanDiff(out.changes)).toEqual(diff);
    }
  });

  it('--json --container of a stopped (unmounted) container: the offline view of its layer dirs, read-only, the same changes as podman diff', () => {
    const r = cli(['--json', '--container', `${PREFIX}build`]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.target).toBe(`podman container ${PREFIX}build: offline view of its layer dirs (read-only)`);
    expect(out.subject).toMatchObject({ name: `${PREFIX}build`, state: 'created' });
    expect(out.options).toEqual({});
    expect(asPodmanDiff(out.changes)).toEqual(store.diff(`${PREFIX}build`));
  });

  it('--json --image gives the merged tree and what each layer changed', () => {
    const r = cli(['--json', '--image', `${PREFIX}app`]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.mode).toBe('image');
    expect(out.entries.map((e: { path: string; type: string }) => `${e.type} ${e.path}`)).toEqual(['dir /bin', 'file /bin/tool', 'dir /etc', 'file /etc/hosts', 'file /etc/motd', 'whiteout /etc/old.conf', 'file /etc/os-release']);
    expect(out.imageLayers).toHaveLength(2);
    expect(out.imageLayers[0].createdBy).toMatch(/ADD file:/);
    expect(out.imageLayers[1].changes.map((c: { kind: string; path: string }) => `${c.kind} ${c.path}`).sort()).toEqual(['A /etc/motd', 'C /etc', 'C /etc/os-release', 'D /etc/old.conf']);
  });

  it('a name that is not there: one sentence with the closest names, a hint, exit 1', () => {
    for (const args of [['--json', '--container', `${PREFIX}wbe`], ['--json', '--image', `${PREFIX}ap`]]) {
      const r = cli(args);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^ovl: no (container|image) named '${PREFIX}\\w+'; closest: .*${PREFIX}`));
      expect(r.stderr).toMatch(/\n {2}hint: .*ovl-tui --list shows them/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('an id prefix two containers share: names the candidates, says to give more, exit 1', () => {
    // Containers until two ids start with the same hex digit (17 at most, by pigeonhole).
    const ids = store.podman('ps', '-a', '-q', '--no-trunc').split('\n');
    const extra: string[] = [];
    const firstShared = () => ids.find((id, i) => ids.findIndex((o) => o[0] === id[0]) !== i)?.[0];
    try {
      while (firstShared() === undefined) {
        const id = store.podman('create', '-q', '--name', `${PREFIX}extra${extra.length}`, `${PREFIX}base`, '/bin/sh');
        extra.push(id);
        ids.push(id);
      }
      const prefix = firstShared()!;
      const r = cli(['--json', '--container', prefix]);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^ovl: '${prefix}' names [2-9] containers: podman ${prefix}[0-9a-f]{11} \\(${PREFIX}\\w+\\), podman ${prefix}`));
      expect(r.stderr).toMatch(/\n {2}hint: Give more of the id, or the full name\.\n$/);
    } finally {
      for (const id of extra) store.podman('rm', '-f', id);
    }
  });

  it('a store it may not read: says which, with a hint, and exits 1 (--list and --container)', () => {
    // Without capabilities (a user namespace of its own) the store's mode is all that counts.
    chmodSync(store.root, 0o000);
    try {
      for (const args of [['--list'], ['--json', '--container', `${PREFIX}web`]]) {
        const r = cli(args, store.env(), true);
        expect(r.status, `${args.join(' ')}: ${r.stdout} ${r.stderr}`).toBe(1);
        expect(r.stdout).not.toContain('No containers');
        expect(r.stderr.startsWith(`ovl: podman storage '${store.root}/`)).toBe(true);
        expect(r.stderr).toMatch(/is there but cannot be read \(EACCES\)\n {2}hint: .*OVL_TUI_PODMAN_ROOT/);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      chmodSync(store.root, 0o700);
    }
  });

  it('opens a container by name in tmux: the header names it, the live panel shows its writes as they happen', async () => {
    tmux = new Tmux(140, 40);
    tmux.start(['--container', `${PREFIX}web`], store.env());
    let screen = await tmux.waitFor(/new\s+web\.txt/);
    expect(screen).toContain(`podman container ${PREFIX}web  ${web.id.slice(0, 12)}  image localhost/${PREFIX}app:latest  created, mounted`);
    expect(screen).toContain(`ovl-tui  ${web.merged}  [container]`);
    writeFileSync(join(web.merged, 'later.txt'), 'written while watched\n');
    screen = await tmux.waitFor(/added\s+\/later\.txt/);
    expect(screen).toMatch(/new\s+later\.txt/);
    tmux.type('q');
    await tmux.waitFor('EXIT=0');
  });

  it('the picker lists the container and the images; Enter opens one, Esc comes back, an image shows its layers', async () => {
    tmux = new Tmux(150, 40);
    tmux.start([], store.env());
    let screen = await tmux.waitFor(`${PREFIX}web`);
    expect(screen).toMatch(new RegExp(`container\\s+podman\\s+${PREFIX}web\\s+${web.id.slice(0, 12)}`));
    expect(screen).toMatch(new RegExp(`image\\s+podman\\s+localhost/${PREFIX}app:latest\\s+[0-9a-f]{12}\\s+2 layers`));
    tmux.type(`/${PREFIX}web`);
    tmux.keys('Enter', 'Enter');
    screen = await tmux.waitFor(/new\s+web\.txt/);
    expect(screen).toContain(`podman container ${PREFIX}web`);
    tmux.keys('Escape');
    await tmux.waitFor(`1 of`);
    // The image's layer list: base first, each with its size and the command that made it.
    tmux.type('/image app');
    tmux.keys('Enter', 'Enter');
    screen = await tmux.waitFor(/layers of localhost\/ovl-test-tui-app:latest/);
    expect(screen).toMatch(/^>?\s+all\s+\S+\s+every layer merged/m);
    expect(screen).toMatch(/^\s+0\s+\S+\s+ADD file:/m);
    expect(screen).toMatch(/^\s+1\s+\S+\s+\S/m);
    tmux.keys('G');
    await tmux.waitFor('1 added, 2 changed, 1 deleted');
    tmux.keys('Enter');
    screen = await tmux.waitFor(/new\s+motd/);
    expect(screen).toMatch(/cp-up\s+os-release/);
    expect(screen).toMatch(/del\s+old\.conf/);
    expect(screen).not.toMatch(/\btool\b/); // unchanged by this layer: not shown
    tmux.type('/os-release');
    tmux.keys('Enter', 'd');
    await tmux.waitFor('+ VERSION=2');
    tmux.keys('Escape');
    await tmux.waitFor('layers of');
    tmux.type('q');
    await tmux.waitFor('EXIT=0');
  });
});
