import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.mjs'],
    // Packing compiles the addon (prebuildify) and one test compiles it again from source:
    // minutes on a loaded 2-core machine, not seconds.
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
