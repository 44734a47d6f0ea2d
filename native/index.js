'use strict';
// Loader only: locate the compiled addon. Policy, argument checks and error shaping live in @ovl/core.
// node-gyp-build looks in build/Release first (a build from source: the repo's own, or an
// install that had no fitting prebuild), then in prebuilds/<platform>-<arch>/ (the one the
// published package ships).
module.exports = require('node-gyp-build')(__dirname);
