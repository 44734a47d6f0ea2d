#!/usr/bin/env bash
# The native and core suites against the AddressSanitizer + UBSan build of the addon
# (native/build/Asan, made by `npm run build:asan`; build/Release is left as it is).
# `npm run test:asan` builds it first; OVL_SEEDS=n changes how many seeds the differential
# suites run (50 by default here). Core test files given as arguments run instead of all of
# core's (what .ci/run does, to stay within CI's time).
# Node is not instrumented, so the ASan runtime is preloaded into every node process of the
# run (vitest and its forks, the children tests spawn); leaks are checked afterwards, for our
# addon's allocations only: native/sanitizers/README.md says why.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
logs="$(mktemp -d /tmp/ovl-asan.XXXXXX)"
# Tests run children as nobody (uid 65534): they must be able to write their reports too.
chmod 1777 "$logs"
trap 'rm -rf "$logs"' EXIT

export OVL_NATIVE_BUILD=Asan
export LD_PRELOAD="$(gcc -print-file-name=libasan.so)"
# exitcode=0 for LSan only: its report names Node's leaks in every process (see the README);
# native/sanitizers/check-reports.mjs fails the run on ours. Any ASan error still aborts (halt_on_error).
export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=0:strict_string_checks=1:check_initialization_order=1"
export LSAN_OPTIONS="exitcode=0"
# The randomized differential suites run 50 seeds each here (CI's plain run does 200/500):
# they are what drives scanDirs hardest, and all of them under ASan take ~7 minutes.
export OVL_SEEDS="${OVL_SEEDS:-50}"
export UBSAN_OPTIONS="log_path=$logs/ubsan:halt_on_error=1:abort_on_error=1:print_stacktrace=1"

# Refuse to report "clean" unless the sanitized addon really is what the suites load.
node -e '
  require(process.argv[1]);
  const maps = require("fs").readFileSync("/proc/self/maps", "utf8");
  if (!maps.includes("/build/Asan/ovl_native.node") || !maps.includes("libasan")) {
    console.error("the ASan build is not what loads; run npm run build:asan");
    process.exit(1);
  }' "$root/native"

status=0
(cd "$root/native" && "$root/scripts/in-private-mount-ns.sh" npx vitest run) || status=1
# load.test.ts is left out: it holds RSS flat over thousands of mounts, and under ASan RSS grows
# by design (freed blocks wait in a 256 MB quarantine to catch use after free: +46 MB over its
# 1,000 cycles); its mount-table and fd checks pass, and leaks are LSan's job here.
(cd "$root/packages/core" && "$root/scripts/in-private-mount-ns.sh" npx vitest run --exclude test/load.test.ts "$@") || status=1
node "$root/native/sanitizers/check-reports.mjs" asan "$logs" || status=1
exit "$status"
