'use strict';
// Where the compiled addon lies. node-gyp-build looks in build/Release first (a build from
// source: the repo's own, or an install that had no fitting prebuild), then in
// prebuilds/<platform>-<arch>/ (the one the published package ships). OVL_NATIVE_BUILD=Asan
// picks the AddressSanitizer + UBSan build instead (`npm run build:asan`, made next to
// Release in build/Asan, never in its place); see sanitizers/README.md for how to run it.
// Tests that load the addon in a child use this too.
const path = require('node:path');

const buildType = process.env.OVL_NATIVE_BUILD || 'Release';
if (buildType !== 'Release' && buildType !== 'Asan') {
  throw new Error(`OVL_NATIVE_BUILD must be Release or Asan, not ${JSON.stringify(buildType)}`);
}
module.exports = buildType === 'Asan' ? path.join(__dirname, 'build', 'Asan', 'ovl_native.node') : require('node-gyp-build').path(__dirname);
