/**
 * A line diff (Myers' O(ND) algorithm, "An O(ND) Difference Algorithm and Its Variations",
 * 1986), enough for showing a copied-up file against the lower version it shadows. Pure.
 * Common prefix and suffix are trimmed first; past `maxEdits` the middle is shown as one
 * replacement rather than spending quadratic time on files that have little in common.
 */

export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/** A '…' marker stands for unchanged lines left out by withContext. */
export type ShownLine = DiffLine | { op: '…'; text: string };

export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function myers(a: string[], b: string[], maxEdits: number): DiffLine[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace, offset, d, k);
    }
    v = next;
  }
  return undefined;
}

/** Walk the saved frontiers back from (n, m) to (0, 0), emitting lines in order. */
function backtrack(a: string[], b: string[], trace: Int32Array[], offset: number, dEnd: number, kEnd: number): DiffLine[] {
  const out: DiffLine[] = [];
  let x = a.length;
  let y = b.length;
  let k = kEnd;
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d]!;
    const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
    const prevK = down ? k + 1 : k - 1;
    const prevX = v[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      out.push({ op: ' ', text: a[x]! });
    }
    if (down) out.push({ op: '+', text: b[--y]! });
    else out.push({ op: '-', text: a[--x]! });
    k = prevK;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    out.push({ op: ' ', text: a[x]! });
  }
  return out.reverse();
}

/** The lines of `b` against `a`: ' ' kept, '-' only in a, '+' only in b. */
export function diffLines(a: string[], b: string[], maxEdits = 4000): DiffLine[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const middle = myers(midA, midB, maxEdits) ?? [...midA.map((text) => ({ op: '-' as const, text })), ...midB.map((text) => ({ op: '+' as const, text }))];
  const keep = (lines: string[]) => lines.map((text) => ({ op: ' ' as const, text }));
  return [...keep(a.slice(0, start)), ...middle, ...keep(a.slice(endA))];
}

/** Only changed lines and `context` lines around them, with '…' where lines were left out. */
export function withContext(lines: DiffLine[], context = 3): ShownLine[] {
  const near = new Uint8Array(lines.length);
  lines.forEach((l, i) => {
    if (l.op === ' ') return;
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) near[j] = 1;
  });
  const out: ShownLine[] = [];
  let skipped = 0;
  lines.forEach((l, i) => {
    if (near[i]) {
      if (skipped > 0) out.push({ op: '…', text: `${skipped} unchanged line(s)` });
      skipped = 0;
      out.push(l);
    } else skipped++;
  });
  if (skipped > 0 && out.length > 0) out.push({ op: '…', text: `${skipped} unchanged line(s)` });
  return out;
}
