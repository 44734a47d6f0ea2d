/**
 * fast-check settings for the property suites, from the environment, so that a failure can
 * be replayed exactly: fast-check's failure message names the seed and the shrink path, and
 * OVL_FC_SEED=<seed> OVL_FC_PATH=<path> reruns that very case. OVL_FC_RUNS=n runs more (or
 * fewer) cases than a suite's default. The seed of every run is printed before it starts, so
 * a run that dies (a crash in the addon, a killed worker) can be replayed too.
 */
import fc from 'fast-check';

export function propertyParams<T>(name: string, defaultRuns: number): fc.Parameters<T> {
  const seed = process.env.OVL_FC_SEED ? Number(process.env.OVL_FC_SEED) : Date.now() ^ (Math.random() * 0x100000000);
  const path = process.env.OVL_FC_PATH || undefined;
  const numRuns = process.env.OVL_FC_RUNS ? Number(process.env.OVL_FC_RUNS) : defaultRuns;
  console.log(`${name}: fast-check seed ${seed}${path ? ` path ${path}` : ''}, ${numRuns} runs (replay: OVL_FC_SEED=${seed})`);
  return { seed, numRuns, ...(path !== undefined ? { path, endOnFailure: true } : {}) };
}
