/**
 * applyLayer: an OCI layer tar (plain or gzip) applied to a dir, as an overlay layer or onto
 * a plain root fs. Two passes over the archive: the first reads every header and refuses a
 * hostile or broken archive before anything is written (apply-plan.ts says what is
 * refused); the second writes through the native writeBeneath, where every path is resolved
 * beneath the dir with no symlinks — so even what the first pass cannot know (a symlink
 * already in the dir) can never carry a write outside it.
 */
import { binding } from '../binding.js';
import { OvlError, publicError, SystemError } from '../errors.js';
import { overlayXattr } from '../format/overlay-xattrs.js';
import type { WriteBeneathEntry } from '../binding.js';
import { keptXattrs, planEntry, unsafe, type ApplyRules, type PlannedEntry } from './apply-plan.js';
import { BeneathBatch, whiteoutEntry } from './beneath-batch.js';
import { TarReader, type TarEntry } from './tar/reader.js';
import { isGzip } from './tar/is-gzip.js';
import { archiveStream } from './tar/archive-stream.js';

export type ApplyLayerOptions = ApplyRules;

/**
 * Folding a layer into the layer below it (commit into the top lower): marks are applied
 * first, as on a root fs, and then kept as overlay marks only where the layers further down
 * still hold what they hide — keys are the marks' paths beneath the dir (latin1 of the bytes).
 */
export interface FoldMarks {
  whiteouts: ReadonlySet<string>;
  opaque: ReadonlySet<string>;
}

export interface ApplyLayerResult {
  /** Entries written (files, dirs, links, devices, whiteouts, opaque marks). */
  entries: number;
  /** Bytes of file content written. */
  bytes: number;
  /** Entries left out: AUFS metadata (.wh..wh.*), device nodes with devices: 'skip'. */
  skipped: number;
  /** xattrs left out by the rules (trusted.*, security.* without xattrs: 'all'; overlay's own always). */
  droppedXattrs: number;
}

const CHUNK = 1 << 20;

/** The state of the archive's own tree as its entries go by: what each path is now. */
type Kind = 'dir' | 'symlink' | 'other';
const key = (rel: Buffer): string => rel.toString('latin1');

function ancestors(rel: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = rel.indexOf(0x2f); i >= 0; i = rel.indexOf(0x2f, i + 1)) out.push(rel.subarray(0, i));
  return out;
}

/** Pass 1: every header, checked; what pass 2 needs to know in advance. */
async function survey(path: string, gzip: boolean, dir: string, rules: ApplyRules): Promise<{ opaqueDirs: Set<string>; missingParents: Set<string>; marks: PlannedEntry[] }> {
  const reader = new TarReader(archiveStream(path, gzip));
  const kinds = new Map<string, Kind>();
  const existing = new Map<string, Kind | 'absent'>();
  const opaqueDirs = new Set<string>();
  const missingParents = new Set<string>();
  const marks: PlannedEntry[] = [];
  const inDir = async (rel: Buffer, e: TarEntry): Promise<Kind | 'absent'> => {
    const k = key(rel);
    let kind = existing.get(k);
    if (kind === undefined) {
      try {
        const st = await binding().statBeneathAsync(dir, rel);
        kind = (st.mode & 0o170000) === 0o040000 ? 'dir' : (st.mode & 0o170000) === 0o120000 ? 'symlink' : 'other';
      } catch (err) {
        if (!(err instanceof SystemError)) throw err;
        if (err.code === 'ENOENT') kind = 'absent';
        else if (err.code === 'ELOOP' || err.code === 'EXDEV') throw unsafe(e.name, `would be written through a symlink already in '${dir}'`, e.offset);
        else throw err;
      }
      existing.set(k, kind);
    }
    return kind;
  };
  for (let e = await reader.next(); e !== undefined; e = await reader.next()) {
    const plan = planEntry(e, rules);
    const rel = plan.op === 'write' || plan.op === 'whiteout' ? plan.rel : plan.op === 'opaque' ? plan.dir : undefined;
    if (rel === undefined) continue;
    // Every dir on the way must be a dir: made so by the archive, or already one in the dir.
    for (const a of plan.op === 'opaque' ? [...ancestors(rel), rel] : ancestors(rel)) {
      const made = kinds.get(key(a));
      const kind = made ?? (await inDir(a, e));
      if (kind === 'symlink') throw unsafe(e.name, `would be written through the symlink '${a.toString('latin1')}'${made ? ' the archive made' : ` already in '${dir}'`}`, e.offset);
      if (kind === 'other') throw unsafe(e.name, `is under '${a.toString('latin1')}', which is not a dir`, e.offset);
      // A whiteout on a root fs deletes what is there; it never makes the dirs above it.
      if (kind === 'absent' && (plan.op === 'write' || rules.as === 'layer')) missingParents.add(key(a));
    }
    if (plan.op === 'opaque') opaqueDirs.add(key(rel));
    if (plan.op !== 'write') {
      marks.push(plan);
      continue;
    }
    if (plan.linkTarget !== undefined) {
      const target = kinds.get(key(plan.linkTarget));
      if (target === undefined || target === 'dir') throw unsafe(e.name, `is a hard link to '${plan.linkTarget.toString('latin1')}', which is not an earlier non-dir entry of the archive`, e.offset);
    }
    const was = kinds.get(key(rel));
    kinds.set(key(rel), e.type === 'dir' ? 'dir' : e.type === 'symlink' ? 'symlink' : 'other');
    // A dir replaced by a non-dir takes its archive-made children with it (rare: a scan only then).
    if (was === 'dir' && e.type !== 'dir') for (const k of kinds.keys()) if (k.startsWith(`${key(rel)}/`)) kinds.delete(k);
  }
  return { opaqueDirs, missingParents, marks };
}

