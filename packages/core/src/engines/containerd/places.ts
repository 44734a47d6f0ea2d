/**
 * Where containerd keeps its storage: `root` and `state` from /etc/containerd/config.toml
 * (top-level keys, before any [table]), else /var/lib/containerd and /run/containerd —
 * containerd's own defaults. Only those two keys are read; the rest of the file is not ours.
 * Docker's managed containerd (/var/lib/docker/containerd/daemon) is not read: its containers
 * are Docker's, and their rootfs lives in Docker's overlay2 store, not in a snapshotter.
 */
import { readOptionalText } from '../metadata-files.js';

export const CONFIG_TOML = '/etc/containerd/config.toml';
const DEFAULT_ROOT = '/var/lib/containerd';
const DEFAULT_STATE = '/run/containerd';

/** A top-level `key = "value"` of a TOML text (basic or literal string). Pure. */
export function topLevelTomlString(text: string, key: string): string | undefined {
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t.startsWith('[')) return undefined;
    const m = /^([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*(?:#.*)?$/.exec(t);
    if (m !== null && m[1] === key) return m[3] ?? JSON.parse(`"${m[2]!}"`);
  }
  return undefined;
}

export interface ContainerdPlaces {
  roots: string[];
  /** Where task rootfs mounts live: <state>/io.containerd.runtime.v2.task/<namespace>/<id>/rootfs. */
  state: string;
}

export async function containerdPlaces(roots: readonly string[] | undefined, configFile = CONFIG_TOML): Promise<ContainerdPlaces> {
  const text = (await readOptionalText('containerd', configFile)) ?? '';
  return {
    roots: roots !== undefined ? [...roots] : [topLevelTomlString(text, 'root') ?? DEFAULT_ROOT],
    state: topLevelTomlString(text, 'state') ?? DEFAULT_STATE,
  };
}
