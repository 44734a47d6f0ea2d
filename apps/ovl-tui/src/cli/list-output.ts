/**
 * `ovl-tui --list`: every container and image the engines have, as a table for people or
 * (--json) as one JSON array of objects, one per container and image, with their layer dirs —
 * an array as `podman ps --format json` prints one, so `jq '.[]'` reads it. Pure.
 */
import { containerSubject, imageSubject, shortId } from '../service/subjects.js';
import type { CatalogListing, ContainerInfo, ImageInfo } from '../service/types.js';

export type ListedContainer = { kind: 'container' } & ContainerInfo;
export type ListedImage = { kind: 'image'; name: string } & Omit<ImageInfo, 'layers'> & { layers: Array<ImageInfo['layers'][number] & { index: number }> };

export function listingJson(listing: Pick<CatalogListing, 'containers' | 'images'>): Array<ListedContainer | ListedImage> {
  return [
    ...listing.containers.map((c): ListedContainer => ({ kind: 'container', ...c })),
    ...listing.images.map((i): ListedImage => ({ kind: 'image', name: imageSubject(i).name, ...i, layers: i.layers.map((l, index) => ({ index, ...l })) })),
  ];
}

const HEADINGS = ['KIND', 'ENGINE', 'NAME', 'ID', 'IMAGE', 'STATE'];

/** One row per container and image, columns as wide as their longest cell; nothing is cut (scripts use --json). */
export function listingTable(listing: Pick<CatalogListing, 'containers' | 'images'>): string {
  const subjects = [...listing.containers.map((c: ContainerInfo) => containerSubject(c)), ...listing.images.map((i: ImageInfo) => imageSubject(i))];
  if (subjects.length === 0) return 'No containers or images found.';
  const rows = [HEADINGS, ...subjects.map((s) => [s.kind, s.engine, s.name, shortId(s.id), s.image === '' ? '-' : s.image, s.state])];
  const widths = HEADINGS.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  ')).join('\n');
}
