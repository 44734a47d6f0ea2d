/**
 * Raw key sequences as Ink reads them from stdin. Ink's public useInput hands out keys
 * already parsed into (input, key) pairs, which cannot tell `gg` typed fast from a paste or
 * keep the Escape sequences ovl-tui decodes itself (state/keys.ts); Ink 6.8's useStdin also
 * hands out `internal_eventEmitter`, whose 'input' events are the raw chunks. Without it
 * (another Ink) ovl-tui cannot read keys: say so instead of ignoring every key.
 */
import { useEffect } from 'react';
import { useStdin } from 'ink';
import { asDiscreteUpdate } from './discrete-input.js';
import { INK_WRITTEN_FOR } from './version.js';

interface InputEvents {
  on(event: 'input', listener: (chunk: string) => void): unknown;
  off(event: 'input', listener: (chunk: string) => void): unknown;
}

/** Call `onInput` with every raw chunk of input while mounted, as a discrete update (rendered before the next event). */
export function useRawInput(onInput: (chunk: string) => void, deps: readonly unknown[]): void {
  const events = (useStdin() as { internal_eventEmitter?: InputEvents }).internal_eventEmitter;
  if (events === undefined) throw new Error(`ovl-tui reads raw keys through Ink ${INK_WRITTEN_FOR}'s stdin events, which this Ink lacks`);
  useEffect(() => {
    const listener = (chunk: string) => asDiscreteUpdate(() => onInput(chunk));
    events.on('input', listener);
    return () => {
      events.off('input', listener);
    };
    // the caller names what onInput depends on
  }, [events, ...deps]);
}
