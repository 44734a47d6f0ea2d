/**
 * What the preview pane shows of a file's first bytes: text lines, or a hex dump when the
 * bytes look binary (a NUL byte, as git and less decide). Pure.
 */

/** How many bytes are enough to fill `rows` lines of `columns` (text) — never the whole file. */
export function bytesToShow(rows: number, columns: number): number {
  return Math.min(64 * 1024, Math.max(256, rows * Math.max(16, columns) * 4));
}

export function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8192).includes(0);
}

/** Text lines, tabs expanded, each cut to `width`. */
export function textLines(bytes: Uint8Array, rows: number, width: number): string[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const lines = text.split('\n').slice(0, rows);
  return lines.map((l) => l.replace(/\t/g, '    ').replace(/[\u0000-\u0008\u000b-\u001f\u007f\r]/g, '·').slice(0, width));
}

/** `00000010  48 65 6c 6c 6f 0a 00 ...  Hello..` rows, `perRow` bytes each. */
export function hexLines(bytes: Uint8Array, rows: number, perRow = 16): string[] {
  const out: string[] = [];
  for (let off = 0; off < bytes.length && out.length < rows; off += perRow) {
    const chunk = bytes.subarray(off, off + perRow);
    const hex = Array.from(chunk, (b) => b.toString(16).padStart(2, '0')).join(' ').padEnd(perRow * 3 - 1);
    const ascii = Array.from(chunk, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    out.push(`${off.toString(16).padStart(8, '0')}  ${hex}  ${ascii}`);
  }
  return out;
}

/** Bytes per hex row that fit `width` columns (8, 16...). */
export function hexPerRow(width: number): number {
  return width >= 78 ? 16 : 8;
}
