import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The end-to-end files mount overlays and check the mount table afterwards: one file at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // ovl-tui records its mounts (src/service/mount-records.ts): the tests' records go here,
    // not to the machine's /run/ovl (tmux servers started by the tests inherit it).
    env: { OVL_RUN_DIR: join(tmpdir(), 'ovl-tui-test-records') },
  },
});
