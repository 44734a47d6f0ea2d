/**
 * How much a build step wrote: entries and content bytes of the upper layer, one native
 * scan per level of upper dirs (every entry statx'd for its type and size, no xattrs read).
 */
import { isDirMode, isRegularMode, typeOfMode } from '../format/file-types.js';
import type { LayerStack } from './layer-stack.js';
import { joinPath } from './paths.js';
import type { UpperUsage } from './types.js';

export async function upperUsageOf(stack: LayerStack): Promise<UpperUsage> {
  const s = stack.layers.findIndex((l) => l.id === 'upper');
  const usage: UpperUsage = { entries: 0, bytes: 0 };
  if (s < 0) return usage;
  let pending = ['/'];
  while (pending.length > 0) {
    const listings = await stack.scanManyStats(pending.map((path) => ({ s, path })));
    const next: string[] = [];
    listings.forEach((listing, k) => {
      if (!listing) return;
      for (let i = 0; i < listing.count; i++) {
        usage.entries++;
        const mode = listing.mode(i);
        if (isDirMode(mode)) next.push(joinPath(pending[k]!, listing.name(i)));
        else if (isRegularMode(mode) || typeOfMode(mode) === 'symlink') usage.bytes += listing.scan.size[i]!;
      }
    });
    pending = next;
  }
  return usage;
}
