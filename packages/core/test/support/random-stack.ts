/**
 * Random overlay layer stacks on disk, from a seed, for the differential test: N lowers
 * (1–4) and an upper, with nested dirs, files whose content names their layer, symlinks
 * (relative, absolute, dangling), hard links, fifos, whiteouts of both forms in every
 * layer, opaque dirs ('y'), 'x' marks, dirs whose mode differs per layer, the same name as
 * a file in one layer and a dir in another, and awkward names. Same seed, same stack.
 *
 * Needs root (mknod of 0/0, trusted.* xattrs, chown). Nothing here mounts.
 */
import { appendFileSync, chmodSync, lchownSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sys } from '../../src/index.js';
import type { LayerId } from '../../src/index.js';

/** mulberry32: a tiny 32-bit PRNG, good enough for test generation and identical everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** 0 .. n-1 */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** One key of `weights`, chosen in proportion to its weight. */
  weighted<K extends string>(weights: Partial<Record<K, number>>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let x = this.next() * total;
    for (const [k, w] of entries) {
      x -= w;
      if (x < 0) return k;
    }
    return entries[entries.length - 1]![0];
  }
  /** `items` in random order (a copy). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

/** Names every layer draws from, so the same path often exists in several layers. */
export const NAME_POOL: readonly string[] = [
  'a', 'b', 'c', 'dir', 'f.txt', '.hidden', 'with space', 'co:lon', 'com,ma', 'back\\slash', 'eq=ual',
  'new\nline', 'ünï', '日本語', 'x,y:z=w\\ v',
  // Byte order and JS (UTF-16) order disagree on these two: U+FF21 sorts before U+1F600 in
  // UTF-8 bytes and after it in UTF-16 units (the layers' names are merged in JS order).
  '\uFF21', '\u{1F600}',
];

const SYMLINK_TARGETS: readonly string[] = [
  'a', 'f.txt', '../a', '../../dir/f.txt', 'dir/b', 'no such file', '.', '..',
  '/etc/hostname', '/nonexistent/x', '/', 'co:lon', 'new\nline', 'ünï/日本語',
];

const FILE_MODES = [0o644, 0o600, 0o755, 0o444, 0o640, 0o4755, 0o000] as const;
const DIR_MODES = [0o755, 0o700, 0o750, 0o775, 0o1777, 0o555, 0o2755, 0o711] as const;

export type EntryKind = 'file' | 'empty-file' | 'dir' | 'symlink' | 'hardlink' | 'fifo' | 'whiteout' | 'xwhiteout' | 'fake-xwhiteout' | 'chardev';

/** One thing the generator made, for debugging output. */
export interface MadeEntry {
  layer: LayerId;
  /** '/'-rooted path inside the layer. */
  path: string;
  kind: EntryKind;
  detail?: string;
}

export interface GeneratedStack {
  seed: number;
  userxattr: boolean;
  /** The dir holding everything below. */
  dir: string;
  /** Top-most first. */
  lower: string[];
  upper: string;
  work: string;
  merged: string;
  made: MadeEntry[];
}

export interface GenerateOptions {
  /** Total entries over all layers, roughly (default: 25–60, from the seed). */
  budget?: number;
  /** Write user.overlay.* instead of trusted.overlay.* (for mounts with userxattr). */
  userxattr?: boolean;
  /** How many lower layers (default: 1–4, from the seed). */
  lowers?: number;
}

export const XATTR_WHITEOUT = 'trusted.overlay.whiteout';
export const XATTR_OPAQUE = 'trusted.overlay.opaque';

function layerLabel(id: LayerId): string {
  return id === 'upper' ? 'upper' : `lower[${id}]`;
}

