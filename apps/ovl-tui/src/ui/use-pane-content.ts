/**
 * Loads what the right-hand pane shows for the selected entry: reads only the bytes that fit
 * on screen (the diff reads up to DIFF_CAP of each side), from the layer files, so looking
 * never copies anything up. A result for an entry the cursor has left is dropped, and the
 * pane never shows one entry's bytes next to another entry's name.
 */
import { useEffect, useMemo, useState } from 'react';
import { isPlaceholder } from '../lib/placeholder.js';
import { bytesToShow } from '../lib/preview.js';
import type { MergedEntry, OverlayService } from '../service/types.js';
import { errorText } from './errors.js';
import { diffPaneLines, previewLines, provenanceLines, type PaneContent } from './panel-content.js';

const DIFF_CAP = 256 * 1024;

async function load(service: OverlayService, e: MergedEntry, panel: 'preview' | 'diff', rows: number, width: number): Promise<PaneContent> {
  const info = provenanceLines(e);
  if (isPlaceholder(e)) return { title: e.path, lines: info }; // nothing to read before the details
  if (panel === 'diff') {
    const title = `diff ${e.path}`;
    if (e.type !== 'file' || e.layer !== 'upper' || !e.copiedUp) return { title, lines: [...info, { text: 'Nothing to diff: only a file in upper that shadows a lower one (cp-up) has a lower version.', dim: true }] };
    const lower = await service.lowerVersion(e.path);
    if (!lower || lower.type !== 'file') return { title, lines: [...info, { text: 'The lower version is not a regular file.', dim: true }] };
    const [a, b] = await Promise.all([service.readFile(lower, { offset: 0, length: DIFF_CAP }), service.readFile(e, { offset: 0, length: DIFF_CAP })]);
    return { title: `diff ${e.path}  (- lower ${lower.layer}, + upper)`, lines: [...info, ...diffPaneLines(a, b, width)] };
  }
  const title = e.path;
  if (e.type !== 'file' && e.type !== 'symlink') return { title, lines: info };
  const bytes = await service.readFile(e, { offset: 0, length: bytesToShow(rows, width) });
  return { title, lines: [...info, ...previewLines(e, bytes, rows, width)] };
}

/**
 * How long the cursor must rest on an entry before its bytes are read. Holding j moves the
 * cursor every 30-40 ms: reading (and painting a second frame) for every row passed would
 * double the work per key for previews nobody sees. A single key press still shows its
 * preview after this delay; provenance shows at once.
 */
export const PREVIEW_DELAY_MS = 50;

/** When to read the bytes of `path` (the selected entry): calls `load` once the cursor has rested there; returns a cancel. */
export type PreviewScheduler = (path: string, load: () => void) => () => void;

/** The app's scheduler: after PREVIEW_DELAY_MS of rest. */
export const afterRest: PreviewScheduler = (_path, load) => {
  const timer = setTimeout(load, PREVIEW_DELAY_MS);
  return () => clearTimeout(timer);
};

interface Loaded {
  entry: MergedEntry;
  panel: 'preview' | 'diff';
  rows: number;
  width: number;
  content: PaneContent;
}

const EMPTY: PaneContent = { title: '', lines: [] };

export function usePaneContent(service: OverlayService, entry: MergedEntry | undefined, panel: 'preview' | 'diff', rows: number, width: number, schedule: PreviewScheduler = afterRest): PaneContent {
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  useEffect(() => {
    if (!entry) return;
    let live = true;
    const done = (content: PaneContent) => live && setLoaded({ entry, panel, rows, width, content });
    const cancel = schedule(entry.path, () => {
      load(service, entry, panel, rows, width).then(done, (e: unknown) =>
        done({ title: entry.path, lines: [...provenanceLines(entry), { text: errorText(e), color: 'red' }] }),
      );
    });
    return () => {
      live = false;
      cancel();
    };
  }, [service, entry, panel, rows, width, schedule]);
  // Until the bytes are read: what the entry itself says, never the previous entry's content.
  const placeholder = useMemo(() => (entry ? { title: panel === 'diff' ? `diff ${entry.path}` : entry.path, lines: provenanceLines(entry) } : EMPTY), [entry, panel]);
  if (entry && loaded && loaded.entry === entry && loaded.panel === panel && loaded.rows === rows && loaded.width === width) return loaded.content;
  return placeholder;
}
