/** Column formats for tree rows: sizes as people read them, modes as `ls -l` prints them. Pure. */

const UNITS = ['K', 'M', 'G', 'T'];

/** 512 → '512B', 1536 → '1.5K', 10 MiB → '10M'. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  let v = bytes;
  let u = -1;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)}${UNITS[u]}`;
}

const TYPE_CHARS: Record<number, string> = { 0o040000: 'd', 0o120000: 'l', 0o010000: 'p', 0o140000: 's', 0o020000: 'c', 0o060000: 'b', 0o100000: '-' };

/** 0o100644 → '-rw-r--r--', with setuid/setgid/sticky as ls shows them. */
export function formatMode(mode: number): string {
  const type = TYPE_CHARS[mode & 0o170000] ?? '?';
  const bits = ['r', 'w', 'x'];
  let s = type;
  for (let shift = 6; shift >= 0; shift -= 3) {
    for (let b = 0; b < 3; b++) s += mode & (1 << (shift + 2 - b)) ? bits[b] : '-';
  }
  const chars = s.split('');
  const special = (i: number, bit: number, set: string, unset: string) => {
    if (mode & bit) chars[i] = chars[i] === 'x' ? set : unset;
  };
  special(3, 0o4000, 's', 'S');
  special(6, 0o2000, 's', 'S');
  special(9, 0o1000, 't', 'T');
  return chars.join('');
}

/** HH:MM:SS.mmm in local time (the live panel's clock). */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** Cut or pad to exactly `width` columns (one column per UTF-16 unit; control chars shown as '?'). */
export function fit(text: string, width: number): string {
  return clip(text, width).padEnd(Math.max(0, width));
}

/**
 * Cut to at most `width` columns, without padding: for lines whose trailing blanks would not
 * show (no inverse or background). Ink tokenizes every character it is given, every frame,
 * so blanks it would draw anyway are work for nothing.
 */
export function clip(text: string, width: number): string {
  if (width <= 0) return '';
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  if (clean.length > width) return width === 1 ? '…' : `${clean.slice(0, width - 1)}…`;
  return clean;
}
