/**
 * An OCI / Docker image config's layers: their chain ids, and its history matched to them. History lists every build
 * step, bottom first; steps marked `empty_layer` (ENV, CMD, ...) made no layer, the rest
 * made one layer each, in rootfs.diff_ids order — the rule `docker history` applies
 * (moby image/history). Pure (sha256 aside).
 */
import { createHash } from 'node:crypto';

/** The chain id of each layer, bottom first (OCI image-spec config.md: ChainID(L0) = DiffID(L0), ChainID(Ln) = SHA256(ChainID(Ln-1) + " " + DiffID(Ln))). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) out.push(out.length === 0 ? d : `sha256:${createHash('sha256').update(`${out.at(-1)!} ${d}`).digest('hex')}`);
  return out;
}

export interface LayerHistory {
  createdBy?: string;
  created?: string;
  comment?: string;
}

/** For each of `layerCount` layers (bottom first), what its history step says; {} when history runs short. */
export function historyOfLayers(history: unknown, layerCount: number): LayerHistory[] {
  const steps = Array.isArray(history) ? history : [];
  const out: LayerHistory[] = [];
  for (const step of steps) {
    if (typeof step !== 'object' || step === null) continue;
    const s = step as Record<string, unknown>;
    if (s.empty_layer === true) continue;
    const h: LayerHistory = {};
    if (typeof s.created_by === 'string' && s.created_by !== '') h.createdBy = s.created_by;
    if (typeof s.created === 'string') h.created = s.created;
    if (typeof s.comment === 'string' && s.comment !== '') h.comment = s.comment;
    out.push(h);
  }
  while (out.length < layerCount) out.push({});
  return out.slice(0, layerCount);
}
