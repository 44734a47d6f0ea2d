#!/bin/sh
# Runs before `npm pack`: puts the addon, built here, into prebuilds/linux-x64/ inside the
# package (@ovl+native.glibc.node), where node-gyp-build finds it on a machine with no
# compiler. One build serves Node 20, 22 and 24: the addon uses Node-API only (binding.gyp
# pins NAPI_VERSION), whose ABI does not change between Node versions — so a prebuild made
# from the same sources is reused (build/prebuild.sha256 records them), whichever Node packs.
#
# --target is the running Node's own version: node-gyp then compiles against headers that
# are already on the machine (the Node install's include/node, or npm_config_nodedir),
# instead of downloading the headers of prebuildify's default target.
set -eu
cd "$(dirname "$0")/.."
prebuild=prebuilds/linux-x64/@ovl+native.glibc.node
sources="$( (find src binding.gyp -type f -print0 | sort -z | xargs -0 sha256sum; node -p "require('node-addon-api/package.json').version") | sha256sum | cut -d' ' -f1)"
if [ -f "$prebuild" ] && [ "$(cat build/prebuild.sha256 2>/dev/null)" = "$sources" ]; then
  echo "prebuild.sh: $prebuild is up to date"
  exit 0
fi
rm -rf prebuilds
# JOBS: node-gyp's make runs on every core (one by default).
JOBS="${JOBS:-max}" prebuildify --napi --strip --tag-libc --target "$(node -p process.versions.node)"
# prebuildify moves the addon out of build/Release; the repo's own tests load it from there.
# The objects are still in build/, so this only links.
node-gyp build
echo "$sources" > build/prebuild.sha256
