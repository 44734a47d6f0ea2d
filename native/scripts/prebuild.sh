#!/bin/sh
# Runs before `npm pack`: puts the addon, built here, into prebuilds/linux-x64/ inside the
# package (@ovl+native.glibc.node), where node-gyp-build finds it on a machine with no
# compiler. One build serves Node 20, 22 and 24: the addon uses Node-API only (binding.gyp
# pins NAPI_VERSION), whose ABI does not change between Node versions.
#
# --target is the running Node's own version: node-gyp then compiles against headers that
# are already on the machine (the Node install's include/node, or npm_config_nodedir),
# instead of downloading the headers of prebuildify's default target.
set -eu
cd "$(dirname "$0")/.."
rm -rf prebuilds
prebuildify --napi --strip --tag-libc --target "$(node -p process.versions.node)"
# prebuildify moves the addon out of build/Release; the repo's own tests load it from there.
# The objects are still in build/, so this only links.
node-gyp build
