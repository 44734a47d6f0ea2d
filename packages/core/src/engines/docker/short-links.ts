/**
 * overlay2's layer links. Each layer dir <home>/<cache-id> has a `lower` file naming the
 * layers below it top-most first as short links (`l/ABCD…:l/EFGH…`, so that a deep stack's
 * mount options fit in a page), and <home>/l/<short> is a symlink to `../<cache-id>/diff`.
 * Both are written by dockerd with an atomic rename (graphdriver/overlay2: atomicwriter).
 * The links are resolved by reading them, never followed blindly: a link that does not
 * point at a layer's diff dir is corrupt metadata, not a path to trust.
 */
import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { corrupt, isMissing, storageError } from '../storage-errors.js';
import { readOptionalText } from '../metadata-files.js';

const SHORT = /^l\/[A-Za-z0-9]+$/;
const TARGET = /^\.\.\/([0-9a-f]{64}(?:-init)?)\/diff$/;

/** Short links of one overlay2 home, resolved once each per listing. */
export class ShortLinks {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(private readonly home: string) {}

  /** The absolute diff dir `l/<short>` points at. */
  private resolve(short: string, lowerFile: string): Promise<string> {
    let dir = this.cache.get(short);
    if (dir === undefined) {
      const link = join(this.home, short);
      dir = readlink(link).then(
        (target) => {
          const m = TARGET.exec(target);
          if (m === null) throw corrupt('docker', link, `points at '${target}', not at a layer's diff dir`);
          return join(this.home, m[1]!, 'diff');
        },
        (e: unknown) => {
          if (isMissing(e)) throw corrupt('docker', lowerFile, `names '${short}', which does not exist`);
          throw storageError('docker', link, e);
        },
      );
      this.cache.set(short, dir);
    }
    return dir;
  }

  /**
   * The layers below the layer dir <home>/<cacheId>, top-most first, as absolute diff dirs;
   * [] for a bottom layer (it has no `lower` file).
   */
  async lowerOf(cacheId: string): Promise<string[]> {
    const lowerFile = join(this.home, cacheId, 'lower');
    const text = await readOptionalText('docker', lowerFile);
    if (text === undefined) return [];
    const shorts = text.trim().split(':');
    for (const s of shorts) if (!SHORT.test(s)) throw corrupt('docker', lowerFile, `'${s}' is not a short layer link (l/<id>)`);
    return Promise.all(shorts.map((s) => this.resolve(s, lowerFile)));
  }
}
