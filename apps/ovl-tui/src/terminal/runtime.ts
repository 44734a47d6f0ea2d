/**
 * How the process is set up before the app (and Ink) load: the real CLI and the benchmark
 * both call this, so the bench measures the app as users run it. Must not import Ink: it
 * reads the environment when it is imported.
 */
import { setFlagsFromString } from 'node:v8';
import { forgetCi } from './ink-compat/ci-env.js';

/**
 * V8 flags that only take effect when given at process start (the young generation is sized
 * when the heap is set up). The CLI's shebang passes exactly these and STARTUP_ENV (a unit
 * test holds them together) and the bench starts its child process with them.
 *
 * A 4 MB semi-space instead of V8's 16 MB: Ink allocates several MB per frame, almost all of
 * it dead by the next frame, so a larger young generation only holds more garbage. On the
 * 100,000-entry bench peak RSS is 190–204 MB with it and 224–241 MB without; keypress
 * latency and frame gaps are the same either way.
 */
export const STARTUP_V8_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/**
 * Environment the shebang sets for node (glibc reads it once, at process start).
 *
 * MALLOC_ARENA_MAX=2: two malloc arenas instead of one per thread: core's scans run on
 * libuv's pool threads, and the memory a 100,000-entry scan used stays in each thread's arena
 * after it is freed. On the 100,000-entry bench peak RSS was 165-166 MB with it and 175-177 MB
 * without (2 runs each, alternated, load average 14-16); RSS after scrolling 146-148 MB
 * against 164-167 MB.
 *
 * MALLOC_MMAP_THRESHOLD_=131072: blocks of 128 KiB and more always come from their own
 * mapping, given back to the system when freed. By default glibc raises that threshold to the
 * size of each such block freed (up to 32 MiB), so once a scan's big buffers were freed, the
 * next ones came from the arena, where freed memory stays. On the 100,000-entry bench peak
 * RSS was 159-164 MB with it against 161-176 MB without (3 runs each, alternated, load
 * average 6-11).
 */
export const STARTUP_ENV: readonly string[] = ['MALLOC_ARENA_MAX=2', 'MALLOC_MMAP_THRESHOLD_=131072'];

/**
 * Old-space growth between major GCs, in percent of the heap that survived the last one.
 * V8 otherwise grows it up to 4x when GC looks cheap: a 60 MB tree (100,000 entries) sat at
 * 360 MB RSS, mostly Ink's promoted garbage. Can be set once the process runs. 25 rather than
 * 50: while a 100,000-entry dir is scrolled after loading, the old space grew to 83-90 MB
 * around 55-65 MB in use at 50, to 70-71 MB at 25; peak RSS on the bench 147-151 MB against
 * 159-163 MB (2 runs each, alternated, with MALLOC_MMAP_THRESHOLD_, load average 7-11). The
 * price is more incremental major GCs, each marking in small steps.
 */
const HEAP_GROWING_PERCENT = 25;

export function prepareRuntime(env: NodeJS.ProcessEnv = process.env): void {
  forgetCi(env);
  // React's development build diffs every prop for its profiler tracks (100,000 rows per
  // frame here): run the production build unless a developer asks otherwise.
  env.NODE_ENV ??= 'production';
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
