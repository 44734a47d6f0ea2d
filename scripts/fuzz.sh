#!/usr/bin/env bash
# Long runs of the randomized differential suites (the view against the kernel), apart from
# CI's few hundred seeds: `npm run fuzz -- [count] [start]` runs seeds start..start+count-1
# (default 5000 seeds from 1) of every randomized suite, as root in a private mount namespace.
# A failing seed is named with the command that reruns it alone (OVL_SEED=n).
set -euo pipefail
count=${1:-5000}
start=${2:-1}
cd "$(dirname "$0")/../packages/core"
export OVL_SEEDS="$count" OVL_SEED_START="$start"
exec ../../scripts/in-private-mount-ns.sh npx vitest run test/differential.test.ts test/differential-generations.test.ts
