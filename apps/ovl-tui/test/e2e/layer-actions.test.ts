// The layer actions of ovl-tui in tmux, on real layers offline: X exports the upper as an OCI
// layer tar (GNU tar reads it), V finds a whiteout that hides nothing and removes it after y,
// C commits the upper into a new layer dir.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { sys } from '@ovl/core';
import { describeMounting } from '../support/privileged.js';
import { Tmux } from '../support/tmux.js';

let tmux: Tmux;
let base: string;
beforeEach(() => {
  tmux = new Tmux(200, 40);
  base = mkdtempSync(join(tmpdir(), 'ovl-tui-layers-'));
});
afterEach(() => {
  tmux.kill();
  rmSync(base, { recursive: true, force: true });
});

/** lower: etc/hosts, etc/old.conf; upper: etc/hosts changed, etc/old.conf deleted, never-was deleted (hides nothing), new.txt. */
function makeLayers(): { lower: string; upper: string } {
  const lower = join(base, 'lower');
  const upper = join(base, 'upper');
  mkdirSync(join(lower, 'etc'), { recursive: true });
  mkdirSync(join(upper, 'etc'), { recursive: true });
  writeFileSync(join(lower, 'etc', 'hosts'), '127.0.0.1 localhost\n');
  writeFileSync(join(lower, 'etc', 'old.conf'), 'old\n');
  writeFileSync(join(upper, 'etc', 'hosts'), '127.0.0.1 localhost\n10.0.0.1 db\n');
  writeFileSync(join(upper, 'new.txt'), 'new\n');
  sys.mknod(join(upper, 'etc', 'old.conf'), sys.constants.S_IFCHR, 0, 0);
  sys.mknod(join(upper, 'never-was'), sys.constants.S_IFCHR, 0, 0);
  return { lower, upper };
}

/** Replace the prompt's suggested text with `text` and submit it. */
function answer(text: string): void {
  tmux.keys('-N', '400', 'BSpace');
  tmux.type(text);
  tmux.keys('Enter');
}

describeMounting('layer actions in ovl-tui', () => {
  it('X exports, V vacuums after y, C commits into a new layer', async () => {
    const { lower, upper } = makeLayers();
    tmux.start(['--lower', lower, '--upper', upper]);
    await tmux.waitFor(/new\s+new\.txt/);

    const tar = join(base, 'out', 'changes.tar');
    mkdirSync(join(base, 'out'));
    tmux.keys('X');
    await tmux.waitFor('export layer to: ');
    answer(tar);
    await tmux.waitFor(`Exported to ${tar}:`);
    const listed = spawnSync('tar', ['-tf', tar], { encoding: 'utf8' });
    expect(listed.stderr).toBe('');
    expect(listed.stdout.trim().split('\n').sort()).toEqual(['.wh.never-was', 'etc/', 'etc/.wh.old.conf', 'etc/hosts', 'new.txt']);

    tmux.keys('V');
    await tmux.waitFor('Vacuum found 1 whiteout hiding nothing. Remove them? (y/n)');
    tmux.keys('y');
    await tmux.waitFor('Vacuum removed 1 entry from the upper');
    expect(existsSync(join(upper, 'never-was'))).toBe(false);

    const layer = join(base, 'committed');
    tmux.keys('C');
    await tmux.waitFor("commit into new layer dir ('top' = the top lower): ");
    answer(layer);
    await tmux.waitFor(`Committed the upper into the new layer ${layer}`);
    expect(readdirSync(layer).sort()).toEqual(['etc', 'new.txt']);
    tmux.keys('q');
    await tmux.waitFor('EXIT=0');
  });
});
