/**
 * Which container or image a ref names: a full id, a name, or a unique id prefix — the
 * rules `docker` and `podman` apply, across every engine found. Pure.
 */
import { OvlError } from '../errors.js';
import type { EngineName } from './types.js';

export interface Named {
  engine: EngineName;
  id: string;
  /** Every name the thing answers to (a container's name; an image's repo:tag names). */
  names: readonly string[];
}

type Kind = 'container' | 'image';

/** Image names match with or without registry, `library/` and `:latest`, as the engines' CLIs allow. */
function imageNameForms(name: string): string[] {
  const forms = new Set([name]);
  let n = name;
  if (!/:[^/]+$/.test(n.split('@')[0]!)) n = `${n}:latest`;
  forms.add(n);
  const slash = n.indexOf('/');
  const first = slash < 0 ? '' : n.slice(0, slash);
  // A first component with a dot, a colon or 'localhost' is a registry host.
  const bare = first.includes('.') || first.includes(':') || first === 'localhost' ? n.slice(slash + 1) : n;
  forms.add(bare);
  if (bare.startsWith('library/')) forms.add(bare.slice('library/'.length));
  for (const f of [...forms]) if (f.endsWith(':latest')) forms.add(f.slice(0, -':latest'.length));
  return [...forms];
}

function matchesName(item: Named, ref: string, kind: Kind): boolean {
  if (kind === 'container') return item.names.includes(ref);
  return item.names.some((n) => imageNameForms(n).includes(ref));
}

/** Strip a `sha256:` the user may have typed before an id. */
function bareId(ref: string): string {
  return ref.startsWith('sha256:') ? ref.slice('sha256:'.length) : ref;
}

function label(item: Named): string {
  const name = item.names[0];
  return `${item.engine} ${item.id.slice(0, 12)}${name !== undefined && name !== item.id ? ` (${name})` : ''}`;
}

/** Edit distance with adjacent transpositions (optimal string alignment), for "did you mean". */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The forms of a name a person might have meant: the name, and for images its short forms and bare repository. */
function suggestionForms(name: string, kind: Kind): string[] {
  if (kind === 'container') return [name];
  const repo = name.split('@')[0]!.replace(/:[^/]+$/, '');
  return [...imageNameForms(name), repo.slice(repo.lastIndexOf('/') + 1)];
}

/** Up to five names closest to ref, closest first. */
export function closestNames(items: readonly Named[], ref: string, kind: Kind = 'container'): string[] {
  const limit = Math.max(2, Math.floor(ref.length / 3));
  const scored = new Map<string, number>();
  for (const item of items) {
    for (const n of [...item.names, item.id.slice(0, 12)]) {
      const d = Math.min(...suggestionForms(n, kind).map((f) => (f.includes(ref) ? 1 : distance(ref, f))));
      if (d <= limit) scored.set(n, Math.min(d, scored.get(n) ?? Infinity));
    }
  }
  return [...scored].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).slice(0, 5).map(([n]) => n);
}

/**
 * The one item ref names. A full id or an exact name wins over a prefix; `engine` narrows
 * the search when several engines answer to the same ref.
 * @throws OvlError ERR_OVL_CONTAINER_NOT_FOUND / ERR_OVL_IMAGE_NOT_FOUND, ERR_OVL_CONTAINER_AMBIGUOUS / ERR_OVL_IMAGE_AMBIGUOUS.
 */
export function pickByRef<T extends Named>(all: readonly T[], ref: string, kind: Kind, engine?: EngineName): T {
  if (typeof ref !== 'string' || ref === '') throw new TypeError(`${kind} ref must be a non-empty string (a name, an id or an id prefix).`);
  const items = engine === undefined ? all : all.filter((i) => i.engine === engine);
  const id = bareId(ref);
  const tiers: Array<(i: T) => boolean> = [
    (i) => i.id === id,
    (i) => matchesName(i, ref, kind),
    (i) => /^[0-9a-f]+$/.test(id) && i.id.startsWith(id),
  ];
  const KIND = kind.toUpperCase() as 'CONTAINER' | 'IMAGE';
  for (const tier of tiers) {
    const hits = items.filter(tier);
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) {
      const engines = new Set(hits.map((h) => h.engine));
      throw new OvlError(`ERR_OVL_${KIND}_AMBIGUOUS`, `ovl: '${ref}' names ${hits.length} ${kind}s: ${hits.map(label).join(', ')}`, {
        hint: engines.size > 1 ? `Choose the engine (engine: '${[...engines][0]}') or give more of the id.` : 'Give more of the id, or the full name.',
      });
    }
  }
  const near = closestNames(items, ref, kind);
  const where = engine === undefined ? '' : ` in ${engine}`;
  throw new OvlError(`ERR_OVL_${KIND}_NOT_FOUND`, `ovl: no ${kind} named '${ref}'${where}${near.length ? `; closest: ${near.join(', ')}` : ''}`, {
    hint: items.length === 0 ? `No ${kind}s were found${where}: is the engine's storage on this machine, and readable (root)?` : `Names, ids and unique id prefixes work; list them with list${kind === 'container' ? 'Containers' : 'Images'}().`,
  });
}
