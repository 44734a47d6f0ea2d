// Generates a big layer stack for the view benchmarks: `lowers` layers of `perLower`
// entries each (dirs of 100 files, names overlapping between layers so dirs really merge),
// plus an upper with `changes` changes made the way the kernel makes them: new files,
// copied-up files with new content, whiteouts (char dev 0/0) and a few opaque dirs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sys } from '@ovl/core';

const FILES_PER_DIR = 100;

export function generateStack(base, { lowers = 5, perLower = 20_000, changes = 20_000 } = {}) {
  const lower = [];
  for (let k = 0; k < lowers; k++) {
    const root = join(base, `lower${k}`);
    lower.push(root);
    const dirs = perLower / (FILES_PER_DIR + 1);
    for (let d = 0; d < dirs; d++) {
      // Dirs d0.. overlap between layers; each layer shifts by 10 so some dirs are its own.
      const dir = join(root, `d${d + k * 10}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < FILES_PER_DIR; f++) writeFileSync(join(dir, `f${f + ((k * 7) % 50)}`), `layer ${k}\n`);
    }
  }
  const upper = join(base, 'upper');
  const work = join(base, 'work');
  mkdirSync(upper);
  mkdirSync(work);
  const c = sys.constants;
  let made = 0;
  for (let d = 0; made < changes; d++) {
    const dir = join(upper, `d${d}`);
    mkdirSync(dir);
    // Every 50th dir was replaced (opaque): nothing below shows, so nothing needs whiting out.
    const opaque = d % 50 === 49;
    if (opaque) sys.lsetxattr(dir, 'trusted.overlay.opaque', 'y', 0);
    for (let f = 0; f < FILES_PER_DIR && made < changes; f++, made++) {
      const p = join(dir, `f${f}`);
      if (f % 4 === 0 && !opaque) sys.mknod(p, c.S_IFCHR, 0, 0); // deleted lower file
      else writeFileSync(p, `upper ${f}\n`); // new or copied-up
    }
  }
  return { lower, upper, work };
}

/** One dir of `n` files in its own lower layer (for readdir of a huge merged dir). */
export function generateWideDir(base, n) {
  const lower = join(base, 'wide-lower');
  const dir = join(lower, 'wide');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `entry-${i}`), '');
  const second = join(base, 'wide-lower2');
  mkdirSync(join(second, 'wide'), { recursive: true });
  writeFileSync(join(second, 'wide', 'from-second'), '');
  return { lower: [lower, second] };
}
