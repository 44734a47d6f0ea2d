/**
 * Keys rendered at once: their updates flushed synchronously by Ink's reconciler, at the
 * priority react-dom gives a keypress (a discrete event).
 *
 * Ink hands raw input to its listeners outside any React event, so a key's state update gets
 * React's default priority: its render waits for React's scheduler task, a setImmediate, and
 * everything the event loop has queued before it runs first. While a 100,000-entry dir loads
 * that is core's pieces arriving from the thread pool (a 1,024-name piece: entries built,
 * merged into the list), and the key right after a G waited behind several of them: 16-36 ms
 * for that key against a median of 4 (4 runs, load average 2-3). Flushed, the render and
 * Ink's frame happen before the handler returns; the keys of one chunk ('gg') still make one
 * render together.
 *
 * Ink does not export its reconciler; ink-files.ts finds the module Ink itself loads. With
 * another Ink (version.ts), or a reconciler without flushSyncFromReconciler, keys render as before.
 */
import { loadInkReconciler } from './ink-files.js';
import { inkFits } from './version.js';

interface Reconciler {
  flushSyncFromReconciler(fn: () => void): void;
}

async function inkReconciler(): Promise<Reconciler | undefined> {
  if (!inkFits) return undefined;
  const r = (await loadInkReconciler().catch(() => undefined))?.default as Partial<Reconciler> | undefined;
  return typeof r?.flushSyncFromReconciler === 'function' ? (r as Reconciler) : undefined;
}

const reconciler = await inkReconciler();

/** Whether keys render at once (the unit test checks it, so an Ink upgrade that loses it is noticed). */
export const discreteInput = reconciler !== undefined;

/** Run `fn` (a key's handling) so that what it dispatches is rendered, and painted, before this returns. */
export function asDiscreteUpdate(fn: () => void): void {
  if (reconciler) reconciler.flushSyncFromReconciler(fn);
  else fn();
}
