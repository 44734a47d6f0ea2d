#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=4
// The `ovl-tui` command that npm links (node_modules/.bin, a global install): a fixed file,
// so the link exists even before the build, and so in a fresh checkout a missing build is
// one sentence instead of a module-not-found trace. The shebang is src/cli.ts's (the startup
// environment and V8 flags of src/terminal/runtime.ts; a test holds the two equal).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('ovl-tui: the app is not built (dist/cli.js is missing): run `npm run build` at the root of the ovl checkout.\n');
  process.exit(1);
}
await import(cli.href);
