/**
 * The offline view must equal what the kernel shows. For each seed, two runs:
 * - a random layer stack (support/random-stack.ts) is mounted for real;
 * - a random stack is changed through a mount by random operations (renames, chmod, appends,
 *   deletions, ...; with redirect_dir=on and metacopy=on for most seeds), unmounted and
 *   mounted again.
 * Then the kernel's merged tree (readdir + lstat; lookup decides: a name readdir lists but
 * lstat refuses is gone) is compared with openOverlay({ lower, upper }) — paths, types,
 * modes, sizes, mtimes, owners, symlink targets, file contents read through the merged dir
 * against entry.sourcePath / entry.dataPath — and view.readdir, view.stat, walk({whiteouts})
 * and openOverlay(mergedDir) are checked against the same walk.
 *
 * Environment: OVL_SEEDS=n runs seeds 1..n (default 200; OVL_SEED_START moves the start);
 * OVL_SEED=1234 (or 1,2,3) runs those seeds only; OVL_KEEP=1 keeps the layer dirs of failing
 * seeds; OVL_VERBOSE=1 prints what the seeds exercised.
 * Plus targeted cases: renamed dirs (redirect_dir, also walked through opaque, whited-out
 * and symlinked ancestors, and refused under nofollow), metacopy files, and the kernel's
 * readdir/lookup disagreement for whiteouts in a dir it does not merge.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mountOverlay, openOverlay, sys, createWhiteout, type MergedEntry, type OverlayOptions, type OverlayView, type EntryType, type LayerId } from '../src/index.js';
import { describeMounting } from './support/privileged.js';
import { makeBase, writeTree } from './support/layers.js';
import { cleanupBase } from './support/cleanup.js';
import { describeInLayers, generateStack, layerPaths, randomOps, Rng, XATTR_OPAQUE, XATTR_WHITEOUT, type DoneOp } from './support/random-stack.js';

let base: string | undefined;
beforeEach(() => {
  base = makeBase('ovl-diff-');
});
afterEach(() => {
  if (process.env.OVL_KEEP !== '1') cleanupBase(base);
  base = undefined;
});

// ---------------------------------------------------------------------------------------
// The kernel's side

interface Layers {
  lower: string[];
  upper?: string;
  /** The stack uses user.overlay.* (mounted with userxattr). */
  userxattr?: boolean;
}

interface KernelEntry {
  path: string;
  type: EntryType;
  mode: number;
  size: number;
  mtimeMs: number;
  uid: number;
  gid: number;
  link?: string;
  content?: Buffer;
}

interface KernelTree {
  entries: Map<string, KernelEntry>;
  /** Listed by the kernel's readdir, refused by its lookup (ENOENT): deleted names. */
  hidden: string[];
  /** Found by lookup though readdir did not list them. */
  lookupOnly: string[];
  /** lstat through merged failed with something other than ENOENT. */
  errors: Map<string, string>;
}

function typeOfStats(st: Stats): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'chardev';
  return 'blockdev';
}

