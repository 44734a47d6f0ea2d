/**
 * Provenance marks: one short word per row saying where the entry comes from, readable with
 * or without colour (NO_COLOR), plus the colour that goes with it.
 */
import type { MergedEntry } from '@ovl/core';
import { isPlaceholder } from './placeholder.js';

export type MarkKind = 'whiteout' | 'opaque' | 'redirect' | 'metacopy' | 'copied-up' | 'new' | 'lower' | 'reading';

export interface Mark {
  kind: MarkKind;
  /** At most MARK_WIDTH characters. */
  text: string;
  color: string | undefined;
  /** Greyed (whiteout ghosts). */
  dim: boolean;
}

export const MARK_WIDTH = 5;

/** The legend `?` shows. */
export const MARK_LEGEND: Array<[string, string]> = [
  ['new', 'new in upper (nothing below)'],
  ['cp-up', 'in upper, shadowing a lower version (copied up)'],
  ['L<n>', 'from lower layer n (0 = top-most)'],
  ['del', 'whiteout: deleted in upper, still in a lower layer (a ghost)'],
  ['opaq', 'opaque dir: nothing below shows through'],
  ['redir', 'renamed dir: continues from another path below (redirect)'],
  ['meta', 'metacopy: metadata in upper, data still below'],
  ['…', 'details still being read (the name is known)'],
];

/** The mark of an entry; the most telling fact wins (a deletion before an opaque dir, ...). */
export function markOf(e: MergedEntry): Mark {
  const m = (kind: MarkKind, text: string, color: string | undefined, dim = false): Mark => ({ kind, text, color, dim });
  if (isPlaceholder(e)) return m('reading', '…', undefined, true);
  if (e.type === 'whiteout') return m('whiteout', 'del', 'gray', true);
  if (e.opaque) return m('opaque', 'opaq', 'magenta');
  if (e.redirect !== undefined) return m('redirect', 'redir', 'cyan');
  if (e.metacopy) return m('metacopy', 'meta', 'cyan');
  if (e.layer === 'upper') return e.copiedUp ? m('copied-up', 'cp-up', 'yellow') : m('new', 'new', 'green');
  return m('lower', `L${e.layer}`, undefined);
}
