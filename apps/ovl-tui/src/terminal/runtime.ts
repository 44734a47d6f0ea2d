/**
 * How the process is set up before the app (and Ink) load: the real CLI and the benchmark
 * both call this, so the bench measures the app as users run it. Must not import Ink: it
 * reads the environment when it is imported.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * V8 flags that only take effect when given at process start (the young generation is sized
 * when the heap is set up). The CLI's shebang passes exactly these (a unit test holds the two
 * together) and the bench starts its child process with them.
 *
 * A 4 MB semi-space instead of V8's 16 MB: Ink allocates several MB per frame, almost all of
 * it dead by the next frame, so a larger young generation only holds more garbage. On the
 * 100,000-entry bench it takes peak RSS from 220–254 MB to 195–212 MB; keypress latency
 * stays at 7.5–8.5 ms.
 */
export const STARTUP_V8_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/**
 * V8 flags that can be set once the process runs.
 *
 * --heap-growing-percent=50: old-space growth between major GCs, in percent of the heap that
 * survived the last one. V8 otherwise grows it up to 4x when GC looks cheap; a 60 MB tree
 * (100,000 entries) sat at 360 MB RSS, mostly Ink's promoted garbage.
 *
 * --no-concurrent-marking: major-GC marking runs in small steps on the main thread instead of
 * on helper threads. With helper threads, a frame that took 7 ms of CPU took up to 70 ms of
 * wall time whenever marking ran while another process (the one making the changes we watch)
 * kept the other core busy: the helpers took the core from the main thread. On 2 cores during
 * a 10,000-change burst the largest frame gap fell from 81–116 ms to 49–82 ms
 * (bench/tui.bench.mjs).
 */
const RUNTIME_V8_FLAGS = ['--heap-growing-percent=50', '--no-concurrent-marking'];

export function prepareRuntime(env: NodeJS.ProcessEnv = process.env): void {
  // Ink stops painting when it thinks it runs in CI (is-in-ci reads CI at import); a terminal
  // we were started in is interactive whatever the environment says.
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  // React's development build diffs every prop for its profiler tracks (100,000 rows per
  // frame here): run the production build unless a developer asks otherwise.
  env.NODE_ENV ??= 'production';
  for (const flag of RUNTIME_V8_FLAGS) setFlagsFromString(flag);
}
