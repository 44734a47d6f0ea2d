/**
 * An archive being written to a file: bytes in, optionally gzipped, hashed on both sides
 * (the OCI diff id is the sha256 of the uncompressed tar, the digest that of the bytes on
 * disk). Written to a temporary name in the same dir and renamed into place only when
 * complete, so a failed export never leaves a half-written layer under the asked-for name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { createGzip, type Gzip } from 'node:zlib';

export interface ArchiveResult {
  /** sha256 of the file as written (compressed when gzip). */
  digest: string;
  /** sha256 of the uncompressed tar: the OCI diff id. */
  diffId: string;
  /** Bytes of the file as written. */
  size: number;
}

export class ArchiveFile {
  private readonly tmp: string;
  private readonly file: WriteStream;
  private readonly gzip: Gzip | undefined;
  private readonly tarHash = createHash('sha256');
  private readonly fileHash = createHash('sha256');
  private fileBytes = 0;
  private failed: Error | undefined;

  /** gzip: false, true (level 6) or a level 1–9. Node's gzip header carries no time and no name, so the bytes are stable. */
  constructor(private readonly path: string, gzip: boolean | number) {
    this.tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
    // A deep buffer lets the file write of one MiB overlap the read of the next.
    this.file = createWriteStream(this.tmp, { flags: 'wx', mode: 0o644, highWaterMark: 8 << 20 });
    this.file.on('error', (e) => {
      this.failed ??= e;
      this.gzip?.destroy(e); // a writer waiting on gzip's drain must not wait forever
    });
    const sink = (chunk: Buffer): void => {
      this.fileHash.update(chunk);
      this.fileBytes += chunk.length;
    };
    if (gzip === false) {
      this.gzip = undefined;
    } else {
      this.gzip = createGzip({ level: gzip === true ? 6 : gzip });
      this.gzip.on('data', (c: Buffer) => {
        sink(c);
        if (!this.file.write(c)) this.gzip!.pause();
      });
      this.file.on('drain', () => this.gzip!.resume());
      this.gzip.on('error', (e) => (this.failed ??= e));
    }
    if (this.gzip === undefined) this.sink = sink;
  }

  private sink: ((chunk: Buffer) => void) | undefined;

  // Headers are 512 bytes and small files a few KiB: gathered into writes of about 1 MiB,
  // one hash update and one stream write each instead of one per piece.
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** Append bytes of the tar; resolves when the consumer is ready for more (backpressure). */
  async write(chunk: Buffer): Promise<void> {
    if (this.failed) throw this.failed;
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= 1 << 20) await this.drainPending();
  }

  private async drainPending(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const chunk = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.tarHash.update(chunk);
    if (this.gzip !== undefined) {
      if (!this.gzip.write(chunk)) await once(this.gzip, 'drain');
      return;
    }
    this.sink!(chunk);
    if (!this.file.write(chunk)) await once(this.file, 'drain');
  }

  /** Finish: flush, fsync-free close, rename into place. */
  async finish(): Promise<ArchiveResult> {
    await this.drainPending();
    if (this.failed) throw this.failed;
    if (this.gzip !== undefined) {
      this.gzip.end();
      await once(this.gzip, 'end');
    }
    this.file.end();
    await once(this.file, 'close');
    if (this.failed) throw this.failed;
    await rename(this.tmp, this.path);
    return { digest: `sha256:${this.fileHash.digest('hex')}`, diffId: `sha256:${this.tarHash.digest('hex')}`, size: this.fileBytes };
  }

  /** Give up: nothing stays on disk. */
  async abort(): Promise<void> {
    this.gzip?.destroy();
    this.file.destroy();
    await rm(this.tmp, { force: true });
  }
}
