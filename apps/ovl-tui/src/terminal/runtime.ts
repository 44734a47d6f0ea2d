/**
 * How the process is set up before the app (and Ink) load: the real CLI and the benchmark
 * both call this, so the bench measures the app as users run it. Must not import Ink: it
 * reads the environment when it is imported.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * Old-space growth between major GCs, in percent of the heap that survived the last one.
 * V8 otherwise grows it up to 4x when GC looks cheap. Ink allocates several MB per frame and
 * about 1 MB of that outlives two scavenges, so a 60 MB tree (100,000 entries) sat at
 * 360 MB RSS, mostly garbage. At 50 it stays near 210 MB, with keypress latency unchanged
 * (bench/tui.bench.mjs). The price is a few more incremental major GCs.
 */
const HEAP_GROWING_PERCENT = 50;

export function prepareRuntime(env: NodeJS.ProcessEnv = process.env): void {
  // Ink stops painting when it thinks it runs in CI (is-in-ci reads CI at import); a terminal
  // we were started in is interactive whatever the environment says.
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  // React's development build diffs every prop for its profiler tracks (100,000 rows per
  // frame here): run the production build unless a developer asks otherwise.
  env.NODE_ENV ??= 'production';
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
