import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openOverlay } from '@ovl/core';
import { generateStack } from './stack-gen.mjs';
const base = '/tmp/ovlprof/vstack';
if (!existsSync(base)) { mkdirSync(base, { recursive: true }); generateStack(base); }
const lower = [0, 1, 2, 3, 4].map((k) => join(base, `lower${k}`));
const view = await openOverlay({ lower, upper: join(base, 'upper') });
for (let r = 0; r < 8; r++) {
  const t = performance.now(); let n = 0;
  for await (const _ of view.walk()) n++;
  const w = performance.now() - t;
  const t2 = performance.now(); const c = await view.changes(); const cm = performance.now() - t2;
  console.log('walk', n, w.toFixed(0), 'ms; changes', c.length, cm.toFixed(0), 'ms');
}
