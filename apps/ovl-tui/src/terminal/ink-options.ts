/**
 * Ink render options shared by the CLI and the benchmark (which renders the app in-process),
 * so the bench measures what users run.
 *
 * maxFps 0 turns Ink's render throttle off. Our frames are already rate-limited where they are
 * made (one render per batch of keys read together, live changes coalesced to at most one
 * batch per 100–250 ms, the preview read after the cursor rests), so the throttle only ever
 * delayed a frame: a key pressed just after a live-change render waited 16–17 ms for the
 * throttle's trailing edge (maxFps 60). In the 10,000-change bench burst that wait was part of
 * most of the largest frame gaps.
 */
export const INK_RENDER_OPTIONS = { exitOnCtrlC: false, maxFps: 0 } as const;
