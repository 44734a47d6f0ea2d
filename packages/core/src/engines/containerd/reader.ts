// Placeholder on the engines-base branch: the containerd reader replaces this file.
import type { EngineReader } from '../types.js';

export const containerdReader: EngineReader = {
  engine: 'containerd',
  containers: async () => [],
  images: async () => [],
};
