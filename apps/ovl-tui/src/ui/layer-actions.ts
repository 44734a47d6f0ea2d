/**
 * The layer actions (issue 12's, through core): export the upper's changes as an OCI layer
 * tar with a progress bar on the status line, commit the upper into a new layer dir or the
 * top lower, and vacuum — a report first, then a yes/no before anything is removed. Core
 * refuses commit and vacuum's removal while a live overlay uses the stack; the refusal (with
 * its hint) is what the status line says.
 */
import { basename, resolve } from 'node:path';
import { formatSize } from '../lib/format.js';
import type { ExportProgress, OverlayService, VacuumReport } from '../service/types.js';
import type { Action } from '../state/state.js';
import { errorText } from './errors.js';

export interface LayerActions {
  /** Where an export goes unless the user says otherwise: the current dir, named after what is shown. */
  exportSuggestion(): string;
  commitSuggestion(): string;
  exportLayer(file: string): Promise<void>;
  commit(text: string): Promise<void>;
  vacuumReport(): Promise<void>;
  vacuumApply(): Promise<void>;
}

const BAR = 20;

/** "[#########-----------] 45%  45M of 100M, 3/7 entries" */
export function progressText(p: ExportProgress): string {
  const share = p.totalBytes > 0 ? p.bytes / p.totalBytes : p.totalEntries > 0 ? p.entries / p.totalEntries : 1;
  const filled = Math.round(share * BAR);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${Math.round(share * 100)}%  ${formatSize(p.bytes)} of ${formatSize(p.totalBytes)}, ${p.entries}/${p.totalEntries} entries`;
}

/** "5 copy-ups (3.2M), 4 whiteouts hiding nothing, 1 opaque mark with nothing below" */
export function vacuumSummary(r: VacuumReport): string {
  const count = (kind: string) => r.items.filter((i) => i.kind === kind).length;
  const parts: string[] = [];
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (count('copy-up')) parts.push(`${plural(count('copy-up'), 'copy-up', 'copy-ups')} (${formatSize(r.bytes)})`);
  if (count('whiteout')) parts.push(plural(count('whiteout'), 'whiteout hiding nothing', 'whiteouts hiding nothing'));
  if (count('opaque')) parts.push(plural(count('opaque'), 'opaque mark with nothing below', 'opaque marks with nothing below'));
  if (count('dir')) parts.push(plural(count('dir'), 'dir holding only those', 'dirs holding only those'));
  return parts.join(', ');
}

export function layerActions(service: OverlayService, dispatch: (a: Action) => void): LayerActions {
  const say = (text: string, error = false) => dispatch({ type: 'message.show', text, error });
  const named = (): string => {
    const h = service.describe();
    const upper = h.layers.find((l) => l.id === 'upper')?.path;
    return (h.subject?.name ?? (upper !== undefined ? basename(resolve(upper, '..')) : 'overlay')).replace(/[^\w.-]+/g, '-');
  };
  return {
    exportSuggestion: () => resolve(`${named()}-layer.tar`),
    commitSuggestion: () => resolve(`${named()}-committed`),
    async exportLayer(text) {
      const file = resolve(text.trim());
      let last = 0;
      try {
        const r = await service.exportLayer(file, (p) => {
          // One repaint per few percent is plenty: the bar is for a person, not a log.
          const now = p.bytes + p.entries;
          if (now - last < (p.totalBytes + p.totalEntries) / 50 && p.entries < p.totalEntries) return;
          last = now;
          say(`Exporting to ${file}: ${progressText(p)}`);
        });
        say(`Exported to ${file}: ${formatSize(r.size)}, ${r.digest.slice(0, 19)}… (diff id ${r.diffId.slice(0, 19)}…)`);
      } catch (e) {
        say(`export to ${file}: ${errorText(e)}`, true);
      }
    },
    async commit(text) {
      const into = text.trim() === 'top' ? ('top-lower' as const) : { dir: resolve(text.trim()) };
      try {
        const r = await service.commit(into);
        say(into === 'top-lower' ? `Committed the upper into the top lower (${r.lower[0]})` : `Committed the upper into the new layer ${into.dir}: the stack's lowers are now ${r.lower.length}`);
      } catch (e) {
        say(`commit: ${errorText(e)}`, true);
      }
      dispatch({ type: 'tree.reload' });
    },
    async vacuumReport() {
      try {
        const r = await service.vacuum(false);
        if (r.items.length === 0) return say('Vacuum: the upper carries nothing it does not need');
        dispatch({ type: 'confirm.open', confirm: 'vacuum', detail: `Vacuum found ${vacuumSummary(r)}.` });
      } catch (e) {
        say(`vacuum: ${errorText(e)}`, true);
      }
    },
    async vacuumApply() {
      try {
        const r = await service.vacuum(true);
        say(`Vacuum removed ${r.items.length} ${r.items.length === 1 ? 'entry' : 'entries'} from the upper, ${formatSize(r.bytes)} of content`);
      } catch (e) {
        say(`vacuum: ${errorText(e)}`, true);
      }
      dispatch({ type: 'tree.reload' });
    },
  };
}
