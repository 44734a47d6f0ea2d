/**
 * A stretch of a tar stream as native streamBeneath takes it: the bytes we encode (headers,
 * padding, end of archive) with the ranges of layer files to splice in between them. The
 * addon reads, writes and hashes; which bytes and which files, in which order, stays here.
 *
 * Headers are encoded straight into the batch's own storage (reserve()), not into a Buffer
 * each then joined: tens of thousands of headers per layer. One storage does for every batch:
 * the addon copies a batch's bytes and layout when it is called (see take()).
 */

/** One batch, ready for streamBeneath(out, roots, bytes, layout, rels, hashState). */
export interface TakenBatch {
  roots: string[];
  bytes: Buffer;
  layout: Float64Array;
  rels: string[];
  /** The overlay path of each spliced file, for the error when one changed. */
  paths: string[];
}

/** Numbers per spliced range in the layout: at, root, ino, size, offset, length. */
export const LAYOUT_WIDTH = 6;
/** Where a range's size is in its stretch of the layout. */
export const LAYOUT_SIZE = 3;

/**
 * An empty array made for strings: a fresh [] is one of small integers until its first push,
 * and the compiled push, having seen such arrays, would expect a small integer (a deopt and a
 * recompile of splice, per array).
 */
function strings(): string[] {
  const a = [''];
  a.pop();
  return a;
}

export class StreamBatch {
  /** Where the batch's bytes are: [0, ownBytes). Read it after reserve(), which may replace it. */
  bytes: Uint8Array;
  private length = 0;
  private layout: Float64Array;
  private files = 0;
  private rels = strings();
  private paths = strings();
  private roots = strings();
  /** Content bytes spliced in so far. */
  contentBytes = 0;

  /**
   * `capacity`: the bytes a batch holds, `files` the ranges it splices, at most as the caller
   * fills it (a batch grows past them when it must, but code that never ran is not compiled:
   * a grow that does not happen costs nothing).
   */
  constructor(capacity: number, files: number) {
    this.bytes = new Uint8Array(capacity);
    this.layout = new Float64Array(LAYOUT_WIDTH * files);
  }

  get empty(): boolean {
    return this.length === 0 && this.files === 0;
  }

  /** Bytes of our own (header bytes) gathered so far. */
  get ownBytes(): number {
    return this.length;
  }

  /** Make room for `n` more bytes at the end: where they go in `bytes` (the caller sets every one). */
  reserve(n: number): number {
    const at = this.length;
    if (at + n > this.bytes.length) {
      const bigger = new Uint8Array(Math.max(2 * this.bytes.length, at + n));
      bigger.set(this.bytes.subarray(0, at));
      this.bytes = bigger;
    }
    this.length = at + n;
    return at;
  }

  /** Drop the bytes from `at` on (a reservation that was not used). */
  cut(at: number): void {
    this.length = at;
  }

  append(b: Uint8Array): void {
    if (b.length === 0) return;
    const at = this.reserve(b.length);
    this.bytes.set(b, at);
  }

  /** `n` zero bytes. */
  zeros(n: number): void {
    if (n === 0) return;
    const at = this.reserve(n);
    this.bytes.fill(0, at, at + n);
  }

  /** Splice `length` bytes at `offset` of the file `rel` beneath `root` (which must be inode `ino`, 0: any, and measure `size`) here. */
  splice(root: string, rel: string, ino: number, size: number, offset: number, length: number, path: string): void {
    let at = this.roots.indexOf(root);
    if (at < 0) at = this.roots.push(root) - 1;
    let k = this.files * LAYOUT_WIDTH;
    if (k === this.layout.length) {
      const bigger = new Float64Array(2 * k);
      bigger.set(this.layout);
      this.layout = bigger;
    }
    // A Float64Array: sizes and inode numbers are doubles, indices small integers; no array of
    // mixed numbers whose element kind changes under the compiled code.
    const layout = this.layout;
    layout[k++] = this.length;
    layout[k++] = at;
    layout[k++] = ino;
    layout[k++] = size;
    layout[k++] = offset;
    layout[k] = length;
    this.files++;
    this.rels.push(rel);
    this.paths.push(path);
    this.contentBytes += length;
  }

  /**
   * The batch as it is, and an empty one in its place, in the same storage: hand the taken
   * batch to the addon before anything more is added (the addon copies its bytes when called;
   * `bytes` is a view of storage the next batch fills). The layout is a copy: it is read again
   * for the error when a file changed, once the addon is done.
   */
  take(): TakenBatch {
    const taken: TakenBatch = {
      roots: this.roots,
      bytes: Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length),
      layout: this.layout.slice(0, this.files * LAYOUT_WIDTH),
      rels: this.rels,
      paths: this.paths,
    };
    this.length = 0;
    this.files = 0;
    this.rels = strings();
    this.paths = strings();
    this.roots = strings();
    this.contentBytes = 0;
    return taken;
  }
}
