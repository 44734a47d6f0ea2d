/**
 * Runs the full-screen app in the real terminal: alternate screen in, Ink app, and on every
 * way out (q, Ctrl-C, SIGTERM/SIGHUP, an uncaught error) the screen restored and the
 * service closed (which unmounts what ovl-tui mounted).
 */
import React from 'react';
import { render, type Instance, type RenderOptions } from 'ink';
import { OpenedServices } from './service/opened.js';
import type { Catalog, OverlayService } from './service/types.js';
import { runEditor } from './terminal/editor.js';
import { INK_RENDER_OPTIONS } from './terminal/ink-options.js';
import { InputGate } from './terminal/input-gate.js';
import { CLEAR_SCREEN, takeScreen } from './terminal/screen.js';
import { Navigator, type Start } from './ui/Navigator.js';
import type { OpenEditor } from './ui/use-editor.js';
import { errorText } from './ui/errors.js';
import { ThemeContext, themeFromEnv } from './ui/theme.js';

// For hosts that render the app in-process (the benchmark): the same bundle's session and setup;
// and whether the frame cache patched the Ink this bundle renders with (a test checks the bundle).
export { openSession } from './service/open-session.js';
export { prepareRuntime } from './terminal/runtime.js';
export { frameCacheInstalled } from './terminal/ink-compat/frame-cache.js';

/** Where and how renderApp renders (Ink's streams default to the process's own). */
export interface RenderAppOptions extends Pick<RenderOptions, 'stdout' | 'stdin' | 'stderr' | 'patchConsole'> {
  openEditor: OpenEditor;
  gate?: InputGate;
  /** The services opened meanwhile (the picker opens them); closed by whoever made it. */
  opened?: OpenedServices;
}

/** What the app starts on: one service (an overlay, a container, an image) or the picker's catalog. */
export type AppStart = OverlayService | { catalog: Catalog };

/**
 * The app rendered by Ink with the options users run it with. runApp uses it on the real
 * terminal; the benchmark renders into a fake one in-process (from this bundle, so with the
 * same Ink and React as the app).
 */
export function renderApp(what: AppStart, { openEditor, gate = new InputGate(), opened = new OpenedServices(), ...streams }: RenderAppOptions): Instance {
  const start: Start = 'catalog' in what ? what : { service: what };
  if ('service' in start) opened.add(start.service);
  return render(
    <ThemeContext.Provider value={themeFromEnv(process.env)}>
      <Navigator start={start} opened={opened} openEditor={openEditor} gate={gate} />
    </ThemeContext.Provider>,
    { ...INK_RENDER_OPTIONS, ...streams },
  );
}

const SIGNAL_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** Run the app on one service or on the picker's catalog until the user quits; resolves to the process exit code. */
export async function runApp(what: AppStart): Promise<number> {
  const opened = new OpenedServices();
  const gate = new InputGate();
  let instance: Instance | undefined;
  let closing: Promise<void> | undefined;
  const stdin = process.stdin;

  const finish = (code: number, error?: unknown): Promise<void> => {
    closing ??= (async () => {
      instance?.unmount();
      restore();
      if (error !== undefined) process.stderr.write(`ovl-tui: ${errorText(error)}\n`);
      await opened.closeAll().catch((e: unknown) => process.stderr.write(`ovl-tui: while cleaning up: ${errorText(e)}\n`));
      process.exitCode = code;
    })();
    return closing;
  };
  const restore = takeScreen(process.stdout, stdin, (sig) => void finish(SIGNAL_CODES[sig] ?? 1).then(() => process.exit()));
  process.on('uncaughtException', (e) => void finish(1, e).then(() => process.exit()));
  process.on('unhandledRejection', (e) => void finish(1, e).then(() => process.exit()));

  const openEditor = (file: string) =>
    runEditor(file, {
      stdout: process.stdout,
      setRawMode: (on) => {
        if (stdin.isTTY) stdin.setRawMode(on);
      },
      pauseInput: () => gate.close(),
      resumeInput: () =>
        gate.reopen(() => {
          while (stdin.read() !== null);
        }),
    });

  // A resize reflows what is on screen; Ink then erases and redraws relative to a cursor that
  // moved. Clearing first (before Ink's own resize handler) makes every redraw start clean.
  process.stdout.prependListener('resize', () => process.stdout.write(CLEAR_SCREEN));
  instance = renderApp(what, { openEditor, gate, opened, patchConsole: true });
  try {
    await instance.waitUntilExit();
    await finish(0);
  } catch (e) {
    await finish(1, e);
  }
  return Number(process.exitCode ?? 0);
}
