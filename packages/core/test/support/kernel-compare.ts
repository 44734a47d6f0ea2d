/**
 * The kernel as the oracle: walk a mounted overlay's merged dir (readdir + lstat; lookup
 * decides: a name readdir lists but lstat refuses is gone) and compare it with what
 * openOverlay says of the same layers — paths, types, modes, sizes, mtimes, owners, symlink
 * targets, file contents read through the merged dir against entry.sourcePath /
 * entry.dataPath — and view.readdir, readdirChunks, stat, statMany, walk({ whiteouts }) and
 * openOverlay(mergedDir) against the same walk. Shared by the differential suites.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { openOverlay, type DirNames, type MergedEntry, type OverlayView, type EntryType, type LayerId } from '../../src/index.js';
import { describeInLayers, layerPaths } from './random-stack.js';
/** What is wrong with onNames' names against the entries the pieces held (undefined: nothing). */
function namesMismatch({ names, dirs }: DirNames, entries: readonly MergedEntry[]): string | undefined {
  if (dirs.length !== names.length) return `${dirs.length} dir marks for ${names.length} names`;
  let u = 0;
  for (const e of entries) {
    while (u < names.length && names[u] !== e.name) u++;
    if (u === names.length) return `${JSON.stringify(e.name)} missing or out of order`;
    if ((dirs[u] === 1) !== (e.type === 'dir')) return `${JSON.stringify(e.name)} marked ${dirs[u] === 1 ? 'a dir' : 'no dir'} but is a ${e.type}`;
    u++;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// The kernel's side

export interface Layers {
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
  nlink: number;
  link?: string;
  content?: Buffer;
}

export interface KernelTree {
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

export function parentRel(path: string): string {
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
      const entry: KernelEntry = { path, type: typeOfStats(st), mode: st.mode, size: st.size, mtimeMs: st.mtimeMs, uid: st.uid, gid: st.gid, nlink: st.nlink };
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
  return `${k.type} mode=${k.mode.toString(8)} size=${k.size} uid=${k.uid} gid=${k.gid} nlink=${k.nlink} mtimeMs=${k.mtimeMs}${extra}`;
}

export function fmtView(v: MergedEntry | undefined): string {
  if (!v) return 'absent';
  const parts = [`${v.type} mode=${v.mode.toString(8)} size=${v.size} uid=${v.uid} gid=${v.gid} nlink=${v.nlink} mtimeMs=${v.mtimeMs}`, `layer=${v.layer}`, `shadows=[${v.shadows.join(',')}]`];
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
  if (k.nlink !== v.nlink) return `nlink (kernel ${k.nlink}, view ${v.nlink})`;
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

export interface CompareOptions {
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
  /**
   * Skip opening `merged` through the mount table: it is a path into another mount namespace
   * (/proc/<daemon pid>/root/…, where an engine mounted a running container), which this
   * process's table does not list, or a read-only mount of the layers made to look at them.
   */
  skipMountTable?: boolean;
}

/**
 * Everything the view says about a mounted overlay, checked against the kernel. Returns
 * problems as text (empty = equal); tree differences are reported at the first path only.
 */
export async function compareOverlay(layers: Layers, merged: string, opts: CompareOptions = {}): Promise<string[]> {
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
    // In pieces (first piece of 1 name, then 4, then 8 at most): together exactly readdir's list.
    const pieces: MergedEntry[][] = [];
    let named: { names: DirNames; before: number } | undefined;
    for await (const piece of view.readdirChunks(dir, { firstChunk: 1, maxChunk: 8, onNames: (names) => (named = { names, before: pieces.length }) })) pieces.push(piece);
    if (pieces.some((p) => p.length === 0) || !isDeepStrictEqual(pieces.flat(), got)) {
      problems.push(`readdirChunks(${JSON.stringify(dir)}) differs from readdir: [${pieces.map((p) => p.map((e) => JSON.stringify(e.name)).join(', ')).join(' | ')}]`);
    }
    // Its names, handed over before the first piece: every listed name in the same order, each
    // marked a dir exactly when its entry is one.
    const nameProblem = named === undefined ? 'never came' : named.before > 0 ? 'came after a piece' : namesMismatch(named.names, pieces.flat());
    if (nameProblem) problems.push(`readdirChunks(${JSON.stringify(dir)}) onNames: ${nameProblem}`);
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
  if (!root || root.type !== 'dir' || root.mode !== kroot.mode || root.nlink !== kroot.nlink) problems.push(`stat('/'): ${fmtView(root)}; kernel mode ${kroot.mode.toString(8)} nlink ${kroot.nlink}`);

  // 5. the same overlay opened from the mount table
  let mounted: OverlayView | undefined;
  try {
    if (!opts.mountedOnly && !opts.skipMountTable) mounted = await openOverlay(merged);
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