/** Pass 2: the writes, in batches (one thread hop each). */
class Applier {
  private readonly batch: BeneathBatch;
  private readonly opaqueWritten = new Set<string>();
  readonly result: ApplyLayerResult = { entries: 0, bytes: 0, skipped: 0, droppedXattrs: 0 };
  private readonly owners = process.getuid?.() === 0;

  private readonly opaqueDirs: ReadonlySet<string>;

  constructor(
    dir: string,
    private readonly rules: ApplyRules,
    opaqueDirs: ReadonlySet<string>,
    private readonly fold?: FoldMarks,
  ) {
    this.batch = new BeneathBatch(dir);
    this.opaqueDirs = fold?.opaque ?? opaqueDirs;
  }

  /** Marks go first (root fs, fold); otherwise in archive order. */
  get marksFirst(): boolean {
    return this.rules.as === 'rootfs' || this.fold !== undefined;
  }

  private async push(w: WriteBeneathEntry): Promise<void> {
    await this.batch.push(w);
  }

  private opaqueXattr(): [string, Buffer] {
    return [overlayXattr('opaque', { userxattr: this.rules.userxattr === true }), Buffer.from('y')];
  }

  private meta(e: TarEntry, rel: Buffer): Partial<WriteBeneathEntry> {
    const kept = keptXattrs(e.xattrs, this.rules);
    this.result.droppedXattrs += e.xattrs.length - kept.length;
    if ((this.rules.as === 'layer' || this.fold) && e.type === 'dir' && this.opaqueDirs.has(key(rel))) {
      kept.push(this.opaqueXattr());
      this.opaqueWritten.add(key(rel));
    }
    return {
      mode: this.rules.keepSetid ? e.mode : e.mode & ~0o6000,
      ...(this.owners && { uid: e.uid, gid: e.gid }),
      mtimeSec: e.mtimeSec,
      mtimeNsec: e.mtimeNsec,
      ...(kept.length > 0 && { xattrs: kept }),
    };
  }

  /** Dirs on the way that neither the archive nor the dir has: made as tar does, 0755. */
  async makeParents(missing: Set<string>): Promise<void> {
    for (const k of [...missing].sort((a, b) => a.length - b.length)) await this.push({ kind: 'dir', rel: Buffer.from(k, 'latin1'), mode: 0o755 });
  }

  async removals(plans: PlannedEntry[]): Promise<void> {
    for (const p of plans) {
      if (p.op === 'whiteout') await this.push({ kind: 'remove', rel: p.rel });
      else if (p.op === 'opaque') await this.push({ kind: 'empty', rel: p.dir });
      this.result.entries++;
    }
  }

  private whiteout(rel: Buffer): Promise<void> {
    return this.push(whiteoutEntry(rel, this.owners));
  }

