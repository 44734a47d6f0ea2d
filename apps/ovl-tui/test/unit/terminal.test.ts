// Handing the terminal to an editor and back, the input gate, colours.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { editorCommand, runEditor } from '../../src/terminal/editor.js';
import { InputGate } from '../../src/terminal/input-gate.js';
import { STARTUP_ENV, STARTUP_V8_FLAGS } from '../../src/terminal/runtime.js';
import { restoreScreenSequence } from '../../src/terminal/screen.js';
import { themeFromEnv } from '../../src/ui/theme.js';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('editor hand-over', () => {
  it('prefers $VISUAL, then $EDITOR, then vi', () => {
    expect(editorCommand({ VISUAL: 'nano', EDITOR: 'ed' })).toBe('nano');
    expect(editorCommand({ VISUAL: ' ', EDITOR: 'ed' })).toBe('ed');
    expect(editorCommand({})).toBe('vi');
  });

  it('does the five steps in order and runs the editor with its arguments on the file', () => {
    dir = mkdtempSync(join(tmpdir(), 'ovl-tui-editor-'));
    const file = join(dir, 'it.txt');
    const script = join(dir, 'ed.sh');
    writeFileSync(file, 'before\n');
    writeFileSync(script, '#!/bin/sh\necho "$1 $2" > "$2.args"\necho appended >> "$2"\n');
    chmodSync(script, 0o755);
    const log: string[] = [];
    const io = {
      stdout: { write: (s: string) => log.push(JSON.stringify(s)) },
      setRawMode: (on: boolean) => log.push(`raw ${on}`),
      pauseInput: () => log.push('pause'),
      resumeInput: () => log.push('resume'),
    };
    const r = runEditor(file, io, { ...process.env, VISUAL: `${script} --flag` });
    expect(r).toEqual({ status: 0 });
    expect(readFileSync(file, 'utf8')).toBe('before\nappended\n');
    expect(readFileSync(`${file}.args`, 'utf8')).toBe(`--flag ${file}\n`);
    expect(log[0]).toBe('pause');
    expect(log[1]).toBe('raw false');
    expect(log[2]).toContain('?1049l'); // left the alternate screen, cursor shown
    expect(log[2]).toContain('?25h');
    expect(log[3]).toContain('?1049h'); // and back
    expect(log.slice(4)).toEqual(['raw true', 'resume']);
  });

  it('reports an editor that fails', () => {
    const io = { stdout: { write: () => true }, setRawMode: () => undefined, pauseInput: () => undefined, resumeInput: () => undefined };
    expect(runEditor('/nonexistent', io, { ...process.env, VISUAL: 'exit 3;' }).status).toBe(3);
  });
});

describe('input gate', () => {
  it('drops keys while closed and for the event-loop turn after reopening', async () => {
    const gate = new InputGate();
    gate.close();
    let drained = false;
    gate.reopen(() => (drained = true));
    expect(drained).toBe(true);
    expect(gate.accepting()).toBe(false);
    await new Promise((r) => setImmediate(() => setImmediate(() => setImmediate(r))));
    expect(gate.accepting()).toBe(true);
  });
});

describe('screen and colours', () => {
  it('restoring leaves the alternate screen and shows the cursor', () => {
    expect(restoreScreenSequence()).toMatch(/\?25h.*\?1049l/);
  });

  it('NO_COLOR turns colours off', () => {
    expect(themeFromEnv({ NO_COLOR: '1' }).color('red')).toBeUndefined();
    expect(themeFromEnv({}).color('red')).toBe('red');
    expect(themeFromEnv({ NO_COLOR: '' }).color('red')).toBe('red');
  });
});

describe('runtime flags', () => {
  it("the CLI's shebang starts node with exactly the startup environment and V8 flags the bench uses, in the bundle too", () => {
    const expected = `#!/usr/bin/env -S ${STARTUP_ENV.join(' ')} node ${STARTUP_V8_FLAGS.join(' ')}`;
    for (const cli of ['../../src/cli.ts', '../../dist/cli.js']) expect(readFileSync(new URL(cli, import.meta.url), 'utf8').split('\n')[0]).toBe(expected);
  });
});
