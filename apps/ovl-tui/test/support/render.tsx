/**
 * The one render helper of the component tests: renders with ink-testing-library and waits
 * for frames — each check runs when Ink writes a frame (or at once if the frame is already
 * there), never after a fixed sleep.
 */
import React, { type ReactElement } from 'react';
import { render as inkRender } from 'ink-testing-library';

export interface Rendered {
  lastFrame(): string;
  /** Type keys (raw sequences: 'j', '\r', '\x1b[B'). */
  press(...keys: string[]): void;
  /** Wait until the latest frame satisfies `check` (text it must contain, or a predicate). */
  waitFor(check: string | RegExp | ((frame: string) => boolean), timeoutMs?: number): Promise<string>;
  unmount(): void;
}

export const KEYS = { down: '\x1b[B', up: '\x1b[A', left: '\x1b[D', right: '\x1b[C', enter: '\r', esc: '\x1b', pgdn: '\x1b[6~', pgup: '\x1b[5~', backspace: '\x7f', f1: '\x1bOP', f5: '\x1b[15~' } as const;

export function renderUi(ui: ReactElement): Rendered {
  const r = inkRender(ui);
  const waiters = new Set<() => void>();
  const write = r.stdout.write;
  // Wake the waiters on every frame Ink writes.
  r.stdout.write = (frame: string) => {
    write(frame);
    for (const w of [...waiters]) w();
  };
  const frame = () => r.lastFrame() ?? '';
  return {
    lastFrame: frame,
    press: (...keys) => {
      for (const k of keys) r.stdin.write(k);
    },
    waitFor: (check, timeoutMs = 5000) => {
      const ok = typeof check === 'function' ? check : (f: string) => (typeof check === 'string' ? f.includes(check) : check.test(f));
      return new Promise<string>((resolve, reject) => {
        const test = () => {
          if (!ok(frame())) return false;
          done();
          resolve(frame());
          return true;
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no frame matched ${String(check)} within ${timeoutMs} ms; last frame:\n${frame()}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(test);
        };
        // React may already have committed the frame we want (or commit it in this turn).
        if (!test()) waiters.add(test);
      });
    },
    unmount: () => r.unmount(),
  };
}

/**
 * A preview scheduler the test drives: nothing is read until `rest(path)` says the cursor
 * rested on `path` (it waits for the app to ask, as the app asks in an effect after its frame).
 * `pending` holds the paths still waiting (a row the cursor left is taken out: cancelled).
 */
export function manualPreview(): { schedule: (path: string, load: () => void) => () => void; rest: (path: string) => Promise<void>; pending: Map<string, () => void> } {
  const pending = new Map<string, () => void>();
  const waiting = new Map<string, () => void>();
  return {
    pending,
    schedule: (path, load) => {
      pending.set(path, load);
      waiting.get(path)?.();
      return () => pending.delete(path);
    },
    rest: async (path) => {
      if (!pending.has(path)) await new Promise<void>((resolve) => waiting.set(path, resolve));
      pending.get(path)!();
    },
  };
}
