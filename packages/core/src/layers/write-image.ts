/**
 * writeImage: an OCI image layout (image-spec v1: `oci-layout`, `index.json`, blobs) from a
 * base layout (or none) plus layer tars — what `umoci`, `skopeo` and `podman load` read.
 * Blobs are written by content (a blob already there is not rewritten); index.json last, so
 * a reader never sees an index naming a blob that is not there yet.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OvlError, publicError } from '../errors.js';
import { isGzip } from './tar/is-gzip.js';
import { archiveStream } from './tar/archive-stream.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const CONFIG = 'application/vnd.oci.image.config.v1+json';
const LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
const LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const REF_NAME = 'org.opencontainers.image.ref.name';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface ImageLayerInput {
  /** A layer tar (plain or gzip), e.g. from exportLayer. */
  path: string;
  /** Its diff id, when known (exportLayer returns it); computed from the file otherwise. */
  diffId?: string;
  /** The history entry's created_by (what made the layer). */
  createdBy?: string;
}

export interface WriteImageOptions {
  /** An OCI image layout dir to build on: its (first, or `baseRef`-named) image's layers and config. */
  base?: string;
  baseRef?: string;
  /** Layers to add on top, bottom-most first. */
  layers: ReadonlyArray<string | ImageLayerInput>;
  /** Fields merged into the image config's `config` (Env, Cmd, Entrypoint, WorkingDir, Labels, ...). */
  config?: Record<string, unknown>;
  /** The name index.json gives the image (org.opencontainers.image.ref.name), e.g. 'latest'. */
  ref?: string;
  /** The `created` time written into the config and history (ISO 8601); fixed for reproducible images. */
  created?: string;
}

async function sha256OfFile(path: string, gunzip: boolean): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of archiveStream(path, gunzip)) h.update(chunk);
  return `sha256:${h.digest('hex')}`;
}

function blobPath(dir: string, digest: string): string {
  const [algo, hex] = digest.split(':');
  return join(dir, 'blobs', algo!, hex!);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

/** Write bytes as a blob; its descriptor. */
async function putBlob(dir: string, mediaType: string, bytes: Buffer): Promise<Descriptor> {
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const p = blobPath(dir, digest);
  if (!(await exists(p))) {
    await writeFile(`${p}.partial`, bytes);
    await rename(`${p}.partial`, p);
  }
  return { mediaType, digest, size: bytes.length };
}

/** Copy a file in as a blob (by its digest); its descriptor. */
async function putFileBlob(dir: string, mediaType: string, path: string): Promise<Descriptor> {
  const digest = await sha256OfFile(path, false);
  const p = blobPath(dir, digest);
  if (!(await exists(p))) {
    await copyFile(path, `${p}.partial`);
    await rename(`${p}.partial`, p);
  }
  return { mediaType, digest, size: (await stat(p)).size };
}

async function readJson(path: string, what: string): Promise<any> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new OvlError('ERR_OVL_IMAGE_LAYOUT', `ovl: ${what} '${path}' cannot be read as JSON (${(e as Error).message})`, { path, hint: 'The base must be an OCI image layout (oci-layout, index.json, blobs/).' });
  }
}

/** The base image's manifest and config, with its blobs copied into `dir`. */
async function loadBase(base: string, ref: string | undefined, dir: string): Promise<{ layers: Descriptor[]; config: any }> {
  const index = await readJson(join(base, 'index.json'), 'index');
  const manifests: Descriptor[] = index.manifests ?? [];
  const chosen = ref === undefined ? manifests[0] : manifests.find((m) => m.annotations?.[REF_NAME] === ref);
  if (chosen === undefined) {
    throw new OvlError('ERR_OVL_IMAGE_NOT_FOUND', `ovl: the layout '${base}' has no image${ref === undefined ? '' : ` named '${ref}'`}`, { path: base, hint: `Names there: ${manifests.map((m) => m.annotations?.[REF_NAME] ?? m.digest).join(', ') || 'none'}.` });
  }
  const manifest = await readJson(blobPath(base, chosen.digest), 'manifest');
  const config = await readJson(blobPath(base, manifest.config.digest), 'config');
  for (const l of manifest.layers as Descriptor[]) {
    const to = blobPath(dir, l.digest);
    if (!(await exists(to))) await copyFile(blobPath(base, l.digest), to);
  }
  return { layers: manifest.layers, config };
}

/**
 * Write an OCI image layout at `dir` (created if missing; an existing layout gains the image).
 * @returns the manifest's digest.
 * @throws OvlError ERR_OVL_IMAGE_LAYOUT (base unreadable), ERR_OVL_IMAGE_NOT_FOUND (baseRef); SystemError.
 */
export async function writeImage(dir: string, opts: WriteImageOptions): Promise<{ digest: string }> {
  try {
    if (!Array.isArray(opts?.layers)) throw new TypeError('writeImage needs { layers: [...] } (layer tar paths, bottom-most first).');
    await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
    const base = opts.base === undefined ? { layers: [], config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, history: [] } } : await loadBase(opts.base, opts.baseRef, dir);
    const created = opts.created ?? new Date().toISOString();
    const layers = [...base.layers];
    const diffIds: string[] = [...(base.config.rootfs?.diff_ids ?? [])];
    const history: unknown[] = [...(base.config.history ?? [])];
    for (const input of opts.layers) {
      const l = typeof input === 'string' ? { path: input } : input;
      const gz = await isGzip(l.path);
      layers.push(await putFileBlob(dir, gz ? LAYER_GZIP : LAYER_TAR, l.path));
      diffIds.push(l.diffId ?? (await sha256OfFile(l.path, gz)));
      history.push({ created, created_by: l.createdBy ?? 'ovl exportLayer' });
    }
    const config = {
      ...base.config,
      created,
      architecture: base.config.architecture ?? 'amd64',
      os: base.config.os ?? 'linux',
      config: { ...(base.config.config ?? {}), ...(opts.config ?? {}) },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history,
    };
    const configDesc = await putBlob(dir, CONFIG, Buffer.from(JSON.stringify(config)));
    const manifestDesc = await putBlob(dir, MANIFEST, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: configDesc, layers })));
    const indexPath = join(dir, 'index.json');
    const index = (await exists(indexPath)) ? await readJson(indexPath, 'index') : { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] };
    const named = { ...manifestDesc, ...(opts.ref !== undefined && { annotations: { [REF_NAME]: opts.ref } }) };
    index.manifests = [...(index.manifests as Descriptor[]).filter((m) => opts.ref === undefined || m.annotations?.[REF_NAME] !== opts.ref), named];
    await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await writeFile(`${indexPath}.partial`, JSON.stringify(index));
    await rename(`${indexPath}.partial`, indexPath);
    return { digest: manifestDesc.digest };
  } catch (e) {
    throw publicError(e, writeImage);
  }
}
