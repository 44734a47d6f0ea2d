/** A container or an image in the words the header, the picker and `--list` use for it. Pure. */
import { formatSize } from '../lib/format.js';
import type { ContainerInfo, ImageInfo, Subject } from './types.js';

/** An image's name for people: its first name, else its short id. */
export function imageName(image: Pick<ImageInfo, 'names' | 'id'>): string {
  return image.names[0] ?? image.id.slice(0, 12);
}

export function containerSubject(c: ContainerInfo): Subject {
  return { kind: 'container', engine: c.engine, name: c.name, id: c.id, image: c.image, state: c.mounted ? `${c.state}, mounted` : c.state };
}

export function imageSubject(image: ImageInfo): Subject {
  return {
    kind: 'image', engine: image.engine, name: imageName(image), id: image.id, image: image.names.slice(1).join(', '),
    state: `${image.layers.length} layer${image.layers.length === 1 ? '' : 's'}, ${formatSize(image.size)}`,
  };
}

/** The 12-character id the engines' own CLIs show. */
export const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);
