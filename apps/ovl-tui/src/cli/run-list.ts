/**
 * `ovl-tui --list [--json]`: prints what the engines have on stdout and what could not be
 * read on stderr (each problem once); exit 1 when something could not be read.
 */
import type { Catalog } from '../service/types.js';
import { explain } from './explain.js';
import { listingJson, listingTable } from './list-output.js';

export async function runList(catalog: Catalog, json: boolean, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const listing = await catalog.list();
  const nothing = listing.containers.length === 0 && listing.images.length === 0;
  // "No containers or images found" would be wrong when some could not be read: stderr says why.
  if (json) out.write(`${JSON.stringify(listingJson(listing), null, 2)}\n`);
  else if (!nothing || listing.problems.length === 0) out.write(`${listingTable(listing)}\n`);
  const said = new Set(listing.problems.map((p) => explain(p.error)));
  for (const text of said) err.write(`${text}\n`);
  return said.size > 0 ? 1 : 0;
}
