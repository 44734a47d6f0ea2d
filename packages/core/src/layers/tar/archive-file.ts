/**
 * An archive being written to a file, batch by batch (stream-batch.ts): native streamBeneath
 * copies each batch's bytes and files off the main thread and sha256s them (the OCI diff id
 * is the sha256 of the uncompressed tar), writing straight to the file, or, gzipped, handing
 * the bytes back for zlib (the digest is then that of the compressed bytes on disk). Written
 * to a temporary name in the same dir and renamed into place only when complete, so a failed
 * export never leaves a half-written layer under the asked-for name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { createGzip, type Gzip } from 'node:zlib';
import { binding, type StreamBeneathResult, type StreamHash } from '../../binding.js';
import type { TakenBatch } from './stream-batch.js';

export interface ArchiveResult {
  /** sha256 of the file as written (compressed when gzip). */
  digest: string;
  /** sha256 of the uncompressed tar: the OCI diff id. */
  diffId: string;
  /** Bytes of the file as written. */
  size: number;
}

/** Why a batch stopped: the file at `index` of the batch was not as described. */
export type StreamStop = NonNullable<StreamBeneathResult['stopped']>;

/** Where the gzipped bytes go: zlib, then the file, hashed on the way. */
class GzipSink {
  private readonly gzip: Gzip;
  private readonly file: WriteStream;
  private readonly hash = createHash('sha256');
  bytes = 0;
  failed: Error | undefined;

  constructor(path: string, level: number) {
    // A deep buffer lets the file write of one batch overlap the compression of the next.
    this.file = createWriteStream(path, { flags: 'wx', mode: 0o644, highWaterMark: 8 << 20 });
    this.gzip = createGzip({ level });
    this.file.on('error', (e) => {
      this.failed ??= e;
      this.gzip.destroy(e); // a writer waiting on gzip's drain must not wait forever
    });
    this.gzip.on('error', (e) => (this.failed ??= e));
    this.gzip.on('data', (c: Buffer) => {
      this.hash.update(c);
      this.bytes += c.length;
      if (!this.file.write(c)) this.gzip.pause();
    });
    this.file.on('drain', () => this.gzip.resume());
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.failed) throw this.failed;
    if (!this.gzip.write(chunk)) await once(this.gzip, 'drain');
  }

  async finish(): Promise<{ digest: string; size: number }> {
    if (this.failed) throw this.failed;
    this.gzip.end();
    await once(this.gzip, 'end');
    this.file.end();
    await once(this.file, 'close');
    if (this.failed) throw this.failed;
    return { digest: this.hash.digest('hex'), size: this.bytes };
  }

  destroy(): void {
    this.gzip.destroy();
    this.file.destroy();
  }
}

export class ArchiveFile {
  /** The diff id's sha256, kept by the addon across batches on a thread of its own (no batch waits for the hash of the one before). */
  private readonly hash: StreamHash = binding().createStreamHash();
  private written = 0;
  /** The last batch's after-work (see write): the next one's waits for it. */
  private inOrder: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly tmp: string,
    private readonly file: FileHandle | undefined,
    private readonly gzip: GzipSink | undefined,
  ) {}

  /** gzip: false, true (level 6) or a level 1–9. Node's gzip header carries no time and no name, so the bytes are stable. */
  static async create(path: string, gzip: boolean | number): Promise<ArchiveFile> {
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
    if (gzip !== false) return new ArchiveFile(path, tmp, undefined, new GzipSink(tmp, gzip === true ? 6 : gzip));
    return new ArchiveFile(path, tmp, await open(tmp, 'wx', 0o644), undefined);
  }

  /**
   * Append a batch; resolves to why it stopped when one of its files was not as described
   * (the archive is then unusable). A batch may be handed on before the one before it is
   * written: the addon runs them in the order they came, and what follows each (the gzip
   * write) happens in that order too. The addon copies the batch's bytes and layout in this
   * call: their storage may be refilled once it returns.
   */
  write(batch: TakenBatch): Promise<StreamStop | undefined> {
    const out = this.file?.fd ?? -1;
    const call = binding().streamBeneathAsync(out, batch.roots, batch.bytes, batch.layout, batch.rels, this.hash);
    // Its failure is taken up below, once the batch before is done; until then it must not
    // count as unhandled (it can come first: gzipping the batch before may wait for the file).
    call.catch(() => undefined);
    const done = this.inOrder.then(async () => {
      const r = await call;
      if (r.stopped) return r.stopped;
      this.written += r.written;
      if (this.gzip !== undefined) await this.gzip.write(r.data!);
      return undefined;
    });
    this.inOrder = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  }

  /** Finish: flush, fsync-free close, rename into place. */
  async finish(): Promise<ArchiveResult> {
    const diffId = (await binding().streamHashDigestAsync(this.hash)).digest;
    let file: { digest: string; size: number };
    if (this.gzip !== undefined) file = await this.gzip.finish();
    else {
      await this.file!.close();
      file = { digest: diffId, size: this.written };
    }
    await rename(this.tmp, this.path);
    return { digest: `sha256:${file.digest}`, diffId: `sha256:${diffId}`, size: file.size };
  }

  /** Give up (once no batch is with the addon): nothing stays on disk, and the hash's thread ends now, not when the collector gets to it. */
  async abort(): Promise<void> {
    await binding().streamHashDigestAsync(this.hash).catch(() => undefined);
    this.gzip?.destroy();
    await this.file?.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}
