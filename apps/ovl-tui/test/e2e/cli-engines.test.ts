// The engine flags as scripts see them, without root or an engine: an empty store, a name
// that is not there, a bad OVL_TUI_ENGINES, and the picker asking for a terminal.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from '../support/tmux.js';

let base: string;
let env: Record<string, string>;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'ovl-tui-cli-engines-'));
  mkdirSync(join(base, 'storage'));
  env = { OVL_TUI_ENGINES: 'podman', OVL_TUI_PODMAN_ROOT: join(base, 'storage') };
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const cli = (args: string[], extra: Record<string, string> = env) => spawnSync(CLI, args, { encoding: 'utf8', env: { ...process.env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });

describe('ovl-tui engine flags', () => {
  it('--list on a store with nothing in it says so; --json prints an empty array', () => {
    const table = cli(['--list']);
    expect([table.status, table.stdout, table.stderr]).toEqual([0, 'No containers or images found.\n', '']);
    const json = cli(['--list', '--json']);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  it('a container that is not there: one sentence, a hint that says where it looked, exit 1', () => {
    const r = cli(['--json', '--container', 'web']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("ovl: no container named 'web'\n  hint: No containers were found: is the engine's storage on this machine, and readable (root)?\n");
  });

  it('refuses an engine it does not know, before reading anything', () => {
    const r = cli(['--list'], { OVL_TUI_ENGINES: 'podman,lxc' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^ovl-tui: OVL_TUI_ENGINES names an unknown engine 'lxc'\n {2}hint: Engine names are podman, docker, containerd/);
  });

  it('with no argument opens the picker, which needs a terminal (scripts are pointed at --list --json)', () => {
    const r = cli([]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the picker needs a terminal; for scripts use --list --json');
  });

  it('--help shows the new ways in', () => {
    const r = cli(['--help']);
    for (const flag of ['--container REF', '--image REF', '--list', '--engine E', 'OVL_TUI_PODMAN_ROOT']) expect(r.stdout).toContain(flag);
  });
});
