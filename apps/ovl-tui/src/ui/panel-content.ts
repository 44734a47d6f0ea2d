/**
 * What the right-hand pane shows for an entry: where it comes from, then its contents
 * (text, hex, a symlink's target) or its diff against the lower version. Pure: the hook
 * reads the bytes, this turns them into lines.
 */
import { diffLines, splitLines, withContext } from '../lib/diff.js';
import { formatMode, formatSize } from '../lib/format.js';
import { markOf, MARK_LEGEND } from '../lib/marks.js';
import { isPlaceholder } from '../lib/placeholder.js';
import { hexLines, hexPerRow, isBinary, textLines } from '../lib/preview.js';
import type { MergedEntry } from '../service/types.js';

export interface PaneLine {
  text: string;
  color?: string;
  dim?: boolean;
}

export interface PaneContent {
  title: string;
  lines: PaneLine[];
}

const layerName = (l: MergedEntry['layer']) => (l === 'upper' ? 'upper' : `lower ${l}`);

/** Where the entry lives and what it hides, in words. */
export function provenanceLines(e: MergedEntry): PaneLine[] {
  if (isPlaceholder(e)) return [{ text: `${e.type === 'dir' ? 'dir' : 'entry'} ${e.name}: reading its details…`, dim: true }];
  const mark = markOf(e);
  const meaning = MARK_LEGEND.find(([m]) => m === mark.text || (mark.kind === 'lower' && m === 'L<n>'))?.[1] ?? '';
  const lines: PaneLine[] = [{ text: `${mark.text}: ${meaning}`, color: mark.color }];
  lines.push({ text: `in ${layerName(e.layer)}: ${e.sourcePath}`, dim: true });
  if (e.shadows.length > 0) lines.push({ text: `${e.type === 'whiteout' ? 'hides' : e.type === 'dir' ? 'merged over' : 'shadows'}: ${e.shadows.map(layerName).join(', ')}`, dim: true });
  if (e.redirect !== undefined) lines.push({ text: `redirect: continues from ${e.redirect}`, dim: true });
  if (e.dataPath !== undefined) lines.push({ text: `data from ${e.dataLayer === undefined ? '?' : layerName(e.dataLayer)}: ${e.dataPath}`, dim: true });
  if (e.type !== 'whiteout') lines.push({ text: `${e.type}  ${formatSize(e.size)}  ${formatMode(e.mode)}  uid ${e.uid} gid ${e.gid}`, dim: true });
  lines.push({ text: '' });
  return lines;
}

/** The preview of a file's first bytes (or a symlink's target). */
export function previewLines(e: MergedEntry, bytes: Uint8Array, rows: number, width: number): PaneLine[] {
  if (e.type === 'symlink') return [{ text: `→ ${Buffer.from(bytes).toString('utf8')}` }];
  if (bytes.length === 0) return [{ text: '(empty)', dim: true }];
  if (isBinary(bytes)) return hexLines(bytes, rows, hexPerRow(width)).map((text) => ({ text }));
  return textLines(bytes, rows, width).map((text) => ({ text }));
}

/** The diff of the upper file against the lower one, changed lines with context. */
export function diffPaneLines(lower: Uint8Array, upper: Uint8Array, width: number): PaneLine[] {
  if (isBinary(lower) || isBinary(upper)) {
    return [{ text: Buffer.compare(Buffer.from(lower), Buffer.from(upper)) === 0 ? 'binary files are identical' : 'binary files differ', dim: true }];
  }
  const a = splitLines(Buffer.from(lower).toString('utf8'));
  const b = splitLines(Buffer.from(upper).toString('utf8'));
  const shown = withContext(diffLines(a, b));
  if (shown.length === 0) return [{ text: 'no difference in content (a metadata-only copy-up?)', dim: true }];
  const colors = { '-': 'red', '+': 'green', ' ': undefined, '…': undefined } as const;
  return shown.map((l) => ({ text: `${l.op === '…' ? '…' : l.op} ${l.text}`.replace(/\t/g, '    ').slice(0, width), color: colors[l.op], dim: l.op === '…' }));
}
