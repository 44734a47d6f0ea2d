'use strict';
// Loader only: locate the compiled addon. Policy, argument checks and error shaping live in @ovl/core.
// Where it lies (node-gyp-build's search, or the ASan build on request) is addon-path.js's rule.
module.exports = require(require('./addon-path.js'));
