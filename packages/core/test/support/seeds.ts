/**
 * Which seeds a randomized suite runs, from the environment: OVL_SEEDS=n runs seeds 1..n
 * (OVL_SEED_START moves the start), OVL_SEED=1234 (or 1,2,3) runs those seeds only.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';

function seedList(defaultCount: number): number[] {
  const one = process.env.OVL_SEED;
  if (one !== undefined && one !== '') return one.split(',').map((s) => Number(s.trim()));
  const n = Number(process.env.OVL_SEEDS ?? defaultCount);
  const start = Number(process.env.OVL_SEED_START ?? 1);
  return Array.from({ length: n }, (_, i) => start + i);
}

/** The seeds in chunks of `size`: one vitest case each, so a failure names a small range. */
export function seedChunks(defaultCount: number, size = 25): number[][] {
  const seeds = seedList(defaultCount);
  const chunks: number[][] = [];
  for (let i = 0; i < seeds.length; i += size) chunks.push(seeds.slice(i, i + size));
  return chunks;
}

/** Some seeds get a dir name with the bytes mount option strings and mountinfo must escape. */
export function seedDirName(seed: number): string {
  if (seed % 7 === 3) return `seed ${seed}, a:b=c\\d\ne`;
  if (seed % 4 === 1) return `seed ${seed}, lower:dirs=x`;
  return `seed-${seed}`;
}

/**
 * What one seed's run comes to: undefined when the view agreed with the kernel (its dir is
 * removed, unless OVL_KEEP=1), else `title` and the first problems, for the failure message.
 */
export function seedOutcome(dir: string, problems: string[], title: string): string | undefined {
  const keep = process.env.OVL_KEEP === '1';
  if (problems.length === 0) {
    if (!keep) rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  const more = problems.length > 4 ? `\n  ... and ${problems.length - 4} more` : '';
  return `${title}${keep ? ` (kept in ${JSON.stringify(dir)})` : ''}:\n  ${problems.slice(0, 4).join('\n  ')}${more}`;
}

/**
 * One vitest case per chunk of seeds: `run(seed, dir)` for each (dir under `base()`, named by
 * seedDirName), failing with every differing seed's story. With OVL_VERBOSE=1, `stats()` is
 * printed after each chunk.
 */
export function itSeeds(chunks: number[][], base: () => string, run: (seed: number, dir: string) => Promise<string | undefined>, stats?: () => unknown): void {
  for (const chunk of chunks) {
    it(`seeds ${chunk[0]}..${chunk.at(-1)}`, async () => {
      const failures: string[] = [];
      for (const seed of chunk) {
        const f = await run(seed, join(base(), seedDirName(seed)));
        if (f) failures.push(f);
      }
      if (process.env.OVL_VERBOSE === '1' && stats) console.log(JSON.stringify(stats()));
      if (failures.length > 0) throw new Error(`${failures.length} of ${chunk.length} seeds differ:\n\n${failures.join('\n\n')}`);
    }, 300_000);
  }
}
