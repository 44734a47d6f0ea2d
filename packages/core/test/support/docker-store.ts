/**
 * A Docker overlay2 data root written file by file as dockerd lays it out (no daemon): one
 * image, one container. For the reader's own tests and the metadata fuzz.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTree } from './layers.js';

export const CTR = 'c'.repeat(64);
export const MOUNT = 'd'.repeat(64);
export const LAYER = 'e'.repeat(64);
export const DIFF = `sha256:${'a'.repeat(64)}`;
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A one-image, one-container overlay2 store under `root`; returns the image id. */
export function writeStore(root: string): string {
  const o2 = join(root, 'overlay2');
  writeTree(join(o2, LAYER, 'diff'), { etc: { 'os-release': 'ID=ovl\n' } });
  writeTree(join(o2, `${MOUNT}-init`), { diff: { etc: { hosts: '' } }, work: {}, lower: 'l/LAYERLINK' });
  writeTree(join(o2, MOUNT), { diff: { 'new.txt': 'new\n' }, work: {}, merged: {}, lower: 'l/INITLINK:l/LAYERLINK' });
  mkdirSync(join(o2, 'l'));
  symlinkSync(`../${LAYER}/diff`, join(o2, 'l', 'LAYERLINK'));
  symlinkSync(`../${MOUNT}-init/diff`, join(o2, 'l', 'INITLINK'));
  const config = JSON.stringify({
    created: '2026-01-02T03:04:05Z',
    rootfs: { type: 'layers', diff_ids: [DIFF] },
    history: [{ created: '2026-01-02T03:04:05Z', comment: 'imported' }, { created: '2026-01-02T03:04:06Z', created_by: 'ENV A=1', empty_layer: true }],
  });
  const imageId = sha256(config);
  const img = join(root, 'image', 'overlay2');
  writeTree(join(img, 'imagedb', 'content', 'sha256'), { [imageId]: config });
  writeTree(join(img, 'layerdb', 'sha256', DIFF.slice(7)), { 'cache-id': LAYER, size: '8', diff: DIFF });
  writeTree(join(img, 'layerdb', 'mounts', CTR), { 'mount-id': MOUNT });
  writeFileSync(join(img, 'repositories.json'), JSON.stringify({ Repositories: { fake: { 'fake:latest': `sha256:${imageId}` } } }));
  writeTree(join(root, 'containers', CTR), {
    'config.v2.json': JSON.stringify({
      ID: CTR,
      Name: '/web',
      Driver: 'overlay2',
      Created: '2026-01-02T03:05:00Z',
      Image: `sha256:${imageId}`,
      Config: { Image: 'fake' },
      State: { Running: false, StartedAt: '2026-01-02T03:05:01Z' },
    }),
  });
  return imageId;
}
