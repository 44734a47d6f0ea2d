#!/usr/bin/env node
// `npm run tarballs [-- DEST]`: the three packages as npm would publish them, in DEST
// (default packs/): ovl-native-<v>.tgz (with the linux-x64 prebuild: its prepack builds it),
// ovl-core-<v>.tgz, and ovl-tui-<v>.tgz with @ovl/core and @ovl/native bundled inside, so
// `npm install -g ovl-tui-<v>.tgz` works alone (a global package has a tree of its own and
// could not use the other two tarballs installed beside it).
//
// npm does not bundle a workspace's sibling workspaces (it packs ovl-tui without them), so
// ovl-tui is packed from a staging copy whose node_modules holds the two packed tarballs.
import { packAll } from './pack-lib.mjs';

const dest = process.argv[2] ?? 'packs';
const packs = await packAll(dest);
for (const file of Object.values(packs)) console.log(file);
