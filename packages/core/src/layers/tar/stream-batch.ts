/**
 * A stretch of a tar stream as native streamBeneath takes it: the bytes we encode (headers,
 * padding, end of archive) with the ranges of layer files to splice in between them. The
 * addon reads, writes and hashes; which bytes and which files, in which order, stays here.
 */
import type { ContentSource } from '../layer-records.js';

/** One batch, ready for streamBeneath(out, roots, bytes, layout, rels, hashState). */
export interface TakenBatch {
  roots: string[];
  bytes: Buffer;
  layout: Float64Array;
  rels: string[];
  /** The overlay path of each spliced file, for the error when one changed. */
  paths: string[];
}

export class StreamBatch {
  private parts: Buffer[] = [];
  private bytesLength = 0;
  private layout: number[] = [];
  private rels: string[] = [];
  private paths: string[] = [];
  private roots = new Map<string, number>();
  /** Content bytes spliced in so far. */
  contentBytes = 0;

  get empty(): boolean {
    return this.bytesLength === 0 && this.rels.length === 0;
  }

  /** Bytes of our own (header bytes) gathered so far. */
  get ownBytes(): number {
    return this.bytesLength;
  }

  append(b: Buffer): void {
    if (b.length === 0) return;
    this.parts.push(b);
    this.bytesLength += b.length;
  }

  /** Splice `length` bytes at `offset` of the file at `src` (which must measure `size`) here. */
  splice(src: ContentSource, size: number, offset: number, length: number, path: string): void {
    let root = this.roots.get(src.root);
    if (root === undefined) this.roots.set(src.root, (root = this.roots.size));
    this.layout.push(this.bytesLength, root, src.ino, size, offset, length);
    this.rels.push(src.rel);
    this.paths.push(path);
    this.contentBytes += length;
  }

  take(): TakenBatch {
    const taken = { roots: [...this.roots.keys()], bytes: Buffer.concat(this.parts, this.bytesLength), layout: Float64Array.from(this.layout), rels: this.rels, paths: this.paths };
    this.parts = [];
    this.bytesLength = 0;
    this.layout = [];
    this.rels = [];
    this.paths = [];
    this.roots = new Map();
    this.contentBytes = 0;
    return taken;
  }
}
