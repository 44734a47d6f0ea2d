/**
 * Lets Ink reuse the previous frame's parsed lines.
 *
 * Every frame Ink builds a fresh `Output` and turns each line of text into per-cell styled
 * characters (ANSI tokenizing), then back into a string. Ink (6.8 and 7.x) caches that per
 * `Output`, so per frame only: scrolling one row re-parses all 40 rows although 38 of them are
 * the same strings as a frame ago. On the 100,000-entry bench that parsing was about two
 * thirds of a frame's CPU (`tokenize` + `styledCharsFromTokens` in a profile of the change
 * burst); with the reuse the keypress-to-frame median fell from 8–9 ms to about 4 ms.
 *
 * There is no option for this, and `ink/build/output.js` is not in Ink's exports, so this
 * wraps `Output.prototype.get` from the module file Ink itself loads. The wrap only feeds the
 * lines parsed for the last frame back into the new frame's own cache: what Ink computes for
 * a line is the same whichever frame asks, and Ink already shares one parsed line between the
 * rows that hold it. Kept: the last frame's lines only, so memory stays one screen's worth.
 *
 * Installed only for the Ink it was written for (version.ts), and only if `Output` still has
 * the shape it wraps (`get`, a per-`Output` `caches.getStyledChars`); otherwise Ink renders
 * as it ships, and the unit test that checks `frameCacheInstalled` fails, so the change is
 * noticed rather than silently losing the speed.
 */
import { loadInkOutput } from './ink-files.js';
import { inkFits } from './version.js';

type StyledChars = unknown[];
interface OutputCaches {
  styledChars: Map<string, StyledChars>;
  getStyledChars(line: string): StyledChars;
}
interface OutputInstance {
  caches: OutputCaches;
}
interface OutputClass {
  new (size: { width: number; height: number }): OutputInstance;
  prototype: { get(this: OutputInstance): unknown };
}

// A global symbol: a second copy of this module (vitest evaluates modules per test file, while
// Ink's own file stays loaded once) must not wrap `get` twice.
const WRAPPED = Symbol.for('ovl-tui.ink-frame-cache');

/** The `Output` class of the Ink the app renders with. */
export async function inkOutputClass(): Promise<OutputClass | undefined> {
  return (await loadInkOutput()).default as OutputClass | undefined;
}

function hasExpectedShape(Output: OutputClass | undefined): Output is OutputClass {
  if (typeof Output !== 'function' || typeof Output.prototype.get !== 'function') return false;
  const caches = new Output({ width: 1, height: 1 }).caches;
  return caches?.styledChars instanceof Map && typeof caches.getStyledChars === 'function';
}

export async function installFrameCache(): Promise<boolean> {
  if (!inkFits) return false;
  const Output = await inkOutputClass().catch(() => undefined);
  if (!hasExpectedShape(Output)) return false;
  const proto = Output.prototype as OutputClass['prototype'] & { [WRAPPED]?: true };
  if (proto[WRAPPED]) return true;
  const inkGet = proto.get;
  let lastFrame = new Map<string, StyledChars>();
  proto.get = function get(this: OutputInstance) {
    const caches = this.caches;
    const thisFrame = caches.styledChars;
    const previous = lastFrame;
    const parse = caches.getStyledChars;
    caches.getStyledChars = function getStyledChars(this: OutputCaches, line: string) {
      const known = previous.get(line);
      if (known === undefined) return parse.call(this, line);
      thisFrame.set(line, known);
      return known;
    };
    const result = inkGet.call(this);
    lastFrame = thisFrame;
    return result;
  };
  proto[WRAPPED] = true;
  return true;
}

/** Installed when the app's UI module loads, so the CLI, the bench and the tests all render with it. */
export const frameCacheInstalled = await installFrameCache();
