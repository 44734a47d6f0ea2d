/**
 * The picker's rows from a catalog listing: this machine's overlay mounts (those that are a
 * container's rootfs are listed as the container), then containers, then images — each with
 * the request that opens it. Pure.
 */
import { cutPathStart, layoutColumns } from '../lib/columns.js';
import { containerSubject, imageSubject, shortId } from '../service/subjects.js';
import type { CatalogListing, SessionRequest } from '../service/types.js';

export interface PickerRow {
  key: string;
  text: string;
  request: SessionRequest;
}

export const PICKER_HEADINGS = ['KIND', 'ENGINE', 'NAME', 'ID', 'IMAGE / LAYERS', 'STATE'];
const CAPS = [9, 10, 36, 12, 40, 40];

/** The rows, laid out to fit `width` columns when it is given (NAME and IMAGE give way first). */
export function pickerRows(listing: CatalogListing, width?: number): { columns: string; rows: PickerRow[] } {
  const merged = new Set(listing.containers.flatMap((c) => (c.mounted && c.merged !== undefined ? [c.merged] : [])));
  const items: Array<{ key: string; cells: string[]; request: SessionRequest }> = [];
  for (const m of listing.overlays) {
    if (merged.has(m.target)) continue;
    const layers = `${m.lower.length} lower${m.upper !== undefined ? ' + upper' : ''}`;
    items.push({ key: `overlay:${m.mountId}`, cells: ['overlay', '-', cutPathStart(m.target, CAPS[2]!), `mount ${m.mountId}`, layers, m.readonly === true ? 'mounted, ro' : 'mounted'], request: { kind: 'attach', merged: m.target } });
  }
  for (const c of listing.containers) {
    const s = containerSubject(c);
    items.push({ key: `container:${c.engine}:${c.id}`, cells: ['container', s.engine, s.name, shortId(s.id), s.image, s.state], request: { kind: 'container', ref: c.id, engine: c.engine } });
  }
  for (const i of listing.images) {
    const s = imageSubject(i);
    items.push({ key: `image:${i.engine}:${i.id}`, cells: ['image', s.engine, s.name, shortId(s.id), s.state, ''], request: { kind: 'image', ref: i.id, engine: i.engine } });
  }
  const fit = width === undefined ? undefined : { width, shrink: [2, 4], min: 16 };
  const [columns, ...texts] = layoutColumns([PICKER_HEADINGS, ...items.map((i) => i.cells)], CAPS, fit);
  return { columns: columns!, rows: items.map((item, k) => ({ key: item.key, text: texts[k]!.trimEnd(), request: item.request })) };
}
