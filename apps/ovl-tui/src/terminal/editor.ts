/**
 * Handing the terminal to $VISUAL/$EDITOR and taking it back, in five steps: stop reading
 * and flush input; raw mode, mouse and bracketed paste off; show the cursor and leave the
 * alternate screen; run the editor with inherited stdio; undo it all and repaint. Ink 6 has no suspend (Ink 7's suspendTerminal needs Node 22), so
 * the app owns it. While the editor runs the event loop is blocked (spawnSync): nothing
 * of ovl-tui can draw or read keys in between.
 */
import { spawnSync } from 'node:child_process';
import { ENTER_ALT_SCREEN, HIDE_CURSOR, LEAVE_ALT_SCREEN, RESET_INPUT_MODES, SHOW_CURSOR } from './screen.js';

/** The editor command line: $VISUAL, then $EDITOR, then vi. May hold arguments ('code -w'). */
export function editorCommand(env: NodeJS.ProcessEnv): string {
  return [env.VISUAL, env.EDITOR].find((e) => e !== undefined && e.trim() !== '')?.trim() ?? 'vi';
}

export interface TerminalIo {
  stdout: { write(s: string): unknown };
  /** Ink's raw-mode switch (it counts users), or a no-op when stdin is not a TTY. */
  setRawMode(on: boolean): void;
  /** Stop and restart delivering keys to the app (typed-ahead keys are dropped meanwhile). */
  pauseInput(): void;
  resumeInput(): void;
}

export interface EditorResult {
  status: number | null;
  error?: string;
}

/** Run the editor on `file` with the terminal handed over; everything is undone afterwards. */
export function runEditor(file: string, io: TerminalIo, env: NodeJS.ProcessEnv = process.env): EditorResult {
  // 1. stop reading stdin (keys typed from here on belong to the editor or are dropped)
  io.pauseInput();
  // 2. raw mode off, mouse and bracketed paste off
  io.setRawMode(false);
  // 3. show the cursor, leave the alternate screen
  io.stdout.write(RESET_INPUT_MODES + SHOW_CURSOR + LEAVE_ALT_SCREEN);
  let result: EditorResult;
  try {
    // 4. the editor, synchronously, with our terminal; sh -c so "$EDITOR" may carry arguments
    const r = spawnSync('/bin/sh', ['-c', `${editorCommand(env)} "$1"`, 'ovl-tui-editor', file], { stdio: 'inherit', env });
    result = r.error ? { status: null, error: r.error.message } : { status: r.status };
  } finally {
    // 5. undo every step; the app then drops typed-ahead keys, repaints fully and re-reads the dir
    io.stdout.write(ENTER_ALT_SCREEN + HIDE_CURSOR);
    io.setRawMode(true);
    io.resumeInput();
  }
  return result;
}
