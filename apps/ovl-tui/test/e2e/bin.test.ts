// The `ovl-tui` command npm links (node_modules/.bin in the repo, the global bin dir after
// `npm install -g`): bin/ovl-tui.js, a fixed file that loads dist/cli.js.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STARTUP_ENV, STARTUP_V8_FLAGS } from '../../src/terminal/runtime.js';

const SHIM = fileURLToPath(new URL('../../bin/ovl-tui.js', import.meta.url));
const REPO_BIN = fileURLToPath(new URL('../../../../node_modules/.bin/ovl-tui', import.meta.url));

const firstLine = (file: string) => readFileSync(file, 'utf8').split('\n')[0];

describe('the ovl-tui bin', () => {
  it('starts node with the startup environment and V8 flags, as the CLI itself does', () => {
    expect(firstLine(SHIM)).toBe(`#!/usr/bin/env -S ${STARTUP_ENV.join(' ')} node ${STARTUP_V8_FLAGS.join(' ')}`);
    expect(firstLine(SHIM)).toBe(firstLine(fileURLToPath(new URL('../../src/cli.ts', import.meta.url))));
  });

  it('is linked into the repo by npm ci, and runs the built CLI', () => {
    expect(realpathSync(REPO_BIN)).toBe(realpathSync(SHIM));
    const r = spawnSync(REPO_BIN, ['--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ovl-tui --demo');
  });

  it('without a build says to run it, in one line, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ovl-tui-bin-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(SHIM, join(dir, 'bin', 'ovl-tui.js'));
      const r = spawnSync(process.execPath, [join(dir, 'bin', 'ovl-tui.js'), '--help'], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^ovl-tui: the app is not built \(dist\/cli\.js is missing\): run `npm run build` .*\n$/);
      expect(r.stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