function joinRel(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function parentRel(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function inRoot(root: string, path: string): string {
  return path === '/' ? root : root + path;
}

function layerRoots(layers: Layers): Array<[LayerId, string]> {
  return [...(layers.upper !== undefined ? [['upper', layers.upper] as [LayerId, string]] : []), ...layers.lower.map((r, i): [LayerId, string] => [i, r])];
}

/** Names a layer holds in a dir, or [] when it has no dir there. */
function layerNames(root: string, path: string): string[] {
  try {
    return readdirSync(inRoot(root, path));
  } catch {
    return [];
  }
}

/**
 * The merged tree as the kernel shows it. Candidates per dir are the names readdir lists
 * plus every name any layer holds at the same path; lstat (lookup) decides what exists.
 */
function kernelTree(merged: string, layers: Layers): KernelTree {
  const tree: KernelTree = { entries: new Map(), hidden: [], lookupOnly: [], errors: new Map() };
  const visit = (dir: string): void => {
    const listed = new Set(readdirSync(inRoot(merged, dir)));
    const candidates = new Set(listed);
    for (const [, root] of layerRoots(layers)) for (const n of layerNames(root, dir)) candidates.add(n);
    for (const name of [...candidates].sort()) {
      const path = joinRel(dir, name);
      const p = inRoot(merged, path);
      let st: Stats;
      try {
        st = lstatSync(p);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? String(e);
        if (code === 'ENOENT') {
          if (listed.has(name)) tree.hidden.push(path);
        } else {
          tree.errors.set(path, code);
        }
        continue;
      }
      if (!listed.has(name)) tree.lookupOnly.push(path);
      const entry: KernelEntry = { path, type: typeOfStats(st), mode: st.mode, size: st.size, mtimeMs: st.mtimeMs, uid: st.uid, gid: st.gid };
      if (entry.type === 'symlink') entry.link = readlinkSync(p);
      if (entry.type === 'file') entry.content = readFileSync(p);
      tree.entries.set(path, entry);
      if (entry.type === 'dir') visit(path);
    }
  };
  visit('/');
  return tree;
}

// ---------------------------------------------------------------------------------------
// The view's side

async function collect(iterable: AsyncIterable<MergedEntry>): Promise<{ map: Map<string, MergedEntry>; dups: string[] }> {
  const map = new Map<string, MergedEntry>();
  const dups: string[] = [];
  for await (const e of iterable) {
    if (map.has(e.path)) dups.push(e.path);
    map.set(e.path, e);
  }
  return { map, dups };
}

function fmtKernel(k: KernelEntry | undefined, err?: string): string {
  if (err !== undefined) return `lstat fails: ${err}`;
  if (!k) return 'absent (lookup: ENOENT)';
  const extra = k.link !== undefined ? ` -> ${JSON.stringify(k.link)}` : k.content !== undefined ? ` content=${JSON.stringify(k.content.toString('utf8').slice(0, 60))}` : '';
  return `${k.type} mode=${k.mode.toString(8)} size=${k.size} uid=${k.uid} gid=${k.gid} mtimeMs=${k.mtimeMs}${extra}`;
}

function fmtView(v: MergedEntry | undefined): string {
  if (!v) return 'absent';
  const parts = [`${v.type} mode=${v.mode.toString(8)} size=${v.size} uid=${v.uid} gid=${v.gid} mtimeMs=${v.mtimeMs}`, `layer=${v.layer}`, `shadows=[${v.shadows.join(',')}]`];
  if (v.opaque) parts.push('opaque');
  if (v.copiedUp) parts.push('copiedUp');
  if (v.redirect !== undefined) parts.push(`redirect=${JSON.stringify(v.redirect)}`);
  if (v.metacopy) parts.push(`metacopy data=${v.dataLayer}:${JSON.stringify(v.dataPath)}`);
  parts.push(`source=${JSON.stringify(v.sourcePath)}`);
  return parts.join(' ');
}

function readOr(p: string, read: (p: string) => Buffer | string): Buffer | string {
  try {
    return read(p);
  } catch (e) {
    return `<${(e as NodeJS.ErrnoException).code}>`;
  }
}

/** The first field in which the view's entry differs from the kernel's, or undefined. */
function entryDiff(k: KernelEntry | undefined, err: string | undefined, v: MergedEntry | undefined): string | undefined {
  if (err !== undefined) return v ? 'the kernel refuses the lookup, the view shows an entry' : undefined;
  if (!k && !v) return undefined;
  if (!k) return 'only in the view';
  if (!v) return 'only in the kernel';
  if (k.type !== v.type) return 'type';
  if (k.mode !== v.mode) return 'mode';
  if (k.type !== 'dir' && k.size !== v.size) return 'size';
  if (k.type === 'dir' && k.size !== v.size) return 'size (dir)';
  if (k.uid !== v.uid || k.gid !== v.gid) return 'owner';
  if (Math.abs(k.mtimeMs - v.mtimeMs) > 0.001) return 'mtime';
  if (k.type === 'symlink') {
    const viewLink = readOr(v.sourcePath, (p) => readlinkSync(p));
    if (viewLink !== k.link) return `symlink target (view's sourcePath reads ${JSON.stringify(viewLink)})`;
  }
  if (k.type === 'file') {
    if (v.metacopy && v.dataPath === undefined) return 'metacopy without dataPath';
    const data = readOr(v.dataPath ?? v.sourcePath, (p) => readFileSync(p));
    if (!(data instanceof Buffer) || !data.equals(k.content!)) {
      return `content (view's ${v.dataPath !== undefined ? 'dataPath' : 'sourcePath'} holds ${JSON.stringify(data.toString().slice(0, 60))})`;
    }
  }
  return undefined;
}

function sortPaths(paths: Iterable<string>): string[] {
  return [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

interface CompareOptions {
  /** No redirects in the stack: every entry's sourcePath must be its layer root + its path. */
  plainPaths?: boolean;
  /** Paths whose view.stat is checked (default: every path any layer holds, plus the hidden ones). */
  statSample?: (paths: string[]) => string[];
  /** Told what the kernel showed (for statistics). */
  onKernel?: (tree: KernelTree) => void;
  /**
   * Check openOverlay(merged) alone: for mounts whose options change lookup (redirect_dir=nofollow),
   * which layer dirs alone cannot know.
   */
  mountedOnly?: boolean;
}

/**
 * Everything the view says about a mounted overlay, checked against the kernel. Returns
 * problems as text (empty = equal); tree differences are reported at the first path only.
 */
async function compareOverlay(layers: Layers, merged: string, opts: CompareOptions = {}): Promise<string[]> {
  const problems: string[] = [];
  const layersDesc = (path: string): string =>
    [`    at ${JSON.stringify(path)}:`, ...describeInLayers(layers, path).map((l) => `      ${l}`), `    at the parent ${JSON.stringify(parentRel(path))}:`, ...describeInLayers(layers, parentRel(path)).map((l) => `      ${l}`)].join('\n');

  const K = kernelTree(merged, layers);
  opts.onKernel?.(K);
  const view = opts.mountedOnly
    ? await openOverlay(merged)
    : await openOverlay({ lower: layers.lower, ...(layers.upper !== undefined && { upper: layers.upper }), ...(layers.userxattr && { userxattr: true }) });
  const { map: W, dups } = await collect(view.walk());
  if (dups.length > 0) problems.push(`walk() yielded paths twice: ${JSON.stringify(dups.slice(0, 5))}`);
  // A name the kernel refuses to look up (EPERM under redirect_dir=nofollow) must not be visible.
  for (const p of K.errors.keys()) {
    if (W.has(p)) problems.push(`the kernel refuses lookup of ${JSON.stringify(p)} with ${K.errors.get(p)}; view: ${fmtView(W.get(p))}`);
  }

  // 1. the trees
  for (const path of sortPaths(new Set([...K.entries.keys(), ...W.keys(), ...K.errors.keys()]))) {
    const k = K.entries.get(path);
    const v = W.get(path);
    const why = entryDiff(k, K.errors.get(path), v);
    if (why !== undefined) {
      problems.push(`first difference at ${JSON.stringify(path)}: ${why}\n    kernel: ${fmtKernel(k, K.errors.get(path))}\n    view:   ${fmtView(v)}\n${layersDesc(path)}`);
      break;
    }
  }
  if (opts.plainPaths) {
    const roots = new Map(layerRoots(layers));
    for (const v of W.values()) {
      const want = inRoot(roots.get(v.layer)!, v.path);
      if (v.sourcePath !== want) {
        problems.push(`${JSON.stringify(v.path)}: sourcePath ${JSON.stringify(v.sourcePath)} is not layer ${v.layer}'s ${JSON.stringify(want)}`);
        break;
      }
    }
  }

  // 2. ghosts: walk({ whiteouts: true }) adds only deleted names, as 'whiteout'
  const { map: WG } = await collect(view.walk({ whiteouts: true }));
  for (const [path, e] of WG) {
    if (e.type === 'whiteout') {
      if (K.entries.has(path)) problems.push(`walk({whiteouts:true}) gives a ghost at ${JSON.stringify(path)}, which the kernel shows: ${fmtKernel(K.entries.get(path))}`);
    } else if (!isDeepStrictEqual(e, W.get(path))) {
      problems.push(`walk({whiteouts:true}) differs from walk() at ${JSON.stringify(path)}:\n    with:    ${fmtView(e)}\n    without: ${fmtView(W.get(path))}`);
    }
  }
  for (const path of W.keys()) if (!WG.has(path)) problems.push(`walk({whiteouts:true}) lacks ${JSON.stringify(path)}`);

  // 3. readdir of every dir equals the walk's children of that dir
  const children = new Map<string, MergedEntry[]>([['/', []]]);
  for (const e of W.values()) if (e.type === 'dir') children.set(e.path, []);
  for (const e of W.values()) children.get(parentRel(e.path))?.push(e);
  for (const [dir, kids] of children) {
    kids.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let got: MergedEntry[];
    try {
      got = await view.readdir(dir);
    } catch (e) {
      problems.push(`readdir(${JSON.stringify(dir)}) throws: ${(e as Error).message}`);
      continue;
    }
    if (!isDeepStrictEqual(got, kids)) {
      problems.push(`readdir(${JSON.stringify(dir)}) differs from the walk: [${got.map((e) => JSON.stringify(e.name)).join(', ')}] vs [${kids.map((e) => JSON.stringify(e.name)).join(', ')}]`);
    }
    // In pieces (first piece of 1 name, then 4, 16, ...): together exactly readdir's list.
    const pieces: MergedEntry[][] = [];
    for await (const piece of view.readdirChunks(dir, { firstChunk: 1 })) pieces.push(piece);
    if (pieces.some((p) => p.length === 0) || !isDeepStrictEqual(pieces.flat(), got)) {
      problems.push(`readdirChunks(${JSON.stringify(dir)}) differs from readdir: [${pieces.map((p) => p.map((e) => JSON.stringify(e.name)).join(', ')).join(' | ')}]`);
    }
  }

  // 4. stat: for paths in any layer (and what readdir listed but lookup refused), exists iff the kernel's lookup finds it
  const all = sortPaths(new Set([...layerPaths(layers), ...K.hidden]));
  const probes = opts.statSample ? opts.statSample(all) : all;
  for (const path of probes) {
    let kernelHas: boolean;
    try {
      // lstat follows symlinks in the parent components: a path counts only below a real dir
      const parent = parentRel(path);
      if (parent !== '/' && K.entries.get(parent)?.type !== 'dir') throw Object.assign(new Error('not below a dir'), { code: 'ENOTDIR' });
      lstatSync(inRoot(merged, path));
      kernelHas = true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') continue; // reported above
      kernelHas = false;
    }
    const s = await view.stat(path);
    if (kernelHas !== (s !== undefined)) {
      problems.push(`stat(${JSON.stringify(path)}): kernel lookup ${kernelHas ? 'finds it' : 'fails'}, view ${s ? `gives ${fmtView(s)}` : 'gives undefined'}\n${layersDesc(path)}`);
    } else if (s && !isDeepStrictEqual(s, W.get(path))) {
      problems.push(`stat(${JSON.stringify(path)}) differs from the walk:\n    stat: ${fmtView(s)}\n    walk: ${fmtView(W.get(path))}`);
    }
  }
  // statMany looks the same paths up in batches (per parent dir): it must agree with stat,
  // ghosts included. The root and a path below a file ride along.
  const many = [...probes, '/', `${probes[0] ?? '/x'}/below`];
  const [batch, ghostBatch] = await Promise.all([view.statMany(many), view.statMany(many, { whiteouts: true })]);
  for (const [k, path] of many.entries()) {
    const [one, ghost] = await Promise.all([view.stat(path), view.stat(path, { whiteouts: true })]);
    if (!isDeepStrictEqual(batch[k], one)) problems.push(`statMany differs from stat at ${JSON.stringify(path)}:\n    many: ${fmtView(batch[k])}\n    stat: ${fmtView(one)}`);
    if (!isDeepStrictEqual(ghostBatch[k], ghost)) problems.push(`statMany({whiteouts}) differs from stat({whiteouts}) at ${JSON.stringify(path)}:\n    many: ${fmtView(ghostBatch[k])}\n    stat: ${fmtView(ghost)}`);
  }
  const root = await view.stat('/');
  const kroot = lstatSync(merged);
  if (!root || root.type !== 'dir' || root.mode !== kroot.mode) problems.push(`stat('/'): ${fmtView(root)}; kernel mode ${kroot.mode.toString(8)}`);

  // 5. the same overlay opened from the mount table
  let mounted: OverlayView | undefined;
  try {
    if (!opts.mountedOnly) mounted = await openOverlay(merged);
  } catch (e) {
    problems.push(`openOverlay(merged) throws: ${(e as Error).message}`);
  }
  if (mounted) {
    if (!isDeepStrictEqual(mounted.layers, view.layers)) problems.push(`openOverlay(merged).layers ${JSON.stringify(mounted.layers)} != ${JSON.stringify(view.layers)}`);
    else {
      const { map: M } = await collect(mounted.walk());
      for (const path of sortPaths(new Set([...M.keys(), ...W.keys()]))) {
        if (!isDeepStrictEqual(M.get(path), W.get(path))) {
          problems.push(`openOverlay(merged) differs from openOverlay({lower, upper}) first at ${JSON.stringify(path)}:\n    mounted: ${fmtView(M.get(path))}\n    offline: ${fmtView(W.get(path))}`);
          break;
        }
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// Random stacks

function seedList(): number[] {
  const one = process.env.OVL_SEED;
  if (one !== undefined && one !== '') return one.split(',').map((s) => Number(s.trim()));
  const n = Number(process.env.OVL_SEEDS ?? 200);
  const start = Number(process.env.OVL_SEED_START ?? 1);
  return Array.from({ length: n }, (_, i) => start + i);
}

const CHUNK = 25;
const seeds = seedList();
const chunks: number[][] = [];
for (let i = 0; i < seeds.length; i += CHUNK) chunks.push(seeds.slice(i, i + CHUNK));

/** Some seeds get a dir name with the bytes mount option strings and mountinfo must escape. */
function seedDirName(seed: number): string {
  if (seed % 7 === 3) return `seed ${seed}, a:b=c\\d\ne`;
  if (seed % 4 === 1) return `seed ${seed}, lower:dirs=x`;
  return `seed-${seed}`;
}

/** With OVL_VERBOSE=1: what the seeds exercised. */
const stats = { seeds: 0, made: 0, kernelEntries: 0, hidden: 0, lookupOnly: 0, kinds: new Map<string, number>() };

/** Every fifth seed writes user.overlay.* and mounts with userxattr. */
function usesUserXattr(seed: number): boolean {
  return seed % 5 === 2;
}

async function runSeed(seed: number, dir: string): Promise<string | undefined> {
  const userxattr = usesUserXattr(seed);
  const stack = generateStack(seed, dir, { userxattr });
  stats.seeds++;
  stats.made += stack.made.length;
  for (const m of stack.made) {
    const key = `${m.layer === 'upper' ? 'upper' : 'lower'}:${m.kind}${m.detail?.startsWith('opaque') ? `(${m.detail})` : ''}`;
    stats.kinds.set(key, (stats.kinds.get(key) ?? 0) + 1);
  }
  const layers: Layers = { lower: stack.lower, upper: stack.upper, userxattr };
  let mount;
  try {
    mount = await mountOverlay({ lower: stack.lower, upper: stack.upper, work: stack.work, target: stack.merged, ...(userxattr && { options: { userxattr: true } }) });
  } catch (e) {
    return `seed ${seed}: mount failed: ${(e as Error).message}`;
  }
  let problems: string[];
  try {
    const rng = new Rng(seed ^ 0x5eed);
    problems = await compareOverlay(layers, stack.merged, {
      plainPaths: true,
      onKernel: (K) => {
        stats.kernelEntries += K.entries.size;
        stats.hidden += K.hidden.length;
        stats.lookupOnly += K.lookupOnly.length;
      },
      statSample: (all) => all.filter((_, i) => i < 12 || rng.chance(0.35)),
    });
  } catch (e) {
    problems = [`threw: ${(e as Error).stack ?? String(e)}`];
  } finally {
    await mount.unmount();
  }
  if (problems.length === 0) {
    if (process.env.OVL_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return `seed ${seed} (${stack.lower.length} lower${stack.lower.length > 1 ? 's' : ''}${userxattr ? ', userxattr' : ''}; rerun with OVL_SEED=${seed}${process.env.OVL_KEEP === '1' ? `, kept in ${JSON.stringify(dir)}` : ''}):\n  ${problems.slice(0, 4).join('\n  ')}${problems.length > 4 ? `\n  ... and ${problems.length - 4} more` : ''}`;
}

describeMounting('differential: offline view vs the kernel, random stacks', () => {
  for (const chunk of chunks) {
    it(`seeds ${chunk[0]}..${chunk.at(-1)}`, async () => {
      const failures: string[] = [];
      for (const seed of chunk) {
        const f = await runSeed(seed, join(base!, seedDirName(seed)));
        if (f) failures.push(f);
      }
      if (process.env.OVL_VERBOSE === '1') console.log(JSON.stringify({ ...stats, kinds: Object.fromEntries([...stats.kinds].sort()) }));
      if (failures.length > 0) throw new Error(`${failures.length} of ${chunk.length} seeds differ:\n\n${failures.join('\n\n')}`);
    }, 300_000);
  }
});

/** Options for the changed-through-a-mount seeds: redirects and metacopy on for most. */
function opsOptions(seed: number): OverlayOptions {
  const choices: OverlayOptions[] = [{ redirect_dir: 'on', metacopy: true }, { redirect_dir: 'on' }, {}];
  return choices[seed % 3]!;
}

const opStats = { seeds: 0, ops: 0, refused: 0, redirects: 0, metacopies: 0 };

/** Count overlay.redirect / overlay.metacopy in a layer dir. */
function countMarks(dir: string): { redirects: number; metacopies: number } {
  let redirects = 0;
  let metacopies = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const names = (() => {
      try {
        return sys.llistxattr(p);
      } catch {
        return [];
      }
    })();
    if (names.includes('trusted.overlay.redirect')) redirects++;
    if (names.includes('trusted.overlay.metacopy')) metacopies++;
    if (lstatSync(p).isDirectory()) {
      const c = countMarks(p);
      redirects += c.redirects;
      metacopies += c.metacopies;
    }
  }
  return { redirects, metacopies };
}

function fmtOps(ops: DoneOp[]): string {
  return ops.map((o) => `${o.op} ${JSON.stringify(o.path)}${o.to !== undefined ? ` -> ${JSON.stringify(o.to)}` : ''}${o.error ? ` (${o.error})` : ''}`).join('; ');
}

/** A random stack, changed by random operations through a mount, then compared after a remount. */
async function runOpsSeed(seed: number, dir: string): Promise<string | undefined> {
  const stack = generateStack(seed, dir);
  const layers = { lower: stack.lower, upper: stack.upper };
  const options = opsOptions(seed);
  const spec = { ...layers, work: stack.work, target: stack.merged, options };
  let ops: DoneOp[] = [];
  let problems: string[];
  try {
    const first = await mountOverlay(spec);
    try {
      ops = randomOps(seed, stack.merged, 8 + (seed % 17));
    } finally {
      await first.unmount();
    }
    const marks = countMarks(stack.upper);
    opStats.seeds++;
    opStats.ops += ops.length;
    opStats.refused += ops.filter((o) => o.error).length;
    opStats.redirects += marks.redirects;
    opStats.metacopies += marks.metacopies;
    const again = await mountOverlay(spec);
    try {
      problems = await compareOverlay(layers, stack.merged);
    } finally {
      await again.unmount();
    }
  } catch (e) {
    problems = [`threw: ${(e as Error).stack ?? String(e)}`];
  }
  if (problems.length === 0) {
    if (process.env.OVL_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return `seed ${seed}, changed through a mount with ${JSON.stringify(options)} (rerun with OVL_SEED=${seed}):\n  ops: ${fmtOps(ops)}\n  ${problems.slice(0, 4).join('\n  ')}${problems.length > 4 ? `\n  ... and ${problems.length - 4} more` : ''}`;
}

describeMounting('differential: random stacks changed through a mount (copy-up, whiteouts, redirects, metacopy), after a remount', () => {
  for (const chunk of chunks) {
    it(`seeds ${chunk[0]}..${chunk.at(-1)}`, async () => {
      const failures: string[] = [];
      for (const seed of chunk) {
        const f = await runOpsSeed(seed, join(base!, seedDirName(seed)));
        if (f) failures.push(f);
      }
      if (process.env.OVL_VERBOSE === '1') console.log(JSON.stringify(opStats));
      if (failures.length > 0) throw new Error(`${failures.length} of ${chunk.length} seeds differ:\n\n${failures.join('\n\n')}`);
    }, 300_000);
  }
});

// ---------------------------------------------------------------------------------------
// Targeted cases

interface Fixed {
  lower: string[];
  upper: string;
  work: string;
  merged: string;
}

function fixedStack(trees: Array<Parameters<typeof writeTree>[1]>, upperTree: Parameters<typeof writeTree>[1] = {}): Fixed {
  const b = base!;
  return {
    lower: trees.map((t, i) => writeTree(join(b, `lower${i}`), t)),
    upper: writeTree(join(b, 'upper'), upperTree),
    work: writeTree(join(b, 'work'), {}),
    merged: writeTree(join(b, 'merged'), {}),
  };
}

function xattr(p: string, name: string): string | undefined {
  try {
    return sys.lgetxattr(p, name).toString();
  } catch {
    return undefined;
  }
}

async function remountAndCompare(s: Fixed, options: OverlayOptions, opts: CompareOptions = {}): Promise<string[]> {
  const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options });
  try {
    return await compareOverlay({ lower: s.lower, upper: s.upper }, s.merged, opts);
  } finally {
    await m.unmount();
  }
}

describeMounting('differential: targeted cases', () => {
  it('renamed and moved lower dirs (redirect_dir=on): the view follows relative and absolute redirects as a remount does', async () => {
    const s = fixedStack(
      [
        { d1: { 'x.txt': 'l0 d1/x\n', sub: { 'y.txt': 'l0 d1/sub/y\n' } }, d2: { inner: { 'l0.txt': 'l0 inner\n', sub: { 'deep.txt': 'l0 deep\n' } } }, target: {}, d3: { z: 'l0 z\n' } },
        { d2: { inner: { 'l1.txt': 'l1 inner\n', 'l0.txt': 'l1 shadowed\n' } }, d1: { 'only-l1.txt': 'l1 d1\n' }, keep: { k: 'l1 k\n' } },
      ],
      {},
    );
    const opts: OverlayOptions = { redirect_dir: 'on' };
    const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options: opts });
    renameSync(join(s.merged, 'd1'), join(s.merged, 'd1-renamed'));
    writeFileSync(join(s.merged, 'd1-renamed', 'new.txt'), 'new in renamed\n');
    renameSync(join(s.merged, 'd2', 'inner'), join(s.merged, 'target', 'moved'));
    renameSync(join(s.merged, 'target', 'moved', 'sub'), join(s.merged, 'sub from moved, a:b'));
    renameSync(join(s.merged, 'd3'), join(s.merged, 'target', 'd3 renamed'));
    mkdirSync(join(s.merged, 'd1')); // a new dir where the renamed one was: opaque in upper
    writeFileSync(join(s.merged, 'd1', 'fresh.txt'), 'fresh\n');
    await m.unmount();

    // what the kernel wrote (sanity: the test is about these)
    expect(xattr(join(s.upper, 'd1-renamed'), 'trusted.overlay.redirect')).toBe('d1');
    expect(xattr(join(s.upper, 'target', 'moved'), 'trusted.overlay.redirect')).toBe('/d2/inner');
    expect(xattr(join(s.upper, 'sub from moved, a:b'), 'trusted.overlay.redirect')).toBe('/d2/inner/sub');

    const view = await openOverlay({ lower: s.lower, upper: s.upper });
    const renamed = await view.stat('/d1-renamed');
    expect(renamed).toMatchObject({ type: 'dir', layer: 'upper', redirect: 'd1' });
    expect((await view.readdir('/d1-renamed')).map((e) => e.name)).toEqual(['new.txt', 'only-l1.txt', 'sub', 'x.txt']);
    expect((await view.readdir('/target/moved')).map((e) => e.name)).toEqual(['l0.txt', 'l1.txt']);
    expect(await view.stat('/target/moved/l0.txt')).toMatchObject({ layer: 0, sourcePath: join(s.lower[0]!, 'd2', 'inner', 'l0.txt') });
    expect((await view.readdir('/d1')).map((e) => e.name)).toEqual(['fresh.txt']);
    expect(await view.stat('/d2/inner')).toBeUndefined();

    expect(await remountAndCompare(s, opts)).toEqual([]);
    // redirect_dir=follow follows what it finds, as 'on' does
    expect(await remountAndCompare(s, { redirect_dir: 'follow' })).toEqual([]);
  });

  it("redirect_dir=off still follows redirects (off only stops creating them); openOverlay(merged) must too", async () => {
    const s = fixedStack([{ d1: { 'x.txt': 'x\n' }, d2: { inner: { 'i.txt': 'i\n' } }, t: {} }]);
    const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options: { redirect_dir: 'on' } });
    renameSync(join(s.merged, 'd1'), join(s.merged, 'd1-renamed'));
    renameSync(join(s.merged, 'd2', 'inner'), join(s.merged, 't', 'moved'));
    await m.unmount();
    expect(await remountAndCompare(s, { redirect_dir: 'off' })).toEqual([]);
  });

  // With redirect_dir=nofollow the kernel's lookup of a dir carrying overlay.redirect fails
  // with EPERM ("refusing to follow redirect" in dmesg): the view must not show it.
  const renamedUnderNofollow = async (): Promise<Fixed> => {
    const s = fixedStack([{ d1: { 'x.txt': 'x\n' }, keep: { k: 'k\n' } }]);
    const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options: { redirect_dir: 'on' } });
    renameSync(join(s.merged, 'd1'), join(s.merged, 'd1-renamed'));
    await m.unmount();
    return s;
  };

  it('redirect_dir=nofollow: the kernel refuses lookup of a redirected dir (EPERM), and its readdir of the (impure) parent drops it', async () => {
    const s = await renamedUnderNofollow();
    const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options: { redirect_dir: 'nofollow' } });
    try {
      expect(() => lstatSync(join(s.merged, 'd1-renamed'))).toThrow(/EPERM/);
      expect(readdirSync(s.merged)).toEqual(['keep']);
    } finally {
      await m.unmount();
    }
  });

  it('redirect_dir=nofollow: openOverlay(merged) must not show a redirected dir as a plain dir', async () => {
    const s = await renamedUnderNofollow();
    expect(await remountAndCompare(s, { redirect_dir: 'nofollow' }, { mountedOnly: true })).toEqual([]);
  });

  // Seed 1306 of the changed-through-a-mount batch found this: following an absolute
  // redirect, the kernel looks the path up component by component in each lower layer
  // (ovl_lookup_layer): an opaque ancestor there stops the search below that layer, a
  // whiteout or non-dir ancestor (a symlink too) stops it. Reading <layer>/<parent of the
  // redirect> directly would merge dirs the kernel never reaches, and follow a lower
  // layer's symlinked ancestor on the host.
  const movedDirCase = async (lower: Array<Parameters<typeof writeTree>[1]>, prepare?: (s: Fixed) => Promise<void> | void): Promise<{ s: Fixed; kernel: string[]; view: string[] }> => {
    const s = fixedStack(lower);
    await prepare?.(s);
    const opts: OverlayOptions = { redirect_dir: 'on' };
    const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options: opts });
    renameSync(join(s.merged, 'a', 'b', 'c'), join(s.merged, 'moved'));
    await m.unmount();
    expect(xattr(join(s.upper, 'moved'), 'trusted.overlay.redirect')).toBe('/a/b/c');
    const again = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options: opts });
    let kernel: string[];
    try {
      kernel = readdirSync(join(s.merged, 'moved')).sort();
    } finally {
      await again.unmount();
    }
    const view = (await (await openOverlay({ lower: s.lower, upper: s.upper })).readdir('/moved')).map((e) => e.name);
    return { s, kernel, view };
  };

  it('absolute redirect through an opaque ancestor in a lower layer: nothing below that layer merges', async () => {
    const { kernel, view } = await movedDirCase(
      [{ a: { b: { c: { 'top.txt': 'top\n' } } } }, { a: { b: { c: { 'deep.txt': 'hidden by the opaque b above\n' } } } }],
      (s) => sys.lsetxattr(join(s.lower[0]!, 'a', 'b'), XATTR_OPAQUE, 'y', 0),
    );
    expect(kernel).toEqual(['top.txt']);
    expect(view).toEqual(kernel);
  });

  it('absolute redirect through a whited-out ancestor in a lower layer: the search stops there', async () => {
    const { kernel, view } = await movedDirCase(
      [{ a: { b: { c: { 'top.txt': 'top\n' } } } }, { a: {} }, { a: { b: { c: { 'deep.txt': 'hidden by the whiteout in lower[1]\n' } } } }],
      (s) => createWhiteout(join(s.lower[1]!, 'a', 'b')),
    );
    expect(kernel).toEqual(['top.txt']);
    expect(view).toEqual(kernel);
  });

  it("absolute redirect through a lower layer's symlinked ancestor: the kernel stops, the view must not follow it on the host", async () => {
    const outside = writeTree(join(base!, 'outside'), { c: { 'leak.txt': 'outside every layer\n' } });
    const { kernel, view } = await movedDirCase([{ a: { b: { c: { 'top.txt': 'top\n' } } } }, { a: {} }], (s) => {
      symlinkSync(outside, join(s.lower[1]!, 'a', 'b'));
    });
    expect(kernel).toEqual(['top.txt']);
    expect(view).toEqual(kernel);
  });

  it('metacopy=on: chmod and rename of lower files leave metadata-only upper files whose data the view finds below', async () => {
    const big = 'L1 data '.repeat(500);
    const s = fixedStack([
      { m: { 'l0.txt': 'l0 in m\n' }, 'top.txt': 'l0 top\n', src: { 'mv.txt': 'l0 mv\n' } },
      { m: { 'data1.bin': big, keep: 'l1 keep\n' }, 'top.txt': 'l1 top, shadowed\n' },
    ]);
    const opts: OverlayOptions = { metacopy: true, redirect_dir: 'on' };
    const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged, options: opts });
    chmodSync(join(s.merged, 'm', 'data1.bin'), 0o600);
    chmodSync(join(s.merged, 'top.txt'), 0o640);
    renameSync(join(s.merged, 'src', 'mv.txt'), join(s.merged, 'moved.txt'));
    renameSync(join(s.merged, 'top.txt'), join(s.merged, 'top renamed.txt'));
    renameSync(join(s.merged, 'm', 'l0.txt'), join(s.merged, 'm', 'l0 renamed.txt'));
    await m.unmount();

    expect(xattr(join(s.upper, 'm', 'data1.bin'), 'trusted.overlay.metacopy')).toBeDefined();
    const view = await openOverlay({ lower: s.lower, upper: s.upper });
    expect(await view.stat('/m/data1.bin')).toMatchObject({
      type: 'file', layer: 'upper', metacopy: true, dataLayer: 1, dataPath: join(s.lower[1]!, 'm', 'data1.bin'), size: Buffer.byteLength(big), mode: 0o100600,
    });
    expect(await view.stat('/moved.txt')).toMatchObject({ metacopy: true, dataLayer: 0, dataPath: join(s.lower[0]!, 'src', 'mv.txt'), size: 'l0 mv\n'.length });
    expect(await view.stat('/top renamed.txt')).toMatchObject({ metacopy: true, dataLayer: 0, dataPath: join(s.lower[0]!, 'top.txt'), mode: 0o100640 });
    expect(await view.stat('/m/l0 renamed.txt')).toMatchObject({ metacopy: true, dataLayer: 0, dataPath: join(s.lower[0]!, 'm', 'l0.txt') });
    expect(await view.stat('/src/mv.txt')).toBeUndefined();
    expect(await view.stat('/top.txt')).toBeUndefined();

    expect(await remountAndCompare(s, opts)).toEqual([]);
  });

  it('metacopy=on: a chain of metadata-only files over two layers; the data is the first non-metacopy file', async () => {
    const b = base!;
    const data = writeTree(join(b, 'data'), { d: { 'f.bin': 'the data\n'.repeat(100) } });
    const mid = writeTree(join(b, 'mid'), {});
    const upper = writeTree(join(b, 'upper'), {});
    const merged = writeTree(join(b, 'merged'), {});
    const opts: OverlayOptions = { metacopy: true, redirect_dir: 'on' };
    // stage 1: data as lower, mid as upper: a chmod leaves a metacopy file in mid
    const m1 = await mountOverlay({ lower: [data], upper: mid, work: writeTree(join(b, 'work1'), {}), target: merged, options: opts });
    chmodSync(join(merged, 'd', 'f.bin'), 0o640);
    await m1.unmount();
    // stage 2: mid over data, a fresh upper: another chmod, another metacopy file
    const s: Fixed = { lower: [mid, data], upper, work: writeTree(join(b, 'work2'), {}), merged };
    const m2 = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: merged, options: opts });
    chmodSync(join(merged, 'd', 'f.bin'), 0o600);
    await m2.unmount();
    expect(xattr(join(mid, 'd', 'f.bin'), 'trusted.overlay.metacopy')).toBeDefined();
    expect(xattr(join(upper, 'd', 'f.bin'), 'trusted.overlay.metacopy')).toBeDefined();

    const view = await openOverlay({ lower: s.lower, upper: s.upper });
    expect(await view.stat('/d/f.bin')).toMatchObject({ layer: 'upper', metacopy: true, mode: 0o100600, dataLayer: 1, dataPath: join(data, 'd', 'f.bin'), size: 900 });
    expect(await remountAndCompare(s, opts)).toEqual([]);
  });

  it("whiteouts in a lower dir the kernel does not merge: its readdir lists them, lookup refuses them, the view hides them", async () => {
    const s = fixedStack([{ solo: { 'kept.txt': 'kept\n' }, 'solo-x': { 'kept.txt': 'kept\n' } }, { other: { o: 'o\n' } }], { updir: { 'u.txt': 'u\n' } });
    await createWhiteout(join(s.lower[0]!, 'solo', 'gone'));
    writeFileSync(join(s.lower[0]!, 'solo', 'xgone'), '');
    sys.lsetxattr(join(s.lower[0]!, 'solo', 'xgone'), XATTR_WHITEOUT, '', 0);
    writeFileSync(join(s.lower[0]!, 'solo-x', 'xgone'), '');
    sys.lsetxattr(join(s.lower[0]!, 'solo-x', 'xgone'), XATTR_WHITEOUT, '', 0);
    sys.lsetxattr(join(s.lower[0]!, 'solo-x'), XATTR_OPAQUE, 'x', 0);
    await createWhiteout(join(s.upper, 'updir', 'ugone'));

    const m = await mountOverlay({ lower: s.lower, upper: s.upper, work: s.work, target: s.merged });
    try {
      // the quirk itself (reference/overlayfs-facts.md: "readdir and lookup can disagree")
      expect(readdirSync(join(s.merged, 'solo'))).toContain('gone');
      expect(() => lstatSync(join(s.merged, 'solo', 'gone'))).toThrow(/ENOENT/);
      expect(() => lstatSync(join(s.merged, 'solo', 'xgone'))).toThrow(/ENOENT/);
      expect(() => lstatSync(join(s.merged, 'solo-x', 'xgone'))).toThrow(/ENOENT/);
      expect(() => lstatSync(join(s.merged, 'updir', 'ugone'))).toThrow(/ENOENT/);

      const view = await openOverlay({ lower: s.lower, upper: s.upper });
      expect((await view.readdir('/solo')).map((e) => e.name)).toEqual(['kept.txt']);
      expect((await view.readdir('/solo-x')).map((e) => e.name)).toEqual(['kept.txt']);
      expect((await view.readdir('/updir')).map((e) => e.name)).toEqual(['u.txt']);
      expect(await view.stat('/solo/gone')).toBeUndefined();
      expect(await view.stat('/solo/xgone')).toBeUndefined();
      expect(await view.stat('/updir/ugone')).toBeUndefined();
      for (const e of await view.readdir('/solo', { whiteouts: true })) {
        if (e.name !== 'kept.txt') expect(e).toMatchObject({ type: 'whiteout', layer: 0 });
      }
      const ghosts = await view.readdir('/updir', { whiteouts: true });
      for (const e of ghosts) if (e.name === 'ugone') expect(e).toMatchObject({ type: 'whiteout', layer: 'upper' });

      expect(await compareOverlay({ lower: s.lower, upper: s.upper }, s.merged)).toEqual([]);
    } finally {
      await m.unmount();
    }
  });
});
