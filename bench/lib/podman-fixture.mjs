// The podman benchmarks' shared fixture: an image tree of 20,000 files (200 dirs × 100), and
// 5,000 changes made through a container's merged dir (a third each deleted, appended to, added).

import { appendFileSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Write the image's files under `rootfs`. */
export function writeImageTree(rootfs) {
  for (let d = 0; d < 200; d++) {
    mkdirSync(join(rootfs, 'usr', `d${d}`), { recursive: true });
    for (let f = 0; f < 100; f++) writeFileSync(join(rootfs, 'usr', `d${d}`, `f${f}`), `image ${d}/${f}\n`);
  }
}

/** Change the first 50 dirs through `merged`; returns how many changes were made. */
export function makeChanges(merged) {
  let made = 0;
  for (let d = 0; d < 50; d++) {
    for (let f = 0; f < 100; f++, made++) {
      const p = join(merged, 'usr', `d${d}`, `f${f}`);
      if (f % 3 === 0) unlinkSync(p);
      else if (f % 3 === 1) appendFileSync(p, 'changed\n');
      else writeFileSync(join(merged, 'usr', `d${d}`, `new${f}`), 'new\n');
    }
  }
  return made;
}
