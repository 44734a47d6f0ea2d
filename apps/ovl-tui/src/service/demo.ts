/**
 * The article's example, made fresh in a temp dir: lower/ with delete-me.txt, duplicate.txt
 * and lower.txt; upper/ with duplicate.txt and upper.txt; each file says where it lives.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DemoDirs {
  base: string;
  lower: string;
  upper: string;
  work: string;
  merged: string;
}

const FILES = { lower: ['delete-me.txt', 'duplicate.txt', 'lower.txt'], upper: ['duplicate.txt', 'upper.txt'] } as const;

/** Make the demo's dirs and files under a new temp dir. */
export async function makeDemoDirs(parent = tmpdir()): Promise<DemoDirs> {
  const base = await mkdtemp(join(parent, 'ovl-tui-demo-'));
  const dirs = { base, lower: join(base, 'lower'), upper: join(base, 'upper'), work: join(base, 'work'), merged: join(base, 'merged') };
  try {
    for (const d of [dirs.lower, dirs.upper, dirs.work, dirs.merged]) await mkdir(d);
    for (const layer of ['lower', 'upper'] as const) {
      for (const name of FILES[layer]) await writeFile(join(dirs[layer], name), `${name}: I live in the ${layer} layer, ${join(dirs[layer], name)}\n`);
    }
  } catch (e) {
    await rm(base, { recursive: true, force: true });
    throw e;
  }
  return dirs;
}

/** What the demo invites the user to do from another terminal. */
export function demoNotes(merged: string): string[] {
  return [
    'Try the article from another terminal and watch each step appear here:',
    `  rm ${join(merged, 'delete-me.txt')}`,
    `  echo changed >> ${join(merged, 'lower.txt')}`,
  ];
}
