// Placeholder on the engines-base branch: the docker reader replaces this file.
import type { EngineReader } from '../types.js';

export const dockerReader: EngineReader = {
  engine: 'docker',
  containers: async () => [],
  images: async () => [],
};
