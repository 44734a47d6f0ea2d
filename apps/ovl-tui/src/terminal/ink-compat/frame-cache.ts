/**
 * Lets Ink reuse the previous frame's parsed lines and measured widths.
 *
 * Every frame Ink builds a fresh `Output` and turns each line of text into per-cell styled
 * characters (ANSI tokenizing), then back into a string. Ink (6.8 and 7.x) caches that per
 * `Output`, so per frame only: scrolling one row re-parses all 40 rows although 38 of them are
 * the same strings as a frame ago. On the 100,000-entry bench that parsing was about two
 * thirds of a frame's CPU (`tokenize` + `styledCharsFromTokens` in a profile of the change
 * burst); with the reuse the keypress-to-frame median fell from 8–9 ms to about 4 ms.
 * The widths Ink measures (each text's widest line, to clip it; each character's width) are
 * cached the same way, per `Output`: measuring them again (`string-width`, regular expressions
 * over every line) was the largest part of a frame left, about a quarter of the frames' CPU
 * while a 100,000-entry dir loaded.
 *
 * There is no option for this, and `ink/build/output.js` is not in Ink's exports, so this
 * wraps `Output.prototype.get` from the module file Ink itself loads. The wrap only feeds what
 * was computed for the last frame back into the new frame's own caches: what Ink computes for
 * a line is the same whichever frame asks, and Ink already shares one parsed line between the
 * rows that hold it. Kept: the last frame's entries only, so memory stays one screen's worth.
 *
 * Installed only for the Ink it was written for (version.ts), and only if `Output` still has
 * the shape it wraps (`get`, per-`Output` caches with these maps and getters); otherwise Ink
 * renders as it ships, and the unit test that checks `frameCacheInstalled` fails, so the
 * change is noticed rather than silently losing the speed.
 */
import { loadInkOutput } from './ink-files.js';
import { inkFits } from './version.js';

type StyledChars = unknown[];
interface OutputCaches {
  styledChars: Map<string, StyledChars>;
  widths: Map<string, number>;
  blockWidths: Map<string, number>;
  getStyledChars(line: string): StyledChars;
  getStringWidth(text: string): number;
  getWidestLine(text: string): number;
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

/** Each per-frame cache of Ink's `Output`: its map, and the getter that fills it. */
const CACHED = [
  ['styledChars', 'getStyledChars'],
  ['widths', 'getStringWidth'],
  ['blockWidths', 'getWidestLine'],
] as const;

function hasExpectedShape(Output: OutputClass | undefined): Output is OutputClass {
  if (typeof Output !== 'function' || typeof Output.prototype.get !== 'function') return false;
  const caches = new Output({ width: 1, height: 1 }).caches;
  return caches !== undefined && CACHED.every(([map, getter]) => caches[map] instanceof Map && typeof caches[getter] === 'function');
}

/**
 * Wrap `caches[getter]` for one frame: what this frame's own map lacks comes from the last
 * frame's map (and is put in this frame's), else from Ink's getter.
 */
function reuse<T>(map: Map<string, T>, getter: (this: OutputCaches, key: string) => T, previous: Map<string, T>): (key: string) => T {
  return function cached(this: OutputCaches, key: string) {
    const own = map.get(key);
    if (own !== undefined) return own;
    const known = previous.get(key);
    if (known === undefined) return getter.call(this, key);
    map.set(key, known);
    return known;
  };
}

export async function installFrameCache(): Promise<boolean> {
  if (!inkFits) return false;
  const Output = await inkOutputClass().catch(() => undefined);
  if (!hasExpectedShape(Output)) return false;
  const proto = Output.prototype as OutputClass['prototype'] & { [WRAPPED]?: true };
  if (proto[WRAPPED]) return true;
  const inkGet = proto.get;
  // The last frame's maps only (not its caches object, whose wrapped getters hold the frame
  // before it): what is kept is one frame's worth.
  let lastFrame: Array<Map<string, unknown>> | undefined;
  proto.get = function get(this: OutputInstance) {
    const caches = this.caches;
    const maps = CACHED.map(([map]) => caches[map] as Map<string, unknown>);
    const last = lastFrame;
    if (last !== undefined) {
      CACHED.forEach(([, getter], k) => {
        (caches as unknown as Record<string, unknown>)[getter] = reuse(maps[k]!, caches[getter] as (key: string) => unknown, last[k]!);
      });
    }
    const result = inkGet.call(this);
    lastFrame = maps;
    return result;
  };
  proto[WRAPPED] = true;
  return true;
}

/** Installed when the app's UI module loads, so the CLI, the bench and the tests all render with it. */
export const frameCacheInstalled = await installFrameCache();
