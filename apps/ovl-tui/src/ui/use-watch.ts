/**
 * The live feed: upper-dir change events from the service, each changed path looked up
 * again so the tree is patched in place. The first event of a quiet spell is painted at
 * once; events arriving while one batch is being looked up wait and go out together
 * (at most one batch per COALESCE_MS), so a burst of thousands of changes costs a few
 * frames, not thousands, and its paths are looked up together (statMany). Nothing runs
 * while nothing changes.
 */
import { useEffect, type Dispatch } from 'react';
import type { ChangeEvent, OverlayService } from '../service/types.js';
import type { Action, EntryUpdate } from '../state/state.js';
import { errorText } from './errors.js';

const COALESCE_MS = 100;
/** During a burst (the last batch was big) batches come less often: each one re-lays the tree. */
const BUSY_COALESCE_MS = 250;
const BUSY_BATCH = 200;
/**
 * Paths looked up per service call: core resolves a call's names together (one native read
 * per layer dir), and a few hundred at a time keep each piece of JS work well under a frame.
 */
const LOOKUP_CHUNK = 500;

async function lookUp(service: OverlayService, paths: string[]): Promise<EntryUpdate[]> {
  const out: EntryUpdate[] = [];
  for (let i = 0; i < paths.length; i += LOOKUP_CHUNK) {
    const chunk = paths.slice(i, i + LOOKUP_CHUNK);
    const entries = await service.statMany(chunk).catch(() => Promise.all(chunk.map((p) => service.stat(p).catch(() => undefined))));
    chunk.forEach((path, k) => out.push({ path, entry: entries[k] }));
  }
  return out;
}

export function useWatch(service: OverlayService, dispatch: Dispatch<Action>): void {
  useEffect(() => {
    let stream: ReturnType<OverlayService['watch']>;
    try {
      stream = service.watch();
    } catch (e) {
      // No inotify instance to be had (EMFILE: fs.inotify.max_user_instances): browse without the live feed.
      dispatch({ type: 'message.show', text: `not watching: ${errorText(e)}`, error: true });
      return undefined;
    }
    let queue: ChangeEvent[] = [];
    let busy = false;
    let stopped = false;
    let lastFlush = 0;
    let lastSize = 0;

    const flush = async (): Promise<void> => {
      busy = true;
      while (queue.length > 0 && !stopped) {
        const wait = lastFlush + (lastSize > BUSY_BATCH ? BUSY_COALESCE_MS : COALESCE_MS) - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const events = queue;
        queue = [];
        lastFlush = Date.now();
        lastSize = events.length;
        // After 'rescan' (the kernel's queue overflowed) core compares upper again and reports
        // what changed as ordinary events, so the tree needs no full reload here.
        const paths = [...new Set(events.filter((e) => e.kind !== 'rescan' && e.kind !== 'unwatched').map((e) => e.path))];
        const updates = await lookUp(service, paths);
        if (!stopped) dispatch({ type: 'events.received', events, updates });
      }
      busy = false;
    };

    (async () => {
      try {
        for await (const ev of stream) {
          // A dir that could not be watched (a limit reached): say so and keep going.
          if (ev.kind === 'unwatched') dispatch({ type: 'message.show', text: `not watching ${ev.path}: ${errorText(ev.error)}`, error: true });
          queue.push(ev);
          if (!busy) void flush();
        }
      } catch (e) {
        if (!stopped) dispatch({ type: 'message.show', text: `watch stopped: ${errorText(e)}`, error: true });
      }
    })();
    return () => {
      stopped = true;
      void stream.close();
    };
  }, [service, dispatch]);
}
