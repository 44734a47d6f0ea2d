/**
 * Reads every open dir that is not loaded yet (or was marked for reading again), piece by
 * piece, and the changes() list once per generation. A listing that arrives after a newer
 * request for the same dir is dropped.
 */
import { useEffect, useRef, type Dispatch } from 'react';
import type { DirNames, MergedEntry, OverlayService } from '../service/types.js';
import { NamesFirst } from '../state/names-first.js';
import type { Action, State } from '../state/state.js';
import { errorText } from './errors.js';

/**
 * A dir of at most this many names comes whole in one go (core's first piece holds 256): its
 * names alone are not worth a frame of placeholders.
 */
const NAMES_FIRST_ABOVE = 256;

/**
 * How often a dir being read shows the details that came meanwhile, at most. Every showing is
 * a frame (React, layout, Ink's whole screen): shown per piece (49 pieces of a 100,000-entry
 * dir in about 1 s), those frames were most of the main thread's work while the dir loaded,
 * and keys waited behind them. The names are on screen from the start; details a tenth of a
 * second late are not.
 */
const SHOW_PIECES_EVERY_MS = 100;

/**
 * Read one dir piece by piece: with `showPieces` what came so far is shown (the first piece at
 * once, then at most every SHOW_PIECES_EVERY_MS: a 100,000-entry dir shows its first screen
 * long before the last piece), and the whole list lands as 'dir.loaded'. Stops as soon as a
 * newer request for the dir makes this one stale.
 */
async function readInPieces(service: OverlayService, path: string, showPieces: boolean, current: () => boolean, dispatch: Dispatch<Action>): Promise<void> {
  const entries: MergedEntry[] = [];
  // With the names in, the whole listing shows at once (placeholders for what is not read
  // yet): G, / and n work on a 100,000-entry dir long before its last details arrive.
  // Laid out in a turn of the event loop of its own: core hands the names over at the end of
  // the turn that read them, and a key pressed meanwhile is handled between the two.
  let byName: NamesFirst | undefined;
  let names: DirNames | undefined;
  const layOut = () => {
    if (names === undefined) return;
    byName = new NamesFirst(path, names);
    names = undefined;
    if (current()) dispatch({ type: 'dir.partial', path, entries: byName.entries(), byName: true });
  };
  const onNames = (read: DirNames) => {
    if (!showPieces || read.names.length <= NAMES_FIRST_ABOVE || !current()) return;
    names = read;
    setImmediate(layOut);
  };
  let shownAt = -Infinity;
  let later: NodeJS.Timeout | undefined;
  const show = () => {
    clearTimeout(later);
    later = undefined;
    shownAt = performance.now();
    if (current()) dispatch(byName ? { type: 'dir.partial', path, entries: byName.entries(), byName: true } : { type: 'dir.partial', path, entries: [...entries] });
  };
  const showSoon = () => {
    const wait = shownAt + SHOW_PIECES_EVERY_MS - performance.now();
    if (wait <= 0) show();
    else later ??= setTimeout(show, wait);
  };
  const pieces = service.readdirChunks(path, onNames)[Symbol.asyncIterator]();
  try {
    let next = pieces.next();
    for (;;) {
      const piece = await next;
      if (!current()) {
        void pieces.return?.();
        return;
      }
      if (piece.done) break;
      layOut(); // the names, if a piece came before their turn
      // Names first: the pieces go into their placeholders' places, no second list.
      if (byName) byName.add(piece.value);
      else for (const e of piece.value) entries.push(e);
      next = pieces.next();
      // A dir that fits one piece ends at once: it goes out whole, in one frame, not as a
      // piece and then again as the whole. Otherwise show what is there while the rest is read.
      const settled = await Promise.race([next.then(() => true), new Promise<false>((r) => setImmediate(() => r(false)))]);
      if (!settled && showPieces && current()) showSoon();
    }
    clearTimeout(later);
    const whole = byName?.finish();
    dispatch(whole ? { type: 'dir.loaded', path, entries: whole.entries, byName: whole.byName } : { type: 'dir.loaded', path, entries });
  } catch (e) {
    if (current()) dispatch({ type: 'dir.failed', path, error: errorText(e) });
  } finally {
    clearTimeout(later);
    names = undefined; // no placeholders after the end, when no piece came to lay them out
  }
}

export function useDirLoader(service: OverlayService, state: Pick<State, 'expanded' | 'dirs' | 'generation'>, dispatch: Dispatch<Action>): void {
  const requested = useRef(new Map<string, number>());
  const nextToken = useRef(0);
  const { expanded, dirs, generation } = state;
  // Requests made before the last reload are too old to count.
  const generationFloor = useRef(0);
  const seenGeneration = useRef(generation);
  if (seenGeneration.current !== generation) {
    seenGeneration.current = generation;
    generationFloor.current = nextToken.current + 1;
  }

  useEffect(() => {
    for (const path of expanded) {
      const dir = dirs.get(path);
      const token = requested.current.get(path);
      // Loading with no request of ours since the last reload: read it (again).
      const stale = dir?.status === 'loading' && (token === undefined || token < generationFloor.current);
      if (dir && !stale) continue;
      const my = ++nextToken.current;
      requested.current.set(path, my);
      if (!dir) dispatch({ type: 'dir.loading', path });
      // Pieces only for a dir shown for the first time: a dir read again keeps its old rows
      // (and the cursor its place in them) until the whole new list is in.
      const showPieces = !dir || dir.entries.length === 0;
      void readInPieces(service, path, showPieces, () => requested.current.get(path) === my, dispatch);
    }
  }, [service, expanded, dirs, dispatch]);

  useEffect(() => {
    let live = true;
    service.changes().then(
      (changes) => live && dispatch({ type: 'changes.loaded', changes }),
      (e: unknown) => live && dispatch({ type: 'message.show', text: `changes: ${errorText(e)}`, error: true }),
    );
    return () => {
      live = false;
    };
  }, [service, generation, dispatch]);
}
