/**
 * What a container's config.v2.json says that a listing shows (name, image, state, created),
 * and the same facts remembered from the last listing of the same containers dir. A config
 * that is still the inode read last time, with the same size, mtime and ctime (one batched
 * fstat each, MetadataBatch's `known`), is not read: dockerd writes a config to a temp file
 * renamed over the old one (moby container.toDisk, ioutils.AtomicWriteFile), so each of its
 * writes makes a new inode, and any other write moves ctime (a key is trusted only when its
 * ctime is 100 ms older than the read it was taken at: timestamps move at a coarse tick). Reading 300 configs was ~40% of a warm listing. A config read whose bytes are exactly
 * those it had last time gives the facts parsed then; any other is parsed now (JSON.parse of
 * 300 configs was a third of a listing, bench/docker.bench.mjs). What is kept: the last batch
 * of each of the last few dirs listed (its keys, and the bytes of the configs it read), none
 * over 64 MiB.
 */
import { objectField, parseJsonObject, stringField } from '../metadata-files.js';
import { KEY_BYTES, MetadataBatch } from '../metadata-batch.js';
import { dockerStateWord } from './container-state.js';
import { KeptPerDir } from '../kept-per-dir.js';

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

const BYTES_KEPT = 64 << 20;
const last = new KeptPerDir<Listing>();

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

/** What the last listing of `dir` saw of `ids`' configs, rearranged to `ids`: zeros for a config not seen then. */
function knownKeys(before: Listing, ids: readonly string[]): Buffer {
  const keys = Buffer.alloc(ids.length * KEY_BYTES);
  for (let i = 0; i < ids.length; i++) {
    const j = before.at.get(ids[i]!);
    if (j !== undefined) before.batch.copyKey(j, keys, i * KEY_BYTES);
  }
  return keys;
}

/**
 * The facts of each of `ids`' config.v2.json in the containers dir `dir`: undefined for a
 * container gone or not on overlay2. A config that is the very file the last listing read,
 * unchanged since (its inode, size, mtime and ctime: dockerd writes each config whole to a
 * new file renamed over the old, so every write is a new inode), is not read at all; one read
 * whose bytes are those read last time is not parsed again. Throws the coded error for a file
 * that is not whole JSON, as parsing it would.
 */
export async function readConfigFacts(dir: string, ids: readonly string[]): Promise<Array<ConfigFacts | undefined>> {
  const before = last.get(dir);
  const rels = ids.map((id) => `${id}/config.v2.json`);
  const configs = await MetadataBatch.read('docker', dir, rels, 'auto', before && { keys: knownKeys(before, ids), readAtMs: before.batch.readAtMs });
  const facts = ids.map((id, i) => {
    const j = before?.at.get(id);
    if (j !== undefined && (configs.same(i) || configs.sameBytes(i, before!.batch, j))) return before!.facts[j];
    const text = configs.text(i);
    return text === undefined ? undefined : parseFacts(configs.path(i), text);
  });
  if (configs.byteLength <= BYTES_KEPT) last.keep(dir, { batch: configs, at: new Map(ids.map((id, i) => [id, i])), facts });
  else last.forget(dir);
  return facts;
}
