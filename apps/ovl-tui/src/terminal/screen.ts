/**
 * The alternate screen and the terminal modes ovl-tui changes, set on start and restored on
 * every way out. Ink 6 has no alternate-screen support, so the escape codes are written here
 * (xterm's DECSET 1049: save the cursor, switch buffers, clear).
 */

export const CLEAR_SCREEN = '\x1b[H\x1b[2J';
export const ENTER_ALT_SCREEN = `\x1b[?1049h${CLEAR_SCREEN}`;
export const LEAVE_ALT_SCREEN = '\x1b[?1049l';
export const HIDE_CURSOR = '\x1b[?25l';
export const SHOW_CURSOR = '\x1b[?25h';
/** Mouse reporting (all modes) and bracketed paste off: an editor or a crash may leave them on. */
export const RESET_INPUT_MODES = '\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l';

interface Writable {
  write(s: string): unknown;
}

/** Back to the normal screen with a visible cursor. Safe to call more than once. */
export function restoreScreenSequence(): string {
  return RESET_INPUT_MODES + SHOW_CURSOR + LEAVE_ALT_SCREEN;
}

/**
 * Enter the alternate screen and make sure it is left on every exit path: normal exit,
 * SIGINT/SIGTERM/SIGHUP, an uncaught error. `onSignal` runs the app's own cleanup (unmount)
 * before the process ends. Returns the function that restores the screen (idempotent).
 */
export function takeScreen(out: Writable, tty: { isTTY?: boolean; setRawMode?: (on: boolean) => unknown }, onSignal: (signal: string) => void): () => void {
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    try {
      if (tty.isTTY) tty.setRawMode?.(false);
    } catch {
      // stdin may already be closed
    }
    out.write(restoreScreenSequence());
  };
  out.write(ENTER_ALT_SCREEN + HIDE_CURSOR);
  process.on('exit', restore);
  // `on`, not `once`: Ink's signal-exit re-raises the signal (killing us before cleanup) when
  // it finds no other listener left after the handlers ran.
  for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(sig, () => onSignal(sig));
  return restore;
}
