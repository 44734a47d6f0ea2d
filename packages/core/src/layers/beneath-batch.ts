/**
 * Writes into a dir beneath its root (native writeBeneath), batched: one thread hop per 512
 * entries or 4 MiB of content. Dir mtimes are set last, once nothing more is written inside.
 */
import type { WriteBeneathEntry } from '../binding.js';
import { binding } from '../binding.js';

const BATCH_ENTRIES = 512;
const BATCH_BYTES = 4 << 20;

export class BeneathBatch {
  private batch: WriteBeneathEntry[] = [];
  private bytes = 0;
  private readonly dirTimes: WriteBeneathEntry[] = [];

  constructor(private readonly root: string) {}

  async push(w: WriteBeneathEntry): Promise<void> {
    this.batch.push(w);
    this.bytes += w.data?.length ?? 0;
    if (this.batch.length >= BATCH_ENTRIES || this.bytes >= BATCH_BYTES) await this.flush();
  }

  /** Set this dir's mtime at the end (finish()), after its content is written. */
  dirTime(rel: WriteBeneathEntry['rel'], mtimeSec: number, mtimeNsec: number): void {
    this.dirTimes.push({ kind: 'times', rel, mtimeSec, mtimeNsec });
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.bytes = 0;
    await binding().writeBeneathAsync(this.root, batch);
  }

  async finish(): Promise<void> {
    for (const t of this.dirTimes.splice(0)) await this.push(t);
    await this.flush();
  }
}

/** Seconds and nanoseconds of a time in ms. */
export function splitMs(ms: number): { mtimeSec: number; mtimeNsec: number } {
  const sec = Math.floor(ms / 1000);
  return { mtimeSec: sec, mtimeNsec: Math.round((ms - sec * 1000) * 1e6) % 1e9 };
}

/** An overlay whiteout at `rel`: a 0/0 char device, mode 0, owned by root when we may set owners. */
export function whiteoutEntry(rel: WriteBeneathEntry['rel'], owners: boolean): WriteBeneathEntry {
  return { kind: 'chardev', rel, mode: 0, devMajor: 0, devMinor: 0, ...(owners && { uid: 0, gid: 0 }) };
}