  async apply(plan: PlannedEntry, reader: TarReader): Promise<void> {
    if (plan.op === 'skip') {
      if (plan.why !== 'root') this.result.skipped++;
      return;
    }
    if (plan.op === 'opaque' || plan.op === 'whiteout') {
      // Removals went first (removals()); folding, a whiteout that still hides something below
      // is made here, in archive order, once the dir it sits in has been written.
      if (this.fold && plan.op === 'whiteout' && this.fold.whiteouts.has(key(plan.rel))) await this.whiteout(plan.rel);
      if (this.marksFirst) return;
      this.result.entries++;
      if (plan.op === 'whiteout') await this.whiteout(plan.rel);
      return; // an opaque mark rides on its dir's own entry (meta), or is written at the end
    }
    const { rel, entry: e } = plan;
    this.result.entries++;
    const meta = this.meta(e, rel);
    switch (e.type) {
      case 'file': {
        if (e.size === 0) {
          await this.push({ kind: 'file', rel, data: Buffer.alloc(0), ...meta });
          return;
        }
        let offset = 0;
        for await (const chunk of reader.readContent(CHUNK)) {
          const last = offset + chunk.length === e.size;
          await this.push({ kind: 'file', rel, data: chunk, offset, first: offset === 0, last, ...(last ? meta : {}) });
          offset += chunk.length;
        }
        this.result.bytes += e.size;
        return;
      }
      case 'dir':
        await this.push({ kind: 'dir', rel, ...meta });
        this.batch.dirTime(rel, e.mtimeSec, e.mtimeNsec);
        return;
      case 'symlink':
        await this.push({ kind: 'symlink', rel, target: e.linkname, ...(this.owners && { uid: e.uid, gid: e.gid }), mtimeSec: e.mtimeSec, mtimeNsec: e.mtimeNsec });
        return;
      case 'hardlink':
        await this.push({ kind: 'hardlink', rel, target: plan.linkTarget! });
        return;
      default:
        await this.push({ kind: e.type, rel, devMajor: e.devmajor, devMinor: e.devminor, ...meta });
    }
  }

  /** Opaque marks whose dir had no entry of its own; then every dir's mtime, now that nothing more is written inside. */
  async finish(): Promise<void> {
    if (this.rules.as === 'layer' || this.fold) {
      for (const k of this.opaqueDirs) {
        if (!this.opaqueWritten.has(k)) await this.push({ kind: 'dir', rel: Buffer.from(k, 'latin1'), mode: 0o755, xattrs: [this.opaqueXattr()] });
      }
    }
    await this.batch.finish();
  }
}

/**
 * Apply the layer tar `tarFile` to `dir`: `as: 'layer'` makes `dir` an overlay layer
 * (`.wh.x` → a 0/0 char device x, `.wh..wh..opq` → the opaque xattr on its dir); `as:
 * 'rootfs'` applies it onto a plain tree (whiteouts delete, opaque markers empty the dir,
 * both before the layer's own entries). A hostile or broken archive is refused before
 * anything is written.
 * @throws OvlError ERR_OVL_TAR_UNSAFE, ERR_OVL_TAR_CORRUPT, ERR_OVL_TAR_TRUNCATED, ERR_OVL_TAR_UNSUPPORTED; SystemError.
 */
export async function applyLayer(tarFile: string, dir: string, opts: ApplyLayerOptions): Promise<ApplyLayerResult> {
  try {
    return await applyLayerTo(tarFile, dir, opts);
  } catch (e) {
    throw publicError(e, applyLayer);
  }
}

/** applyLayer's work, for core's own callers (commit folds with `fold`). */
export async function applyLayerTo(tarFile: string, dir: string, opts: ApplyLayerOptions, fold?: FoldMarks): Promise<ApplyLayerResult> {
  if (opts?.as !== 'layer' && opts?.as !== 'rootfs') throw new TypeError("applyLayer needs { as: 'layer' } or { as: 'rootfs' }.");
  if (typeof tarFile !== 'string' || typeof dir !== 'string') throw new TypeError('applyLayer(tarFile, dir, opts): both paths are strings.');
  try {
    if (((await binding().statBeneathAsync(dir, '.')).mode & 0o170000) !== 0o040000) throw new OvlError('ERR_OVL_NOT_A_DIRECTORY', `ovl: '${dir}' is not a directory`, { path: dir });
  } catch (e) {
    if (e instanceof SystemError) throw new OvlError('ERR_OVL_PATH_MISSING', `ovl: '${dir}' cannot be opened (${e.code})`, { path: dir, hint: `Create '${dir}' first: applyLayer writes into an existing dir.` });
    throw e;
  }
  const gzip = await isGzip(tarFile);
  const { opaqueDirs, missingParents, marks } = await survey(tarFile, gzip, dir, opts);
  const applier = new Applier(dir, opts, opaqueDirs, fold);
  await applier.makeParents(missingParents);
  // Whiteouts and opaque markers speak of the layers below: on a root fs (and folding) they go first.
  if (applier.marksFirst) await applier.removals(marks);
  const reader = new TarReader(archiveStream(tarFile, gzip));
  for (let e = await reader.next(); e !== undefined; e = await reader.next()) await applier.apply(planEntry(e, opts), reader);
  await applier.finish();
  return applier.result;
}
