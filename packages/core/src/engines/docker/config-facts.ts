/**
 * What a container's config.v2.json says that a listing shows (name, image, state, created),
 * and the same facts remembered from the last listing of the same containers dir, keyed by
 * the file's bytes: a config whose bytes are exactly those it had last time gives the facts
 * parsed then, any other is parsed now. JSON.parse of 300 configs was a third of a listing
 * (bench/docker.bench.mjs), and between two listings most configs do not change. Nothing can
 * be stale: the facts are a pure function of the bytes, and the bytes are read and compared
 * whole (memcmp) on every listing. What is kept: the last batch read of each of the last few
 * dirs listed (its Buffer, ~2 KB a container), none over 64 MiB.
 */
import { objectField, parseJsonObject, stringField } from '../metadata-files.js';
import type { MetadataBatch } from '../metadata-batch.js';
import { dockerStateWord } from './container-state.js';

export interface ConfigFacts {
  /** Without the leading '/'; '' when the config has none. */
  name: string;
  /** Config.Image, as the container was created from. */
  image: string | undefined;
  /** Image, with its `sha256:`. */
  imageRef: string | undefined;
  state: string;
  created: string | undefined;
}

interface Listing {
  batch: MetadataBatch;
  at: Map<string, number>;
  facts: Array<ConfigFacts | undefined>;
}

const DIRS_KEPT = 4;
const BYTES_KEPT = 64 << 20;
const last = new Map<string, Listing>();

/** The facts of a config.v2.json's text; undefined for a container not on overlay2 (vfs, btrfs, the containerd image store...). */
function parseFacts(file: string, text: string): ConfigFacts | undefined {
  const config = parseJsonObject('docker', file, text);
  if (config.Driver !== 'overlay2') return undefined;
  return {
    name: stringField(config, 'Name')?.replace(/^\//, '') ?? '',
    image: stringField(objectField(config, 'Config'), 'Image'),
    imageRef: stringField(config, 'Image'),
    state: dockerStateWord(objectField(config, 'State')),
    created: stringField(config, 'Created'),
  };
}

/**
 * Entry i of `configs` (read from `dir`) is container `ids[i]`'s config.v2.json: its facts, or
 * undefined when it is gone or not on overlay2. Throws the coded error for a file that is not
 * whole JSON, as parsing it would.
 */
export function configFacts(dir: string, ids: readonly string[], configs: MetadataBatch): Array<ConfigFacts | undefined> {
  const before = last.get(dir);
  const facts = ids.map((id, i) => {
    const j = before?.at.get(id);
    if (j !== undefined && configs.sameBytes(i, before!.batch, j)) return before!.facts[j];
    const text = configs.text(i);
    return text === undefined ? undefined : parseFacts(configs.path(i), text);
  });
  last.delete(dir);
  if (configs.byteLength <= BYTES_KEPT) last.set(dir, { batch: configs, at: new Map(ids.map((id, i) => [id, i])), facts });
  if (last.size > DIRS_KEPT) last.delete(last.keys().next().value!);
  return facts;
}