/** '/'-rooted join. */
function rel(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** What already-built (lower) layers hold in each dir: dir path → name → kinds. */
type Below = Map<string, Map<string, EntryKind[]>>;

/**
 * Write a random stack under `dir` (created if needed): `dir/lower0..`, `dir/upper`,
 * `dir/work`, `dir/merged`. Lower layers are built bottom-up, then the upper, each
 * preferring names that the layers below hold in the same dir so that layers interact.
 */
export function generateStack(seed: number, dir: string, opts: GenerateOptions = {}): GeneratedStack {
  const rng = new Rng(seed);
  const XW = opts.userxattr ? 'user.overlay.whiteout' : XATTR_WHITEOUT;
  const XO = opts.userxattr ? 'user.overlay.opaque' : XATTR_OPAQUE;
  const drawn = 1 + rng.int(4);
  const nLower = opts.lowers ?? drawn;
  const budgetTotal = opts.budget ?? 25 + rng.int(36);
  const perLayer = Math.max(5, Math.ceil(budgetTotal / (nLower + 1)));
  mkdirSync(dir, { recursive: true });
  const lower = Array.from({ length: nLower }, (_, i) => join(dir, `lower${i}`));
  const upper = join(dir, 'upper');
  const work = join(dir, 'work');
  const merged = join(dir, 'merged');
  for (const d of [...lower, upper, work, merged]) mkdirSync(d);
  const made: MadeEntry[] = [];
  const below: Below = new Map();
  const order: LayerId[] = [...Array.from({ length: nLower }, (_, i) => nLower - 1 - i), 'upper'];

  for (const id of order) {
    const root = id === 'upper' ? upper : lower[id]!;
    const isLowest = id === nLower - 1;
    const isUpper = id === 'upper';
    const mine: Below = new Map();
    const files: string[] = [];
    let budget = perLayer;
    const record = (path: string, kind: EntryKind, detail?: string): void => {
      made.push({ layer: id, path, kind, ...(detail !== undefined && { detail }) });
      const d = path.slice(0, path.lastIndexOf('/')) || '/';
      const name = path.slice(path.lastIndexOf('/') + 1);
      if (!mine.has(d)) mine.set(d, new Map());
      const m = mine.get(d)!;
      m.set(name, [...(m.get(name) ?? []), kind]);
    };
    const content = (path: string): string => {
      const line = `${layerLabel(id)} ${JSON.stringify(path)} seed=${seed} r=${rng.int(1e9)}\n`;
      return line.repeat(1 + rng.int(rng.chance(0.1) ? 300 : 4));
    };

    const populate = (relDir: string, depth: number, dirOpaque: boolean): void => {
      const abs = relDir === '/' ? root : root + relDir;
      const namesBelow = [...(below.get(relDir)?.keys() ?? [])];
      const count = relDir === '/' ? 3 + rng.int(6) : 1 + rng.int(5);
      const used = new Set<string>();
      let xMarked = false;
      for (let n = 0; n < count && budget > 0; n++) {
        const name = namesBelow.length > 0 && rng.chance(0.65) ? rng.pick(namesBelow) : rng.pick(NAME_POOL);
        if (used.has(name)) continue;
        used.add(name);
        budget--;
        const p = join(abs, name);
        const path = rel(relDir, name);
        const belowKinds = below.get(relDir)?.get(name) ?? [];
        const dirBelow = belowKinds.includes('dir');
        const deep = depth < 4;
        const kind: EntryKind = dirBelow
          ? rng.weighted<EntryKind>({ dir: deep ? 45 : 0, whiteout: 15, xwhiteout: 10, file: 12, symlink: 6, 'empty-file': 3, fifo: 2, 'fake-xwhiteout': 2 })
          : rng.weighted<EntryKind>({
              file: 28, 'empty-file': 4, dir: deep ? 24 : 0, symlink: 12, hardlink: files.length > 0 ? 6 : 0, fifo: 4,
              whiteout: 9, xwhiteout: 7, 'fake-xwhiteout': 2, chardev: 2,
            });
        switch (kind) {
          case 'file':
          case 'empty-file': {
            writeFileSync(p, kind === 'file' ? content(path) : '');
            chmodSync(p, rng.pick(FILE_MODES));
            if (kind === 'empty-file' && rng.chance(0.5)) sys.lsetxattr(p, 'user.ovl-test', 'not a whiteout', 0);
            files.push(p);
            record(path, kind);
            break;
          }
          case 'hardlink': {
            const target = rng.pick(files);
            linkSync(target, p);
            record(path, kind, target.slice(root.length));
            break;
          }
          case 'symlink': {
            const target = rng.pick(SYMLINK_TARGETS);
            symlinkSync(target, p);
            record(path, kind, target);
            break;
          }
          case 'fifo':
            sys.mknod(p, sys.constants.S_IFIFO | 0o644, 0, 0);
            record(path, kind);
            break;
          case 'chardev':
            sys.mknod(p, sys.constants.S_IFCHR | 0o600, 1, 3);
            record(path, kind, '1/3');
            break;
          case 'whiteout':
            sys.mknod(p, sys.constants.S_IFCHR | (rng.chance(0.2) ? 0o644 : 0), 0, 0);
            record(path, kind);
            break;
          case 'xwhiteout': {
            writeFileSync(p, '');
            sys.lsetxattr(p, XW, '', 0);
            record(path, kind);
            // The documented form: the lower dir holding xattr whiteouts is marked opaque='x'.
            // Sometimes, so both the marked and the unmarked cases occur.
            if (!isUpper && relDir !== '/' && !dirOpaque && !xMarked && rng.chance(0.5)) {
              sys.lsetxattr(abs, XO, 'x', 0);
              xMarked = true;
              made.push({ layer: id, path: relDir, kind: 'dir', detail: "opaque='x'" });
            }
            break;
          }
          case 'fake-xwhiteout': {
            // Not a whiteout: the xattr form needs a zero-size file.
            writeFileSync(p, content(path));
            sys.lsetxattr(p, XW, '', 0);
            files.push(p);
            record(path, kind);
            break;
          }
          case 'dir': {
            mkdirSync(p);
            // Opaque dirs: in the upper and in lowers that have layers below (on the lowest layer it means nothing).
            const opaque = (isUpper || !isLowest || rng.chance(0.2)) && rng.chance(dirBelow ? 0.25 : 0.1);
            if (opaque) sys.lsetxattr(p, XO, 'y', 0);
            // opaque='x' is ignored on the upper layer; put one there once in a while.
            else if (isUpper && rng.chance(0.05)) sys.lsetxattr(p, XO, 'x', 0);
            // the other namespace's marks mean nothing to this mount
            if (rng.chance(0.05)) sys.lsetxattr(p, opts.userxattr ? XATTR_OPAQUE : 'user.overlay.opaque', 'y', 0);
            record(path, kind, opaque ? "opaque='y'" : undefined);
            populate(path, depth + 1, opaque);
            chmodSync(p, rng.pick(DIR_MODES));
            break;
          }
        }
        if (rng.chance(0.08) && kind !== 'whiteout' && kind !== 'xwhiteout') lchownSync(p, 1000 + rng.int(3), 1000 + rng.int(3));
      }
      if (relDir === '/' && rng.chance(0.2)) {
        // an empty dir whose name no other layer has
        const p = join(abs, `empty-${layerLabel(id)}`);
        mkdirSync(p);
        record(rel('/', `empty-${layerLabel(id)}`), 'dir');
      }
    };

    populate('/', 1, false);
    for (const [d, names] of mine) {
      if (!below.has(d)) below.set(d, new Map());
      const m = below.get(d)!;
      for (const [name, kinds] of names) m.set(name, [...(m.get(name) ?? []), ...kinds]);
    }
  }
  return { seed, userxattr: opts.userxattr === true, dir, lower, upper, work, merged, made };
}

/** Every '/'-rooted path present in any layer of the stack (what lookups should be probed for). */
export function layerPaths(stack: { lower: string[]; upper?: string }): string[] {
  const out = new Set<string>();
  const walk = (root: string, relDir: string): void => {
    const abs = relDir === '/' ? root : root + relDir;
    for (const name of readdirSync(abs)) {
      const path = rel(relDir, name);
      out.add(path);
      if (lstatSync(join(abs, name)).isDirectory()) walk(root, path);
    }
  };
  for (const root of [...(stack.upper ? [stack.upper] : []), ...stack.lower]) walk(root, '/');
  return [...out].sort();
}

function xattrSummary(p: string): string {
  try {
    const names = sys.llistxattr(p).sort();
    if (names.length === 0) return '';
    return ` xattrs{${names.map((n) => `${n}=${JSON.stringify(sys.lgetxattr(p, n).toString('latin1'))}`).join(' ')}}`;
  } catch {
    return '';
  }
}

/** One line per layer: what each layer holds at `path` (for failure messages). */
export function describeInLayers(stack: { lower: string[]; upper?: string }, path: string): string[] {
  const layers: Array<[string, string]> = [...(stack.upper ? [['upper', stack.upper] as [string, string]] : []), ...stack.lower.map((r, i): [string, string] => [`lower[${i}]`, r])];
  return layers.map(([label, root]) => {
    const p = path === '/' ? root : root + path;
    try {
      const st = lstatSync(p);
      let what: string;
      if (st.isDirectory()) what = `dir`;
      else if (st.isFile()) what = `file size=${st.size}`;
      else if (st.isSymbolicLink()) what = `symlink -> ${JSON.stringify(readlinkSync(p))}`;
      else if (st.isCharacterDevice()) what = `chardev ${Math.floor(st.rdev / 256)}/${st.rdev % 256}`;
      else if (st.isFIFO()) what = 'fifo';
      else what = 'other';
      return `${label}: ${what} mode=${st.mode.toString(8)}${xattrSummary(p)}`;
    } catch (e) {
      return `${label}: ${(e as NodeJS.ErrnoException).code}`;
    }
  });
}

/** One operation done through a mounted overlay's merged dir, for failure messages. */
export interface DoneOp {
  op: string;
  path: string;
  to?: string;
  /** The errno when the kernel refused it (refusals are fine: EXDEV without redirect_dir, ENOTEMPTY, ...). */
  error?: string;
}

/** Operations as one line, for failure messages. */
export function fmtOps(ops: DoneOp[]): string {
  return ops.map((o) => `${o.op} ${JSON.stringify(o.path)}${o.to !== undefined ? ` -> ${JSON.stringify(o.to)}` : ''}${o.error ? ` (${o.error})` : ''}`).join('; ');
}

/** '/'-rooted paths of everything visible in a merged dir (readdir + lstat; what lookup refuses is left out). */
function mergedPaths(merged: string): Array<{ path: string; dir: boolean; symlink: boolean; file: boolean }> {
  const out: Array<{ path: string; dir: boolean; symlink: boolean; file: boolean }> = [];
  const walk = (relDir: string): void => {
    let names: string[];
    try {
      names = readdirSync(relDir === '/' ? merged : merged + relDir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = rel(relDir, name);
      try {
        const st = lstatSync(merged + path);
        out.push({ path, dir: st.isDirectory(), symlink: st.isSymbolicLink(), file: st.isFile() });
        if (st.isDirectory()) walk(path);
      } catch {
        // listed but not there (readdir lists what lookup refuses, docs/view.md): skip
      }
    }
  };
  walk('/');
  return out;
}

/**
 * `count` random changes made through the merged dir of a mounted overlay — renames of files
 * and dirs (in place and across dirs), chmod, chown, appends, new files, dirs and symlinks,
 * hard links, deletions, recursive deletions, touches — so that the kernel writes copy-ups,
 * whiteouts, opaque dirs and (with redirect_dir/metacopy) redirects and metacopy files.
 */
export function randomOps(seed: number, merged: string, count: number): DoneOp[] {
  const rng = new Rng(seed ^ 0x0b5);
  const done: DoneOp[] = [];
  for (let n = 0; n < count; n++) {
    const all = mergedPaths(merged);
    const dirs = ['/', ...all.filter((e) => e.dir).map((e) => e.path)];
    const pickAny = (): string | undefined => (all.length > 0 ? rng.pick(all).path : undefined);
    const pickFile = (): string | undefined => {
      const files = all.filter((e) => e.file);
      return files.length > 0 ? rng.pick(files).path : undefined;
    };
    const pickDir = (): string | undefined => {
      const ds = all.filter((e) => e.dir);
      return ds.length > 0 ? rng.pick(ds).path : undefined;
    };
    const newPath = (): string => rel(rng.pick(dirs), rng.chance(0.5) ? rng.pick(NAME_POOL) : `new-${n}${rng.pick(['', ' x', ',y', ':z'])}`);
    const op = rng.weighted({ rename: 25, chmod: 14, chown: 5, append: 12, create: 10, mkdir: 8, symlink: 4, link: 4, unlink: 10, rmrf: 6, touch: 7 });
    let path: string | undefined;
    let to: string | undefined;
    const m = (p: string): string => (p === '/' ? merged : merged + p);
    try {
      switch (op) {
        case 'rename': {
          path = rng.chance(0.5) ? pickDir() : pickAny();
          if (path === undefined) continue;
          to = rng.chance(0.4) ? rel(path.slice(0, path.lastIndexOf('/')) || '/', `renamed-${n}`) : newPath();
          if (to === path || to.startsWith(`${path}/`)) continue;
          renameSync(m(path), m(to));
          break;
        }
        case 'chmod':
          path = pickAny();
          if (path === undefined || all.find((e) => e.path === path)?.symlink) continue;
          chmodSync(m(path), rng.pick([...FILE_MODES, ...DIR_MODES]));
          break;
        case 'chown':
          path = pickAny();
          if (path === undefined) continue;
          lchownSync(m(path), 2000 + rng.int(3), 2000 + rng.int(3));
          break;
        case 'append':
          path = pickFile();
          if (path === undefined) continue;
          appendFileSync(m(path), `appended by op ${n}\n`);
          break;
        case 'create': {
          path = newPath();
          const existing = all.find((e) => e.path === path);
          // never open a fifo (it would block) or write through a symlink
          if (existing && !existing.file) continue;
          writeFileSync(m(path), `created by op ${n}\n`);
          break;
        }
        case 'mkdir':
          path = newPath();
          mkdirSync(m(path));
          break;
        case 'symlink':
          path = newPath();
          symlinkSync(rng.pick(SYMLINK_TARGETS), m(path));
          break;
        case 'link':
          path = pickFile();
          if (path === undefined) continue;
          to = newPath();
          linkSync(m(path), m(to));
          break;
        case 'unlink': {
          const nonDirs = all.filter((e) => !e.dir);
          if (nonDirs.length === 0) continue;
          path = rng.pick(nonDirs).path;
          unlinkSync(m(path));
          break;
        }
        case 'rmrf':
          path = pickDir();
          if (path === undefined) continue;
          rmSync(m(path), { recursive: true });
          break;
        case 'touch': {
          path = rng.chance(0.7) ? pickDir() : pickAny();
          if (path === undefined || all.find((e) => e.path === path)?.symlink) continue;
          const t = 1_500_000_000 + rng.int(1e8) + rng.int(1000) / 1000;
          utimesSync(m(path), t, t);
          break;
        }
      }
      done.push({ op, path: path!, ...(to !== undefined && { to }) });
    } catch (e) {
      done.push({ op, path: path ?? '?', ...(to !== undefined && { to }), error: (e as NodeJS.ErrnoException).code ?? String(e) });
    }
  }
  return done;
}
