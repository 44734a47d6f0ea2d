// An uncaught error in the running app: the terminal comes back (normal screen, cursor), the
// error is one line, and the service is still closed (which is where mounts are undone).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Tmux } from '../support/tmux.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/crash.mjs', import.meta.url));
let tmux: Tmux | undefined;
let dir: string | undefined;
afterEach(() => {
  tmux?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('an uncaught error', () => {
  it('restores the screen, prints the error and closes the service', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ovl-tui-crash-'));
    const marker = join(dir, 'closed');
    tmux = new Tmux(100, 30);
    tmux.start([marker], {}, FIXTURE);
    await tmux.waitFor('only.txt');
    process.kill(tmux.appPid(), 'SIGUSR2'); // the fixture throws from a timer now
    const screen = await tmux.waitFor('EXIT=1');
    expect(screen).toContain('ovl-tui: boom from a timer');
    expect(screen).not.toContain('merged tree');
    expect(existsSync(marker)).toBe(true);
  });
});
