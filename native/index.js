'use strict';
// Loader only: locate the compiled addon. Policy, argument checks and error shaping live in @ovl/core.
module.exports = require('./build/Release/ovl_native.node');
