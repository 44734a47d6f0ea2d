/**
 * Reads every open dir that is not loaded yet (or was marked for reading again), and the
 * changes() list once per generation. A listing that arrives after a newer request for the
 * same dir is dropped.
 */
import { useEffect, useRef, type Dispatch } from 'react';
import type { OverlayService } from '../service/types.js';
import type { Action, State } from '../state/state.js';
import { errorText } from './errors.js';

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
      service.readdir(path).then(
        (entries) => requested.current.get(path) === my && dispatch({ type: 'dir.loaded', path, entries }),
        (e: unknown) => requested.current.get(path) === my && dispatch({ type: 'dir.failed', path, error: errorText(e) }),
      );
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
