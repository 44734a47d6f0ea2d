/**
 * Loads what the right-hand pane shows for the selected entry: reads only the bytes that fit
 * on screen (the diff reads up to DIFF_CAP of each side), from the layer files, so looking
 * never copies anything up. A result for an entry the cursor has left is dropped.
 */
import { useEffect, useState } from 'react';
import { bytesToShow } from '../lib/preview.js';
import type { MergedEntry, OverlayService } from '../service/types.js';
import { errorText } from './errors.js';
import { diffPaneLines, previewLines, provenanceLines, type PaneContent } from './panel-content.js';

const DIFF_CAP = 256 * 1024;

async function load(service: OverlayService, e: MergedEntry, panel: 'preview' | 'diff', rows: number, width: number): Promise<PaneContent> {
  const info = provenanceLines(e);
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

export function usePaneContent(service: OverlayService, entry: MergedEntry | undefined, panel: 'preview' | 'diff', rows: number, width: number): PaneContent {
  const [content, setContent] = useState<PaneContent>({ title: '', lines: [] });
  useEffect(() => {
    if (!entry) {
      setContent({ title: '', lines: [] });
      return;
    }
    let live = true;
    load(service, entry, panel, rows, width).then(
      (c) => live && setContent(c),
      (e: unknown) => live && setContent({ title: entry.path, lines: [...provenanceLines(entry), { text: errorText(e), color: 'red' }] }),
    );
    return () => {
      live = false;
    };
  }, [service, entry, panel, rows, width]);
  return content;
}
