// A deep layer tree, and a burst of file operations through a merged dir, run as its own
// process so that a watch in another process reads while it writes (as it would watch a
// container). Used by packages/core/test/watch-burst.test.ts and bench/watch.bench.mjs.
//
//   node burst-writer.mjs tree <dir>                       the lower tree: 5 levels, 3 dirs each, 4 files per dir
//   node burst-writer.mjs burst <merged> <ops> <seed> [markEvery]
//
// The burst mixes appends, new files, unlinks, chmods, renames, new dirs, rewrites and rare
// `rm -r` of whole dirs (sometimes made again: an opaque dir), picked by a seeded PRNG over
// what exists, so every operation succeeds. Every `markEvery`-th operation creates a fresh
// marker file; on exit it prints JSON: { ops, markers: [{ path, ns }] } where ns is
// process.hrtime.bigint() (CLOCK_MONOTONIC, comparable across processes) right after the
// marker's syscall returned. Markers are left alone afterwards (unless an `rm -r` takes their
// dir), so a watch that misses none reports each of them.
import { appendFileSync, chmodSync, mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DEPTH = 5;
const FANOUT = 3;
const FILES_PER_DIR = 4;

export function makeTree(root) {
  const walk = (dir, depth) => {
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES_PER_DIR; f++) writeFileSync(join(dir, `f${f}.txt`), `${dir} ${f}\n`);
    if (depth < DEPTH) for (let d = 0; d < FANOUT; d++) walk(join(dir, `d${d}`), depth + 1);
  };
  walk(root, 0);
}

/** Park–Miller's minimal standard generator: small, and the same burst for the same seed. */
function seeded(seed) {
  let x = (seed % 2147483646) + 1;
  return () => (x = (x * 48271) % 2147483647) / 2147483647;
}

/** Paths (relative, '' = root) of a tree made by makeTree. */
function treePaths() {
  const dirs = [];
  const files = [];
  const walk = (rel, depth) => {
    dirs.push(rel);
    for (let f = 0; f < FILES_PER_DIR; f++) files.push(`${rel}/f${f}.txt`);
    if (depth < DEPTH) for (let d = 0; d < FANOUT; d++) walk(`${rel}/d${d}`, depth + 1);
  };
  walk('', 0);
  return { dirs, files };
}

export function burst(merged, ops, seed, markEvery = 0) {
  const rand = seeded(seed);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const { dirs, files } = treePaths();
  const abs = (rel) => merged + rel;
  const takeFile = () => {
    const i = Math.floor(rand() * files.length);
    const p = files[i];
    files[i] = files[files.length - 1];
    files.pop();
    return p;
  };
  const markers = [];
  let fresh = 0;
  for (let n = 1; n <= ops; n++) {
    if (markEvery > 0 && n % markEvery === 0) {
      const p = `${pick(dirs)}/mark-${n}`;
      writeFileSync(abs(p), '');
      markers.push({ path: p, ns: String(process.hrtime.bigint()) });
      continue; // never touched again: each marker must show up as exactly one 'added'
    }
    const r = rand();
    if (files.length < 50 || r < 0.2) {
      const p = `${pick(dirs)}/new-${++fresh}`;
      writeFileSync(abs(p), 'new\n');
      files.push(p);
    } else if (r < 0.55) {
      appendFileSync(abs(pick(files)), 'more\n');
    } else if (r < 0.7) {
      unlinkSync(abs(takeFile()));
    } else if (r < 0.8) {
      chmodSync(abs(pick(files)), rand() < 0.5 ? 0o600 : 0o644);
    } else if (r < 0.88) {
      const from = takeFile();
      const to = `${from.slice(0, from.lastIndexOf('/'))}/moved-${++fresh}`;
      renameSync(abs(from), abs(to));
      files.push(to);
    } else if (r < 0.94) {
      const d = `${pick(dirs)}/dir-${++fresh}`;
      mkdirSync(abs(d));
      dirs.push(d);
      writeFileSync(abs(`${d}/inside`), 'x');
      files.push(`${d}/inside`);
    } else if (r < 0.9995 || dirs.length < 10) {
      writeFileSync(abs(pick(files)), `rewritten ${n}\n`);
    } else {
      // rm -r of a dir (never the root), and half the time a new dir of the same name
      const d = pick(dirs.filter((x) => x !== ''));
      rmSync(abs(d), { recursive: true });
      const gone = (x) => x === d || x.startsWith(`${d}/`);
      for (const list of [dirs, files]) {
        const keep = list.filter((x) => !gone(x));
        list.length = 0;
        list.push(...keep);
      }
      if (rand() < 0.5) {
        mkdirSync(abs(d));
        dirs.push(d);
      }
    }
  }
  return { ops, markers };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const [mode, dir, ops, seed, markEvery] = process.argv.slice(2);
  if (mode === 'tree') makeTree(dir);
  else if (mode === 'burst') process.stdout.write(`${JSON.stringify(burst(dir, Number(ops), Number(seed), Number(markEvery ?? 0)))}\n`);
  else {
    process.stderr.write('usage: burst-writer.mjs tree <dir> | burst <merged> <ops> <seed> [markEvery]\n');
    process.exit(2);
  }
}
