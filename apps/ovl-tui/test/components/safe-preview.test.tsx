// The preview as root over a layer a container changes while we look (issue 14): the app,
// with the real service over a real offline view, previews a file that was swapped for a
// symlink to a host file or for a FIFO after the tree was read. The pane says the file
// changed; it never shows the host file, and nothing hangs.
import React from 'react';
import { mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../src/ui/App.js';
import { InputGate } from '../../src/terminal/input-gate.js';
import { openSession } from '../../src/service/open-session.js';
import type { OverlayService } from '../../src/service/types.js';
import { manualPreview, renderUi, type Rendered } from '../support/render.js';

const SECRET = 'HOST SECRET, never to be shown';
let base: string;
let service: OverlayService | undefined;
let ui: Rendered | undefined;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'ovl-tui-safe-'));
  for (const d of ['lower', 'upper']) spawnSync('mkdir', [join(base, d)]);
  writeFileSync(join(base, 'secret'), `${SECRET}\n`);
  // In a lower layer: the live watch follows upper only, so the tree keeps what it read (as
  // with a stopped container's layers, or between two of the watch's turns).
  writeFileSync(join(base, 'lower', 'a.txt'), 'plain a\n');
  writeFileSync(join(base, 'lower', 'b.txt'), 'plain b\n');
});
afterEach(async () => {
  ui?.unmount();
  await service?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('preview of a layer file swapped after the tree was read', () => {
  it('a symlink to a host file or a FIFO in its place: the pane says it changed, shows nothing of the host, and does not hang', async () => {
    service = await openSession({ kind: 'offline', lower: [join(base, 'lower')], upper: join(base, 'upper') });
    // The cursor rests only when the test says so: the swap happens between the read of the tree and the preview.
    const { schedule, rest } = manualPreview();
    ui = renderUi(<App service={service} openEditor={() => ({ status: 0 })} gate={new InputGate()} size={{ columns: 100, rows: 20 }} schedulePreview={schedule} />);
    await ui.waitFor('b.txt');
    unlinkSync(join(base, 'lower', 'a.txt'));
    symlinkSync(join(base, 'secret'), join(base, 'lower', 'a.txt'));
    await rest('/a.txt');
    const f = await ui.waitFor('changed while reading');
    expect(f).not.toContain(SECRET);

    unlinkSync(join(base, 'lower', 'b.txt'));
    expect(spawnSync('mkfifo', [join(base, 'lower', 'b.txt')]).status).toBe(0);
    ui.press('j');
    await rest('/b.txt');
    await ui.waitFor((fr) => /b\.txt/.test(fr) && /changed while reading: a fifo/.test(fr));
  });
});
