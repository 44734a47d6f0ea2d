import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // vitest's default is 5 s, and a sync test over it fails even when it passed. Some tests
    // here spawn node children one after another (inotify.test.mjs: three, one of them held
    // 1.5 s on purpose; 1.85 s on a quiet machine), and CI runs this suite under load on
    // 2 cores and again under ASan, where every child node starts with the ASan runtime.
    // The same limit as core's and ovl-tui's.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
