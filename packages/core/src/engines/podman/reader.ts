// Placeholder on the engines-base branch: the podman reader replaces this file.
import type { EngineReader } from '../types.js';

export const podmanReader: EngineReader = {
  engine: 'podman',
  containers: async () => [],
  images: async () => [],
};
