/**
 * The loop both readers of a merged dir run — lookup.ts (a few names, read name by name)
 * and merged-dir.ts (a whole dir, read light then examined): resolve names against what
 * has been read, noting what was missing; read all of that at once; resolve again the
 * names that need it; until nothing is missing. Which entries a name needs depends on what
 * resolving it finds (a redirect leads to another dir, one path component per round; an
 * entry that decides must be examined in full), so it cannot be known up front. Every
 * round reads something not read before, so the cap stops only a redirect loop; real
 * stacks settle in a few rounds. docs/view.md tells the whole story.
 */
import { OvlError } from '../errors.js';

const MAX_ROUNDS = 256;

/** One name's resolution, and whether it used something not read yet (it is resolved again after the read). */
export interface Attempt<R> {
  result: R;
  incomplete: boolean;
}

/**
 * Resolve names `first` (indices into the caller's list) until they settle. `resolveOne`
 * resolves one name against what is read so far; `readMissing` reads everything the round
 * noted as missing and returns the names whose answer what it read may change.
 * @throws OvlError ERR_OVL_REDIRECT_LOOP when `dir` does not settle.
 */
export async function settle<R>(dir: string, first: Iterable<number>, resolveOne: (u: number) => Attempt<R>, readMissing: () => Promise<Iterable<number>>): Promise<Map<number, R>> {
  const results = new Map<number, R>();
  let open: Iterable<number> = first;
  for (let round = 0; ; round++) {
    if (round === MAX_ROUNDS) {
      throw new OvlError('ERR_OVL_REDIRECT_LOOP', `ovl: resolving names in '${dir}' did not settle after ${MAX_ROUNDS} reads`, {
        path: dir,
        hint: 'overlay.redirect xattrs in the layers lead around in a circle; the kernel refuses such a lookup too.',
      });
    }
    const again = new Set<number>();
    for (const u of open) {
      const { result, incomplete } = resolveOne(u);
      results.set(u, result);
      if (incomplete) again.add(u);
    }
    for (const u of await readMissing()) again.add(u);
    if (again.size === 0) return results;
    open = again;
  }
}
